/**
 * Reads `/etc/openwrt_release`, the shell-variable file OpenWrt's base-files writes at build time
 * (`DISTRIB_ID='OpenWrt'`, `DISTRIB_RELEASE`, `DISTRIB_REVISION`, `DISTRIB_DESCRIPTION='%D %N
 * %V'`, …). A node's firmware version is its `DISTRIB_DESCRIPTION` (what LuCI shows as the
 * firmware version; a custom build sets it through its version settings); when a build leaves
 * it empty, the id, release and revision joined stand in for it.
 *
 * @example
 * firmwareVersion(parseOpenWrtRelease("DISTRIB_DESCRIPTION='OpenWrt 23.05.3 r23809-234f1a2efa'\n"));
 * // 'OpenWrt 23.05.3 r23809-234f1a2efa'
 */
import { FirmwareVersionError } from '../errors.ts';

/** `KEY='value'` / `KEY="value"` / `KEY=value` lines; comments and anything else skipped. */
export function parseOpenWrtRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2]!.trim();
    const q = value[0];
    if ((q === "'" || q === '"') && value.length >= 2 && value.endsWith(q)) {
      value = value.slice(1, -1);
      // The shell idiom for a quote inside single quotes.
      if (q === "'") value = value.replaceAll(`'\\''`, "'");
    }
    out[m[1]!] = value.trim();
  }
  return out;
}

export function firmwareVersion(release: Record<string, string>, file = '/etc/openwrt_release') {
  const description = release.DISTRIB_DESCRIPTION?.replace(/\s+/g, ' ').trim();
  if (description) return description.slice(0, 128);
  const parts = [release.DISTRIB_ID, release.DISTRIB_RELEASE, release.DISTRIB_REVISION]
    .map((p) => p?.trim())
    .filter((p): p is string => !!p);
  if (parts.length > 0) return parts.join(' ').slice(0, 128);
  throw new FirmwareVersionError(
    `${file}: no DISTRIB_DESCRIPTION, DISTRIB_RELEASE or DISTRIB_REVISION`,
  );
}
