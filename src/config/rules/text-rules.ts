/**
 * Free text that ends up in UCI files, where libuci refuses control characters.
 *
 * @example
 * checkText(site, out);
 */
import { issue, type PathSegment, type SiteIssue } from '../site-issue.ts';
import type { Site } from '../site-schema.ts';
import { hasControlCharacter } from '../uci/uci-model.ts';

export function checkText(site: Site, out: SiteIssue[]): void {
  const texts: [PathSegment[], string | undefined][] = [[['mesh', 'id'], site.mesh.id]];
  site.ssids.forEach((s, i) => texts.push([['ssids', i, 'ssid'], s.ssid]));
  site.nodes.forEach((n, i) =>
    n.wans.forEach((w, j) => {
      if (w.type !== 'modem') return;
      for (const f of ['device', 'apn', 'username', 'password'] as const) {
        texts.push([['nodes', i, 'wans', j, f], w[f]]);
      }
    }),
  );
  for (const [path, text] of texts) {
    if (text !== undefined && hasControlCharacter(text)) {
      out.push(issue(path, 'control-character', 'must not contain control characters'));
    }
  }
}
