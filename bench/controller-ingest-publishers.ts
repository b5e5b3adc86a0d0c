/**
 * Child process for bench/controller-ingest.ts: many simulated nodes publishing a realistic mix
 * of state, metrics and event messages at QoS 1 as fast as the broker takes them. A separate
 * process, so the publishers do not share the controller's event loop.
 */
import mqtt from 'mqtt';
import { nodeTopic } from '../src/mqtt/topics.ts';

const [url = '', site = '', nodesArg = '1', perNodeArg = '1'] = process.argv.slice(2);
const nodes = Number(nodesArg);
const perNode = Number(perNodeArg);
const send = (msg: object) => process.send!(msg);

function message(node: string, i: number): [string, string] {
  const at = Date.now();
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

const clients = await Promise.all(
  Array.from({ length: nodes }, (_, n) =>
    mqtt.connectAsync(url, {
      username: `node-${n}`,
      password: `pw-${n}`,
      clientId: `node-${n}`,
      reconnectPeriod: 0,
    }),
  ),
);
send({ type: 'ready' });
await new Promise((resolve) => process.once('message', resolve));
const started = performance.now();
const cpuBefore = process.cpuUsage();
await Promise.all(
  clients.map(async (client, n) => {
    const node = `node-${n}`;
    // A bounded window of in-flight QoS 1 publishes per node, as a real agent would keep.
    const window = 64;
    let next = 0;
    const worker = async () => {
      while (next < perNode) {
        const i = next++;
        const [topic, payload] = message(node, i);
        await client.publishAsync(topic, payload, { qos: 1 });
      }
    };
    await Promise.all(Array.from({ length: window }, worker));
  }),
);
const cpu = process.cpuUsage(cpuBefore);
send({
  type: 'done',
  publishMs: performance.now() - started,
  cpuMs: (cpu.user + cpu.system) / 1000,
});
await Promise.all(clients.map((c) => c.endAsync()));
process.disconnect();
