/**
 * 802.11r (fast BSS transition) consistency over the rendered access points of a site: every
 * AP that broadcasts one SSID must agree on what a roaming client relies on, or the client's
 * FT handshake to the next AP fails and it falls back to a full (re)authentication.
 *
 * Checked per SSID text (one ESS), on the options OpenWrt's wifi scripts read (hostapd.sh
 * `hostapd_set_bss_options`, and `iface_roaming` in the ucode scripts of later releases):
 * - `ieee80211r` on everywhere or nowhere;
 * - the same `encryption` (the AKM: FT-PSK and FT-SAE are different suites) and passphrase
 *   (PMK-R0 derives from it; so does the key-holder key OpenWrt derives when it must);
 * - the same `mobility_domain` (the MDID in every beacon; FT only runs inside one MD);
 * - the same `ft_over_ds` (the MDE's capability bit the client reads before it roams);
 * - the same `ft_psk_generate_local`, effective value: OpenWrt defaults it to 1 for PSK and
 *   0 otherwise. With 0, key holders are either derived by OpenWrt (no `r0kh`/`r1kh` given:
 *   wildcard holders keyed by md5(mobility_domain/passphrase), the same on every AP whose
 *   domain and passphrase agree) or listed; listed holders need a unique `nasid` per AP
 *   (the R0KH-ID) and `r0kh`/`r1kh` entries that reach every other AP, or a wildcard.
 *
 * Pure: the caller renders the site and maps a mismatch back to the site path at fault.
 *
 * @example
 * for (const m of ftMismatches(bsses)) console.log(m.bss.node, m.field, m.message);
 */
import type { UciValue } from '../uci/uci-model.ts';

/** One rendered AP interface (`wifi-iface`, `mode ap`) and where it came from. */
export interface FtBss {
  node: string;
  /** Index of the node in the site, for paths. */
  nodeIndex: number;
  /** Index of the site SSID entry that rendered it. */
  ssidEntry: number;
  band: string;
  options: ReadonlyMap<string, UciValue>;
}

export type FtField =
  | 'ieee80211r'
  | 'encryption'
  | 'key'
  | 'mobility_domain'
  | 'ft_over_ds'
  | 'ft_psk_generate_local'
  | 'nasid'
  | 'r0kh'
  | 'r1kh';

export interface FtMismatch {
  /** The AP at fault; `reference` is the first AP of the SSID, the one it is compared to. */
  bss: FtBss;
  reference: FtBss;
  field: FtField;
  rule: string;
  message: string;
}

/** hostapd's wildcard holders: any R0KH (`ff:…:ff` MAC, `*` id) and any R1KH (all-zero). */
const anyR0kh = 'ff:ff:ff:ff:ff:ff,*,';
const anyR1kh = '00:00:00:00:00:00,00:00:00:00:00:00,';

function text(b: FtBss, option: string): string | undefined {
  const v = b.options.get(option);
  return Array.isArray(v) ? v.join(' ') : v;
}

