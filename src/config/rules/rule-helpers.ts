/**
 * Small pieces the site rules share: uniqueness, passphrases, track settings, reserved names.
 *
 * @example
 * unique(site.vlans, (v) => v.id, (i) => ['vlans', i, 'id'], 'vlan-id-unique', 'VLAN id', out);
 */
import { parseIpv4 } from '../ipv4.ts';
import { issue, type PathSegment, type SiteIssue } from '../site-issue.ts';

/** Interface and zone names OpenWrt or our renderer already uses. */
export const reservedNames = new Set([
  'loopback',
  'lan',
  'wan',
  'bat0',
  'br_lan',
  'globals',
  'odhcpd',
]);

/** Prefixes of section names the renderer derives from VLAN names and mesh bands. */
const reservedPrefixes = ['vlan_', 'bat0_', 'bat_', 'mesh_'];

/** Why a VLAN or WAN name would clash with a section the renderer writes, if it would. */
export function reservedReason(name: string): string | undefined {
  if (reservedNames.has(name)) return `'${name}' is used by OpenWrt or the renderer`;
  const prefix = reservedPrefixes.find((p) => name.startsWith(p));
  return prefix ? `names starting with '${prefix}' are used by the renderer` : undefined;
}

export function unique<T>(
  items: readonly T[],
  key: (t: T) => string | number,
  path: (i: number) => PathSegment[],
  rule: string,
  what: string,
  out: SiteIssue[],
): void {
  const first = new Map<string | number, number>();
  items.forEach((item, i) => {
    const k = key(item);
    const seen = first.get(k);
    if (seen === undefined) first.set(k, i);
    else out.push(issue(path(i), rule, `${what} '${k}' is already used at index ${seen}`));
  });
}

/** Byte length as the radio sends it, not JavaScript's UTF-16 length. */
export function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** A WPA/SAE passphrase: 8-63 printable ASCII characters. The value is never echoed. */
export function checkPassphrase(key: string, path: PathSegment[], out: SiteIssue[]): void {
  if (key.length < 8 || key.length > 63) {
    out.push(issue(path, 'wpa-key-length', `must be 8-63 characters (has ${key.length})`));
  } else if (!/^[\x20-\x7e]+$/.test(key)) {
    out.push(issue(path, 'wpa-key-charset', 'must be printable ASCII characters'));
  }
}

export function checkTrack(
  targets: readonly string[],
  reliability: number,
  path: PathSegment[],
  out: SiteIssue[],
): void {
  targets.forEach((t, k) => {
    if (parseIpv4(t) === undefined) {
      out.push(issue([...path, 'targets', k], 'track-target', `'${t}' is not an IPv4 address`));
    }
  });
  if (reliability > targets.length) {
    out.push(
      issue(
        [...path, 'reliability'],
        'track-reliability',
        `${reliability} exceeds the ${targets.length} track target(s)`,
      ),
    );
  }
}
