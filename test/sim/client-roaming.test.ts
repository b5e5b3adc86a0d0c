/**
 * Frames addressed to a client while it roams, on SimNodes in virtual time: with roaming
 * advertisement the node the client left forwards what is still in flight to the new node;
 * without it, those frames are dropped at the old node (traced `client-not-here`, counted).
 * The 'stations' app here is a minimal stand-in of the station model: a client is associated
 * with exactly one AP at a time and the hand-over itself costs no time, so every frame lost is
 * lost in the mesh.
 */
import { describe, expect, it } from 'vitest';
import type { MeshEvent } from '../../src/core/events.ts';
import { seededRandom } from '../../src/core/random.ts';
import { VirtualScheduler } from '../../src/core/virtual-scheduler.ts';
import { SimChannel } from '../../src/sim/channel.ts';
import { DEFAULT_LINK } from '../../src/sim/link-params.ts';
import { FlowMetrics } from '../../src/sim/metrics.ts';
import { type AppFactory, type NodeContext, SimNode } from '../../src/sim/node-host.ts';
import { SimRadio } from '../../src/sim/radio.ts';
import { type RoutingApp, routingApp } from '../../src/sim/routing-app.ts';
import { Trace } from '../../src/sim/trace.ts';
import {
  newClientFrameStats,
  type StationAir,
  type TrafficApp,
  trafficApp,
} from '../../src/sim/traffic-app.ts';

const CLIENT = 'aa:bb:cc:dd:ee:01';
const NAMES = ['n1', 'n2', 'n3', 'n4', 'n5'];

/** The AP each client is associated with now, shared by every node's stand-in station app. */
function fakeStations(
  associated: Map<string, string>,
  metrics: FlowMetrics,
  heardAt: Array<{ node: string; seq: number }>,
): AppFactory {
  return (ctx: NodeContext): StationAir => ({
    name: 'stations',
    deliverToClient: (mac, flow, seq) => {
      if (associated.get(mac) !== ctx.node) return;
      heardAt.push({ node: ctx.node, seq });
      metrics.delivered(flow, seq, ctx.scheduler.now());
    },
    stop: () => {},
  });
}

/**
 * A line n1..n5 (20 ms per hop, lossless); a flow from n1 to the client every 10 ms; the
 * client starts at n5 and roams to n3 at 20 s, while frames are on their way to n5.
 */
function roam(roamingAdvertisement: boolean, sender = 'n1', gapMs = 0) {
  const scheduler = new VirtualScheduler();
  const channel = new SimChannel(seededRandom(7));
  for (let i = 0; i + 1 < NAMES.length; i++)
    channel.addLink(NAMES[i]!, NAMES[i + 1]!, { ...DEFAULT_LINK, latencyMs: 20 });
  const lines: string[] = [];
  const trace = new Trace((l) => lines.push(l));
  const radio = new SimRadio(scheduler, channel, trace, 1400);
  const events: MeshEvent[] = [];
  const metrics = new FlowMetrics();
  const stats = newClientFrameStats();
  const associated = new Map<string, string>();
  const heardAt: Array<{ node: string; seq: number }> = [];
  const deps = {
    scheduler,
    radio,
    random: seededRandom(7),
    emit: (e: MeshEvent) => {
      events.push(e);
      trace.event(e);
    },
    addressOf: (n: string) => (NAMES.includes(n) ? NAMES.indexOf(n) + 1 : undefined),
    nameOf: (a: number) => NAMES[a - 1] ?? String(a),
  };
  const apps = [
    routingApp({ translationTable: true, roamingAdvertisement }),
    trafficApp(metrics, trace, 'batman', stats),
    fakeStations(associated, metrics, heardAt),
  ];
  const nodes = new Map(NAMES.map((n, i) => [n, new SimNode(n, i + 1, deps, apps)]));
  for (const n of nodes.values()) n.boot();
  const batman = (n: string): RoutingApp => nodes.get(n)!.app<RoutingApp>('batman')!;
  const associate = (ap: string): void => {
    associated.set(CLIENT, ap);
    batman(ap).clientAdded(CLIENT, 0);
  };

  scheduler.runUntil(15_000); // routes settle
  associate('n5');
  scheduler.runUntil(18_000); // every node knows the client at n5
  expect(batman('n1').clientOriginator(CLIENT)).toBe(5);
  let seq = 0;
  const send = (): void => {
    if (scheduler.now() >= 23_000) return;
    nodes.get(sender)!.app<TrafficApp>('traffic')!.originateToClient(0, seq++, CLIENT, 100);
    scheduler.after(10, send);
  };
  scheduler.after(0, send);
  scheduler.runUntil(20_000);
  // The roam: n5 loses the client, n3 gets it `gapMs` later (the handshake).
  associated.delete(CLIENT);
  batman('n5').clientRemoved(CLIENT);
  scheduler.runUntil(20_000 + gapMs);
  associated.set(CLIENT, 'n3');
  batman('n3').clientAdded(CLIENT, 0);
  scheduler.runUntil(25_000); // 2 s after the last frame: nothing left in flight
  const drops = lines.filter((l) => l.includes('"reason":"client-not-here"'));
  return { metrics, stats, events, drops, heardAt, batman };
}