function list(b: FtBss, option: string): string[] {
  const v = b.options.get(option);
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function ftOn(b: FtBss): boolean {
  return text(b, 'ieee80211r') === '1';
}

/** OpenWrt's default: local generation for plain PSK only (`auth_type` psk). */
function generatesLocally(b: FtBss): boolean {
  const set = text(b, 'ft_psk_generate_local');
  if (set !== undefined) return set === '1';
  return /^psk2?(\+|$)/.test(text(b, 'encryption') ?? '');
}

function listsHolders(b: FtBss): boolean {
  return list(b, 'r0kh').length > 0 || list(b, 'r1kh').length > 0;
}

function where(b: FtBss): string {
  return `${b.node} ${b.band} (ssids[${b.ssidEntry}])`;
}

export function ftMismatches(bsses: readonly FtBss[]): FtMismatch[] {
  const byEss = new Map<string, FtBss[]>();
  for (const b of bsses) {
    const ssid = text(b, 'ssid') ?? '';
    byEss.set(ssid, [...(byEss.get(ssid) ?? []), b]);
  }
  const out: FtMismatch[] = [];
  for (const [ssid, group] of byEss) {
    if (!group.some(ftOn)) continue;
    // The SSID's first entry in the site file defines it; later ones are the ones at fault.
    const aps = [...group].sort((a, b) => a.ssidEntry - b.ssidEntry || a.nodeIndex - b.nodeIndex);
    const ref = aps[0] as FtBss;
    const push = (bss: FtBss, field: FtField, rule: string, message: string) =>
      out.push({ bss, reference: ref, field, rule, message: `SSID '${ssid}': ${message}` });
    for (const b of aps.slice(1)) {
      if (ftOn(b) !== ftOn(ref)) {
        push(
          b,
          'ieee80211r',
          'ft-mixed',
          `802.11r is ${ftOn(b) ? 'on' : 'off'} on ${where(b)} but ${ftOn(ref) ? 'on' : 'off'} on ${where(ref)}; every AP of an SSID must agree`,
        );
        continue;
      }
      const same = (option: string) => text(b, option) === text(ref, option);
      const differs = (option: FtField, rule: string, what: string, show: boolean) => {
        if (same(option)) return;
        const values = show
          ? ` ('${text(b, option) ?? 'unset'}' vs '${text(ref, option) ?? 'unset'}')`
          : '';
        push(b, option, rule, `${what} on ${where(b)} differs from ${where(ref)}${values}`);
      };
      differs('encryption', 'ft-encryption', 'encryption (FT key management suite)', true);
      // The passphrase is a secret: never echoed.
      differs('key', 'ft-passphrase', 'passphrase (FT keys derive from it)', false);
      differs('mobility_domain', 'ft-mobility-domain', 'mobility domain', true);
      differs('ft_over_ds', 'ft-over-ds', 'ft_over_ds', true);
      if (same('encryption') && generatesLocally(b) !== generatesLocally(ref)) {
        push(
          b,
          'ft_psk_generate_local',
          'ft-key-holders',
          `ft_psk_generate_local is ${generatesLocally(b) ? 1 : 0} on ${where(b)} but ${generatesLocally(ref) ? 1 : 0} on ${where(ref)}`,
        );
      }
    }
    checkKeyHolders(
      aps.filter((b) => ftOn(b) && !generatesLocally(b)),
      push,
    );
  }
  return out;
}

type Push = (bss: FtBss, field: FtField, rule: string, message: string) => void;

/** APs that exchange keys with their peers: derived everywhere, or listed so each reaches all. */
function checkKeyHolders(aps: FtBss[], push: Push): void {
  const listed = aps.filter(listsHolders);
  if (listed.length === 0) return; // OpenWrt derives the same wildcard holders on each.
  for (const b of aps.filter((a) => !listsHolders(a))) {
    push(
      b,
      'r0kh',
      'ft-key-holders',
      `${where(b)} derives its key holders while ${where(listed[0] as FtBss)} lists them`,
    );
  }
  const nasids = new Map<string, FtBss>();
  for (const b of listed) {
    const id = text(b, 'nasid');
    if (id === undefined) {
      push(b, 'nasid', 'ft-nasid', `${where(b)} lists key holders but has no nasid (its R0KH-ID)`);
      continue;
    }
    const prior = nasids.get(id);
    if (prior)
      push(
        b,
        'nasid',
        'ft-nasid',
        `nasid '${id}' of ${where(b)} is already used by ${where(prior)}`,
      );
    else nasids.set(id, b);
  }
  // A wildcard holder's key must be the one every peer uses (the value is never echoed).
  const wildKey = (b: FtBss) =>
    list(b, 'r0kh')
      .find((e) => e.toLowerCase().startsWith(anyR0kh))
      ?.slice(anyR0kh.length);
  const firstWild = listed.find((b) => wildKey(b) !== undefined);
  for (const b of listed) {
    const key = wildKey(b);
    if (firstWild && key !== undefined && key !== wildKey(firstWild)) {
      push(
        b,
        'r0kh',
        'ft-r0kh',
        `the wildcard r0kh key of ${where(b)} differs from ${where(firstWild)}'s`,
      );
    }
  }
  for (const b of listed) {
    const r0 = list(b, 'r0kh');
    const r1 = list(b, 'r1kh');
    const r0Wild = r0.some((e) => e.toLowerCase().startsWith(anyR0kh));
    const r1Wild = r1.some((e) => e.startsWith(anyR1kh));
    const r0Ids = new Set(r0.map((e) => e.split(',')[1]));
    const r1Ids = new Set(r1.map((e) => e.split(',')[1]?.toLowerCase()));
    for (const peer of listed) {
      if (peer === b) continue;
      const id = text(peer, 'nasid');
      if (!r0Wild && id !== undefined && !r0Ids.has(id)) {
        push(
          b,
          'r0kh',
          'ft-r0kh',
          `r0kh of ${where(b)} has no entry for ${where(peer)} (nasid '${id}')`,
        );
      }
      const holder = text(peer, 'r1_key_holder')?.toLowerCase();
      if (!r1Wild && (holder === undefined || !r1Ids.has(holder))) {
        push(
          b,
          'r1kh',
          'ft-r1kh',
          `r1kh of ${where(b)} has no entry for ${where(peer)}${holder ? ` (r1_key_holder ${holder})` : ' (it has no r1_key_holder; use a wildcard entry)'}`,
        );
      }
    }
  }
}
