/**
 * The message mix of the controller ingest benches: for message `i` of `node`, 20 % state, 30 %
 * events and 50 % metrics, as an agent sends them. Shared by the MQTT publishers
 * (controller-ingest-publishers.ts) and the in-process store bench (controller-ingest-store.ts),
 * so both measure the same rows.
 *
 * @example
 * const [topic, payload] = ingestMessage('bench', 'node-3', 7, Date.now());
 */
import { nodeTopic } from '../src/mqtt/topics.ts';

export function ingestMessage(site: string, node: string, i: number, at: number): [string, string] {
  switch (i % 10) {
    case 0:
    case 1:
      return [
        nodeTopic(site, node, 'state'),
        JSON.stringify({
          node,
          at,
          uptime_s: i,
          role: 'mesh',
          wans: [
            {
              name: 'wan',
              kind: 'ethernet',
              state: 'up',
              active: true,
              latency_ms: 10 + (i % 7),
              loss: 0,
            },
          ],
          gateway: {
            announcing: false,
            bandwidth_down_kbit: 0,
            bandwidth_up_kbit: 0,
            selected: 'gw-1',
          },
          neighbours: [
            { node: 'n-a', tq: 200, last_seen_ms: 300 },
            { node: 'n-b', tq: 180, last_seen_ms: 500 },
          ],
        }),
      ];
    case 2:
    case 3:
    case 4:
      return [
        nodeTopic(site, node, 'events'),
        JSON.stringify({
          at,
          node,
          kind: 'route-change',
          subject: 'gw-1',
          from: 'n-a',
          to: 'n-b',
          reason: `TQ ${180 + (i % 50)} beat 170`,
        }),
      ];
    default:
      return [
        nodeTopic(site, node, 'metrics'),
        JSON.stringify({
          node,
          at,
          wans: { wan: { latency_ms: 10 + (i % 13), loss: (i % 5) / 100 } },
        }),
      ];
  }
}
