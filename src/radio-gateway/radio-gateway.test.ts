import { describe, expect, it } from 'vitest';
import { seededRandom } from '../core/random.ts';
import { VirtualScheduler } from '../core/virtual-scheduler.ts';
import { MeshlinkHost } from '../meshlink/meshlink-host.ts';
import { decodeRadioMessage } from '../mqtt/radio-messages.ts';
import { parseRadioTopic } from '../mqtt/radio-topics.ts';
import { MemoryHub } from '../transport/memory-hub.ts';
import { UniformLinkModel } from '../transport/uniform-link-model.ts';
import { RadioGateway } from './radio-gateway.ts';

/**
 * Runs virtual time with the promise callbacks it resolves in between (the gateway awaits the
 * host's promises), event by event.
 */
async function advance(scheduler: VirtualScheduler, ms: number): Promise<void> {
  const end = scheduler.now() + ms;
  for (;;) {
    await new Promise((r) => setImmediate(r));
    const next = scheduler.nextEventAt();
    if (next === undefined || next > end) break;
    scheduler.step();
  }
  scheduler.runUntil(end);
  await new Promise((r) => setImmediate(r));
}

interface Published {
  topic: string;
  payload: string;
  retain: boolean;
}

/** A line 1 (gateway) - 2 - 3 - 4 on the memory hub, in virtual time. */
function mesh() {
  const scheduler = new VirtualScheduler(1_000_000);
  const model = UniformLinkModel.line(['1', '2', '3', '4'], { latencyMs: 2 });
  const hub = new MemoryHub(scheduler, model);
  const hosts = new Map<number, MeshlinkHost>();
  for (const a of [1, 2, 3, 4]) {
    const host = new MeshlinkHost({
      address: a,
      medium: hub.attach(String(a)),
      scheduler,
      random: seededRandom(a),
    });
    host.on('connection', (s) => s.pipe(s));
    hosts.set(a, host);
  }
  const published: Published[] = [];
  const gateway = new RadioGateway({
    site: 'lab',
    network: 'field',
    gateway: 'gw-1',
    host: hosts.get(1)!,
    scheduler,
    pingIntervalMs: 5000,
    scanIntervalMs: 20_000,
    scanDepth: 4,
    publisher: {
      publish: (topic, payload, o) => {
        published.push({ topic, payload, retain: o.retain });
        return Promise.resolve();
      },
    },
  });
  return { scheduler, model, hosts, gateway, published };
}

function lastNodeReport(published: Published[], address: number) {
  const p = published.filter((x) => parseRadioTopic(x.topic)?.address === address).at(-1);
  if (!p) return undefined;
  const d = decodeRadioMessage('node', p.payload);
  if (!d.ok) throw new Error(d.error);
  return d.value;
}

function results(published: Published[]) {
  return published
    .filter((p) => p.topic.endsWith('/command/result'))
    .map((p) => {
      const d = decodeRadioMessage('command/result', p.payload);
      if (!d.ok) throw new Error(d.error);
      return d.value;
    });
}

