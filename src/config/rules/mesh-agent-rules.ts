/**
 * Mesh and agent rules: the mesh SAE key, the batman-adv gateway class range, broker URLs.
 *
 * @example
 * checkMeshAndAgent(site, out);
 */
import { issue, type SiteIssue } from '../site-issue.ts';
import type { Site } from '../site-schema.ts';
import { checkPassphrase } from './rule-helpers.ts';

export function checkMeshAndAgent(site: Site, out: SiteIssue[]): void {
  checkPassphrase(site.mesh.key, ['mesh', 'key'], out);
  if (site.batman.algorithm === 'BATMAN_IV' && site.batman.gatewaySelectionClass > 255) {
    out.push(
      issue(
        ['batman', 'gatewaySelectionClass'],
        'gw-sel-class',
        'BATMAN_IV takes a class of 1-255',
      ),
    );
  }
  const brokerOk = (url: string) => /^(mqtts?|wss?):\/\/[^\s/]+/.test(url);
  if (!brokerOk(site.agent.broker)) {
    out.push(
      issue(
        ['agent', 'broker'],
        'agent-broker',
        'must be an mqtt://, mqtts://, ws:// or wss:// URL',
      ),
    );
  }
  site.nodes.forEach((n, i) => {
    const b = n.agent?.broker;
    if (b !== undefined && !brokerOk(b)) {
      out.push(
        issue(
          ['nodes', i, 'agent', 'broker'],
          'agent-broker',
          'must be an mqtt://, mqtts://, ws:// or wss:// URL',
        ),
      );
    }
  });
}
