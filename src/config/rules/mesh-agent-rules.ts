/**
 * Mesh and agent rules: the mesh SAE key, the batman-adv gateway class range, broker URLs and
 * the topic root.
 *
 * @example
 * checkMeshAndAgent(site, out);
 */
import { TOPIC_ROOT } from '../../mqtt/topics.ts';
import { issue, type PathSegment, type SiteIssue } from '../site-issue.ts';
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
    checkTopicRoot(n.agent?.topicPrefix, ['nodes', i, 'agent', 'topicPrefix'], out);
  });
  checkTopicRoot(site.agent.topicPrefix, ['agent', 'topicPrefix'], out);
}

/** The agents and the controller share one topic tree; a router under another root is unseen. */
function checkTopicRoot(prefix: string | undefined, path: PathSegment[], out: SiteIssue[]): void {
  if (prefix === undefined || prefix === TOPIC_ROOT) return;
  out.push(
    issue(
      path,
      'agent-topic-root',
      `the agents and the controller use the topic root '${TOPIC_ROOT}', not '${prefix}'`,
    ),
  );
}