describe('RadioGateway', () => {
  it('learns every node by pings and scans and reports each with hops, RTT and neighbours', async () => {
    const { scheduler, gateway, published } = mesh();
    gateway.start();
    await advance(scheduler, 30_000);
    const status = published.find((p) => p.topic === 'intelli-mesh/lab/radio/field/gw-1/status');
    expect(status?.retain).toBe(true);
    for (const a of [2, 3, 4]) {
      const r = lastNodeReport(published, a);
      expect(r?.last_heard).toBeGreaterThan(1_000_000);
      expect(r?.hops).toBe(a - 2);
      expect(r?.rtt_ms).toBeGreaterThan(0);
      expect(r?.link_quality).toBe(1);
    }
    expect(lastNodeReport(published, 3)?.neighbours).toEqual([2, 4]);
    const graph = published.filter((p) => p.topic.endsWith('/graph')).at(-1)!;
    const g = decodeRadioMessage('graph', graph.payload);
    expect(g.ok && g.value.edges).toEqual([
      [1, 2],
      [2, 3],
      [3, 4],
    ]);
  });

  it('a node that falls silent loses link quality and keeps its last heard time', async () => {
    const { scheduler, gateway, published, hosts } = mesh();
    gateway.start();
    await advance(scheduler, 12_000);
    const heard = lastNodeReport(published, 4)!.last_heard!;
    hosts.get(4)!.close();
    await advance(scheduler, 30_000);
    const r = lastNodeReport(published, 4)!;
    expect(r.last_heard).toBe(heard);
    expect(r.link_quality).toBeLessThan(0.5);
  });

  it('runs ping, scan, send and stream commands and answers each by id', async () => {
    const { scheduler, gateway, published, hosts } = mesh();
    const got: string[] = [];
    hosts.get(4)!.on('message', (_from, data) => got.push(Buffer.from(data).toString()));
    gateway.start();
    await advance(scheduler, 6_000);
    gateway.command(JSON.stringify({ id: 'p1', kind: 'ping', address: 3 }));
    gateway.command(JSON.stringify({ id: 's1', kind: 'scan', address: 3, depth: 1 }));
    gateway.command(
      JSON.stringify({
        id: 'm1',
        kind: 'send',
        address: 4,
        bytes_hex: Buffer.from('hi').toString('hex'),
      }),
    );
    gateway.command(
      JSON.stringify({
        id: 't1',
        kind: 'stream',
        address: 2,
        bytes_hex: '6563686f',
        window_ms: 3000,
      }),
    );
    gateway.command(JSON.stringify({ id: 'p2', kind: 'ping', address: 9 }));
    gateway.command(JSON.stringify({ id: 'bad', kind: 'ping', address: 0 }));
    await advance(scheduler, 8_000);
    const byId = new Map(results(published).map((r) => [r.id, r]));
    expect(byId.get('p1')).toMatchObject({ ok: true, hops: 1 });
    expect(byId.get('p1')!.rtt_ms).toBeGreaterThan(0);
    expect(byId.get('s1')).toMatchObject({
      ok: true,
      graph: {
        nodes: [2, 3, 4],
        edges: [
          [2, 3],
          [3, 4],
        ],
      },
    });
    expect(byId.get('m1')).toMatchObject({ ok: true, acked: true });
    expect(got).toEqual(['hi']);
    expect(byId.get('t1')).toMatchObject({ ok: true, bytes_hex: '6563686f' });
    expect(byId.get('p2')).toMatchObject({ ok: false, reason: 'timeout' });
    expect(byId.get('bad')).toMatchObject({ ok: false, reason: 'failed' });
    expect(byId.get('bad')!.error).toMatch(/address/);
  });

  it('announces itself and every node again (after an MQTT reconnection)', async () => {
    const { scheduler, gateway, published } = mesh();
    gateway.start();
    await advance(scheduler, 6_000);
    const before = published.length;
    gateway.announce();
    await advance(scheduler, 100);
    const again = published.slice(before).map((p) => p.topic.split('/').slice(5).join('/'));
    expect(again).toEqual(
      expect.arrayContaining(['status', 'node/2', 'node/3', 'node/4', 'graph']),
    );
  });

  it('relays a message addressed to the gateway and runs a redelivered command once', async () => {
    const { scheduler, gateway, published, hosts } = mesh();
    gateway.start();
    void hosts.get(3)!.send(1, Buffer.from('temp=21'));
    gateway.command(JSON.stringify({ id: 'p1', kind: 'ping', address: 2 }));
    gateway.command(JSON.stringify({ id: 'p1', kind: 'ping', address: 2 }));
    await advance(scheduler, 3_000);
    const msg = published.find((p) => p.topic.endsWith('/message'))!;
    const m = decodeRadioMessage('message', msg.payload);
    expect(m.ok && m.value).toMatchObject({ from: 3, to: 1, hops: 1, bytes_hex: '74656d703d3231' });
    expect(msg.retain).toBe(false);
    expect(results(published).filter((r) => r.id === 'p1')).toHaveLength(1);
  });
});
