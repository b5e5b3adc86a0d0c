import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../test/openwrt/wait-for.ts';
import { VirtualScheduler } from '../../core/virtual-scheduler.ts';
import type { RadioNodeReport } from '../../mqtt/radio-messages.ts';
import { radioNodeTopic, radioTopic } from '../../mqtt/radio-topics.ts';
import type { LiveChange } from '../ingest.ts';
import { ControllerStore } from '../store/controller-store.ts';
import { RadioCommandTimeoutError, RadioService, UnknownRadioNodeError } from './radio-service.ts';

const T0 = 1_800_000_000_000;
const open: ControllerStore[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

async function setup() {
  const store = await ControllerStore.open(join(mkdtempSync(join(tmpdir(), 'im-radio-')), 'c.db'));
  open.push(store);
  const scheduler = new VirtualScheduler(T0);
  const live: LiveChange[] = [];
  const published: { topic: string; payload: string }[] = [];
  const radio = new RadioService({
    store,
    scheduler,
    site: 'lab',
    publish: (topic, payload) => {
      published.push({ topic, payload });
      return Promise.resolve();
    },
    broadcast: (changes) => live.push(...changes),
    liveness: { unreachableAfterMs: 30_000, alertAfterMs: 60_000 },
    sweepMs: 1000,
  });
  radio.start();
  const send = async (topic: string, body: object) =>
    await radio.acceptBatch([{ topic, payload: Buffer.from(JSON.stringify(body)) }]);
  const report = (gateway: string, address: number, extra: Partial<RadioNodeReport> = {}) =>
    send(radioNodeTopic('lab', 'field', gateway, address), {
      gateway,
      network: 'field',
      at: scheduler.now(),
      address,
      last_heard: scheduler.now(),
      hops: 0,
      rtt_ms: 12,
      rtt_at: scheduler.now(),
      link_quality: 1,
      neighbours: [],
      ...extra,
    });
  const online = (gateway: string) =>
    send(radioTopic('lab', 'field', gateway, 'status'), {
      gateway,
      network: 'field',
      at: scheduler.now(),
      online: true,
      address: gateway === 'gw-a' ? 100 : 101,
    });
  return { store, scheduler, live, published, radio, report, online, send };
}

describe('RadioService', () => {
  it('merges two gateways’ reports of one node into one entry and announces it live', async () => {
    const { radio, report, live, scheduler } = await setup();
    await report('gw-a', 7, { hops: 2, rtt_ms: 40 });
    scheduler.advance(1000);
    await report('gw-b', 7, { hops: 0, rtt_ms: 9, link_quality: 0.5 });
    const nodes = await radio.nodes();
    expect(nodes).toHaveLength(1);
    expect(nodes[0]).toMatchObject({
      address: 7,
      network: 'field',
      gateways: ['gw-a', 'gw-b'],
      hops: 0,
      rtt_ms: 9,
      link_quality: 1,
      status: 'reachable',
      last_heard_ms: T0 + 1000,
      last_heard: new Date(T0 + 1000).toISOString(),
    });
    const pushed = live.filter((c) => c.type === 'radio-node');
    expect(pushed.at(-1)).toMatchObject({
      type: 'radio-node',
      node: { gateways: ['gw-a', 'gw-b'] },
    });
    expect((await radio.repo.rttHistory('field', 7)).map((h) => h.rtt_ms)).toEqual([40, 9]);
  });

  it('refuses a report that names another gateway or network than its topic, and keeps nothing', async () => {
    const { radio, store, send, scheduler } = await setup();
    await send(radioNodeTopic('lab', 'field', 'gw-a', 7), {
      gateway: 'gw-b',
      network: 'field',
      at: scheduler.now(),
      address: 7,
      last_heard: null,
      hops: null,
      rtt_ms: null,
      rtt_at: null,
      link_quality: null,
      neighbours: [],
    });
    await send(radioNodeTopic('lab', 'field', 'gw-a', 8), { gateway: 'gw-a', address: 'x' });
    expect(await radio.nodes()).toEqual([]);
    const rejected = await store.rejected();
    expect(rejected.map((r) => r.error).join('\n')).toMatch(/names gateway 'gw-b'/);
    expect(rejected.map((r) => r.error).join('\n')).toMatch(/address/);
  });

  it('turns a silent node unreachable, alerts after the further threshold, and recovers', async () => {
    const { radio, report, scheduler, store, live } = await setup();
    await report('gw-a', 7);
    scheduler.advance(29_000);
    expect((await radio.nodes())[0]!.status).toBe('reachable');
    scheduler.advance(2_000);
    expect((await radio.nodes())[0]!.status).toBe('unreachable');
    const down = await store.events.query({ kinds: ['radio-node-unreachable'] });
    expect(down).toHaveLength(1);
    expect(down[0]).toMatchObject({ node: 'radio:field/7', subject: '7', source: 'controller' });
    expect(await store.alerts.listOpen()).toEqual([]);
    scheduler.advance(58_000);
    expect(await store.alerts.listOpen()).toEqual([]);
    scheduler.advance(2_000);
    const alerts = await store.alerts.listOpen();
    expect(alerts.map((a) => [a.kind, a.key])).toEqual([
      ['radio-node-unreachable', 'radio-node-unreachable:field:7'],
    ]);
    expect(live.some((c) => c.type === 'alert')).toBe(true);
    await report('gw-a', 7);
    expect((await radio.nodes())[0]!.status).toBe('reachable');
    expect(await store.alerts.listOpen()).toEqual([]);
    expect(await store.events.query({ kinds: ['radio-node-reachable'] })).toHaveLength(1);
  });

  it('sends a command to the online gateway that heard the node last and matches the result by id', async () => {
    const { radio, report, online, published, send, scheduler } = await setup();
    await online('gw-a');
    await online('gw-b');
    await report('gw-a', 7);
    scheduler.advance(500);
    await report('gw-b', 7);
    const pending = radio.command({ address: 7 }, { kind: 'ping' });
    // The command goes out once the node's gateways are read from the store.
    await waitFor('the command published', () => published.length > 0, 5000);
    expect(published).toHaveLength(1);
    expect(published[0]!.topic).toBe('intelli-mesh/lab/radio/field/gw-b/command');
    const cmd = JSON.parse(published[0]!.payload) as { id: string; kind: string; address: number };
    expect(cmd).toMatchObject({ kind: 'ping', address: 7 });
    await send(radioTopic('lab', 'field', 'gw-b', 'command/result'), {
      gateway: 'gw-b',
      network: 'field',
      at: scheduler.now(),
      id: cmd.id,
      ok: true,
      rtt_ms: 33.5,
      hops: 1,
    });
    const out = await pending;
    expect(out).toMatchObject({ gateway: 'gw-b', result: { ok: true, rtt_ms: 33.5 } });
    expect((await radio.repo.rttHistory('field', 7)).at(-1)!.rtt_ms).toBe(33.5);
  });

  it('times out a command nobody answers, and knows no unknown node', async () => {
    const { radio, report, online, scheduler, published } = await setup();
    await online('gw-a');
    await report('gw-a', 7);
    const pending = radio.command({ address: 7 }, { kind: 'ping' });
    const failed = expect(pending).rejects.toThrow(RadioCommandTimeoutError);
    // Its timeout starts when it is sent.
    await waitFor('the command published', () => published.length > 0, 5000);
    scheduler.advance(6001);
    await failed;
    await expect(radio.command({ address: 9 }, { kind: 'ping' })).rejects.toThrow(
      UnknownRadioNodeError,
    );
  });
});
