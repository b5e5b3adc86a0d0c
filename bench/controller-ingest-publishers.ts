/**
 * Child process for bench/controller-ingest.ts: many simulated nodes publishing a realistic mix
 * of state, metrics and event messages at QoS 1 as fast as the broker takes them. A separate
 * process, so the publishers do not share the controller's event loop.
 */
import mqtt from 'mqtt';
import { ingestMessage } from './controller-ingest-mix.ts';

const [url = '', site = '', nodesArg = '1', perNodeArg = '1'] = process.argv.slice(2);
const nodes = Number(nodesArg);
const perNode = Number(perNodeArg);
const send = (msg: object) => process.send!(msg);

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
        const [topic, payload] = ingestMessage(site, node, i, Date.now());
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