describe('frames addressed to a roaming client', () => {
  it('with roaming advertisement: frames in flight to the old node are forwarded to the new one, none lost', () => {
    const r = roam(true);
    expect(r.metrics.sentTotal).toBe(500);
    expect(r.metrics.deliveredTotal).toBe(500);
    expect(r.stats.clientNotHere).toBe(0);
    expect(r.drops).toEqual([]);
    // Some frames did reach n5 after the roam and went on to n3: traced, and counted.
    expect(r.stats.roamForwarded).toBeGreaterThan(0);
    const forwards = r.events.filter((e) => e.kind === 'roam-forward');
    expect(forwards).toHaveLength(r.stats.roamForwarded);
    expect(forwards[0]).toMatchObject({ node: 'n5', subject: CLIENT, to: 'n3' });
    // The first ones reached n5 before n3's advertisement did: they waited for it there.
    expect(forwards[0]!.reason).toMatch(/held \d+ ms$/);
    expect(forwards.at(-1)!.reason).not.toContain('held');
    // Before the roam the client heard them at n5, after it at n3 (nothing went astray).
    expect(r.heardAt.filter((h) => h.node === 'n5').length).toBeGreaterThan(0);
    expect(r.heardAt.at(-1)!.node).toBe('n3');
    expect(r.batman('n1').clientOriginator(CLIENT)).toBe(3);
  });

  it('with roaming advertisement, a sender that is the old AP itself holds what it sends during the handshake for the new one', () => {
    const r = roam(true, 'n5', 30);
    expect(r.metrics.sentTotal).toBe(500);
    expect(r.stats.unknownClient).toBe(0);
    expect(r.stats.clientNotHere).toBe(0);
    expect(r.metrics.deliveredTotal).toBe(500);
    // The frames sent during the 30 ms handshake waited at n5 and went on to n3.
    const held = r.events.filter((e) => e.kind === 'roam-forward' && /held \d+ ms$/.test(e.reason));
    expect(held.length).toBeGreaterThanOrEqual(3);
    expect(r.heardAt.at(-1)!.node).toBe('n3');
  });

  it('without it: the frames reaching the node the client left are dropped and counted', () => {
    const r = roam(false);
    expect(r.metrics.sentTotal).toBe(500);
    expect(r.stats.roamForwarded).toBe(0);
    expect(r.stats.clientNotHere).toBeGreaterThan(0);
    expect(r.drops).toHaveLength(r.stats.clientNotHere);
    expect(r.drops[0]).toContain('"node":"n5"');
    expect(r.metrics.deliveredTotal).toBe(500 - r.stats.clientNotHere);
    expect(r.batman('n1').clientOriginator(CLIENT)).toBe(3);
  });
});

describe('routing app and large TT messages', () => {
  it('a TT response larger than the radio MTU is reported as an event, not thrown', () => {
    const scheduler = new VirtualScheduler();
    const channel = new SimChannel(seededRandom(3));
    channel.addLink('n1', 'n2', DEFAULT_LINK);
    const trace = new Trace(() => {});
    const radio = new SimRadio(scheduler, channel, trace, 100);
    const events: MeshEvent[] = [];
    const names = ['n1', 'n2'];
    const deps = {
      scheduler,
      radio,
      random: seededRandom(3),
      emit: (e: MeshEvent) => events.push(e),
      addressOf: (n: string) => (names.includes(n) ? names.indexOf(n) + 1 : undefined),
      nameOf: (a: number) => names[a - 1] ?? String(a),
    };
    // OGMs stay within 90 bytes (a diff that does not fit is left out); a full table of 12
    // clients takes 8 + 4 + 6 + 12 * 9 = 126 bytes.
    const apps = [routingApp({ translationTable: true, maxAggregateBytes: 90 })];
    const nodes = names.map((n, i) => new SimNode(n, i + 1, deps, apps));
    for (const n of nodes) n.boot();
    scheduler.runUntil(10_000);
    const n1 = nodes[0]!.app<RoutingApp>('batman')!;
    for (let i = 0; i < 12; i++) n1.clientAdded(`aa:bb:cc:dd:ee:${(16 + i).toString(16)}`, 0);
    scheduler.runUntil(15_000);
    expect(events).toContainEqual(
      expect.objectContaining({
        node: 'n1',
        kind: 'frame-too-large',
        subject: 'n2',
        reason: '126-byte routing frame exceeds the 100-byte MTU; not sent',
      }),
    );
    expect(
      nodes[1]!.app<RoutingApp>('batman')!.clientOriginator('aa:bb:cc:dd:ee:10'),
    ).toBeUndefined();
  });
});
