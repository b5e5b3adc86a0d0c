import { describe, expect, it } from 'vitest';
import type { MeshEvent } from '../../core/events.ts';
import { seededRandom } from '../../core/random.ts';
import { VirtualScheduler } from '../../core/virtual-scheduler.ts';
import { addressToMac } from '../address.ts';
import { BatmanEngine, type EngineOutput } from '../batman-engine.ts';
import type { BatmanOptions } from '../batman-options.ts';
import { RoutingOptionError, TranslationTableOffError } from '../errors.ts';
import { FLAG_TT } from '../ogm-codec.ts';
import { TT_PACKET_TYPE } from './tt-unicast-codec.ts';

const C1 = 'aa:bb:cc:dd:ee:01';
const C2 = 'aa:bb:cc:dd:ee:02';

/**
 * Engines wired by an adjacency list, frames delivered 1 ms later, lossless unless `lose`
 * says so. Broadcast frames reach every neighbour, unicast ones (`to`) that neighbour only.
 */
function mesh(
  adjacency: Record<number, number[]>,
  extra: (a: number) => Partial<BatmanOptions> = () => ({ translationTable: true }),
) {
  const s = new VirtualScheduler();
  const events: MeshEvent[] = [];
  const engines = new Map<number, BatmanEngine>();
  const armed = new Map<number, number>();
  const unicasts: Array<{ at: number; from: number; to: number }> = [];
  let lose: (from: number, to: number, bytes: Uint8Array) => boolean = () => false;
  const handle = (addr: number, out: EngineOutput): void => {
    events.push(...out.events);
    for (const f of out.frames) {
      if (f.to !== undefined) unicasts.push({ at: s.now(), from: addr, to: f.to });
      for (const peer of f.to === undefined ? (adjacency[addr] ?? []) : [f.to]) {
        if (lose(addr, peer, f.bytes)) continue;
        s.after(1, () => {
          const e = engines.get(peer)!;
          handle(peer, e.receive(f.bytes, addr, s.now()));
          arm(peer);
        });
      }
    }
  };
  const arm = (addr: number): void => {
    const e = engines.get(addr)!;
    const d = e.nextDeadline();
    if ((armed.get(addr) ?? Infinity) <= d) return;
    armed.set(addr, d);
    s.at(d, () => {
      if (armed.get(addr) !== d) return;
      armed.delete(addr);
      handle(addr, e.tick(s.now()));
      arm(addr);
    });
  };
  for (const a of Object.keys(adjacency).map(Number)) {
    engines.set(a, new BatmanEngine({ address: a, random: seededRandom(a), ...extra(a) }, 0));
    arm(a);
  }
  const at = (a: number): BatmanEngine => engines.get(a)!;
  return {
    s,
    at,
    events,
    unicasts,
    /** Runs an engine call at the current virtual time and sends what it returns. */
    act: (a: number, call: (e: BatmanEngine, now: number) => EngineOutput): void => {
      handle(a, call(at(a), s.now()));
      arm(a);
    },
    setLoss: (f: typeof lose) => (lose = f),
    /** Advances until `cond` holds (checked every ms); returns the time it took, or undefined. */
    until: (cond: () => boolean, maxMs: number): number | undefined => {
      const start = s.now();
      while (s.now() - start < maxMs) {
        if (cond()) return s.now() - start;
        s.advance(1);
      }
      return cond() ? s.now() - start : undefined;
    },
  };
}

const LINE5 = { 1: [2], 2: [1, 3], 3: [2, 4], 4: [3, 5], 5: [4] };

describe('translation table across engines', () => {
  it('announces a client to the whole mesh with the next OGMs; batctl tlj/tgj-shaped tables', () => {
    const m = mesh({ 1: [2], 2: [1, 3], 3: [2] });
    m.s.runUntil(10_000);
    m.act(1, (e, now) => e.clientAdded(C1, 0, now));
    expect(m.at(1).clientOriginator(C1)).toBe(1);
    expect(m.at(3).clientOriginator(C1)).toBeUndefined();
    const took = m.until(() => m.at(3).clientOriginator(C1) === 1, 3000);
    expect(took).toBeLessThanOrEqual(1100); // the next own OGM of 1 plus two hops
    expect(m.at(2).clientOriginator(C1)).toBe(1);
    m.s.advance(500);
    const local = m.at(1).localClientsJson(m.s.now());
    expect(local).toEqual([
      {
        tt_address: C1,
        tt_vid: 0,
        tt_flags: expect.objectContaining({ new: false, del: false, roam: false, raw: 0 }),
        tt_crc32: expect.any(Number),
        last_seen_msecs: 500 + took!,
      },
    ]);
    expect(m.at(3).globalClientsJson(m.s.now())).toEqual([
      {
        tt_address: C1,
        orig_address: addressToMac(1),
        tt_ttvn: 1,
        tt_last_ttvn: 1,
        tt_crc32: local[0]!.tt_crc32,
        tt_vid: 0,
        tt_flags: expect.objectContaining({ raw: 0 }),
        best: true,
      },
    ]);
    expect(m.at(1).ttvn).toBe(1);
    // In step without a single TT request: every diff followed the version before it.
    for (const a of [2, 3]) expect(m.at(a).ttStats!.requestsSent).toBe(0);
  });

  it('roam with advertisement: the old originator points at the new one within hops, before any OGM', () => {
    const m = mesh(LINE5, () => ({ translationTable: true, roamingAdvertisement: true }));
    m.s.runUntil(10_000);
    m.act(1, (e, now) => e.clientAdded(C1, 0, now));
    expect(
      m.until(() => [2, 3, 4, 5].every((a) => m.at(a).clientOriginator(C1) === 1), 3000),
    ).toBeDefined();
    const roamAt = m.s.now();
    m.act(5, (e, now) => e.clientAdded(C1, 0, now));
    // The advertisement travels 4 hops, 1 ms each.
    const took = m.until(() => m.at(1).clientOriginator(C1) === 5, 100);
    expect(took).toBe(4);
    expect(m.unicasts.filter((u) => u.at >= roamAt).map((u) => `${u.from}>${u.to}`)).toEqual([
      '5>4',
      '4>3',
      '3>2',
      '2>1',
    ]);
    expect(m.events).toContainEqual(
      expect.objectContaining({ node: '1', kind: 'client-roamed-away', subject: C1, to: '5' }),
    );
    expect(m.events).toContainEqual(
      expect.objectContaining({ node: '5', kind: 'roam-advertisement', subject: C1, from: '1' }),
    );
    expect(m.at(1).localClientsJson(m.s.now())[0]!.tt_flags).toMatchObject({
      roam: true,
      pending: true,
    });
    // Everyone converges on 5 with the OGMs; 1's entry goes.
    expect(
      m.until(() => [1, 2, 3, 4].every((a) => m.at(a).clientOriginator(C1) === 5), 3000),
    ).toBeDefined();
    m.s.advance(2000);
    expect(m.at(1).localClientsJson(m.s.now())).toEqual([]);
    for (const a of [1, 2, 3, 4]) {
      expect(m.at(a).globalClientsJson(m.s.now())).toMatchObject([
        { tt_address: C1, orig_address: addressToMac(5), best: true },
      ]);
    }
  });

  it('roam without advertisement: no unicast, the old originator keeps the client until told by the station model', () => {
    const m = mesh(LINE5);
    m.s.runUntil(10_000);
    m.act(1, (e, now) => e.clientAdded(C1, 0, now));
    m.s.advance(3000);
    const roamAt = m.s.now();
    m.act(5, (e, now) => e.clientAdded(C1, 0, now));
    m.s.advance(50);
    expect(m.unicasts.filter((u) => u.at >= roamAt)).toEqual([]);
    expect(m.at(1).clientOriginator(C1)).toBe(1);
    m.act(1, (e, now) => e.clientRemoved(C1, now));
    expect(
      m.until(() => [1, 2, 3, 4].every((a) => m.at(a).clientOriginator(C1) === 5), 3000),
    ).toBeDefined();
  });

  it('a node that missed versions asks for the full table and gets back in step', () => {
    const m = mesh({ 1: [2], 2: [1, 3], 3: [2] });
    m.s.runUntil(10_000);
    // Node 3 hears nothing from 2 while node 1 changes its table twice.
    m.setLoss((from, to) => from === 2 && to === 3);
    m.act(1, (e, now) => e.clientAdded(C1, 0, now));
    m.s.advance(1100);
    m.act(1, (e, now) => e.clientAdded(C2, 0, now));
    m.s.advance(1100);
    expect(m.at(1).ttvn).toBe(2);
    expect(m.at(3).clientOriginator(C1)).toBeUndefined();
    m.setLoss(() => false);
    expect(m.until(() => m.at(3).clientOriginator(C2) === 1, 3000)).toBeDefined();
    expect(m.at(3).clientOriginator(C1)).toBe(1);
    expect(m.at(3).ttStats!.requestsSent).toBeGreaterThanOrEqual(1);
    expect(m.at(3).ttStats!.fullTablesApplied).toBe(1);
    expect(m.at(1).ttStats!.responsesSent).toBeGreaterThanOrEqual(1);
  });

  it('a node without the translation table relays TT blocks and TT messages unchanged (mixed mesh)', () => {
    const m = mesh(LINE5, (a) =>
      a === 3 ? {} : { translationTable: true, roamingAdvertisement: true },
    );
    m.s.runUntil(10_000);
    m.act(1, (e, now) => e.clientAdded(C1, 0, now));
    expect(m.until(() => m.at(5).clientOriginator(C1) === 1, 3000)).toBeDefined();
    m.act(5, (e, now) => e.clientAdded(C1, 0, now));
    expect(m.until(() => m.at(1).clientOriginator(C1) === 5, 100)).toBe(4);
    expect(m.at(3).clientOriginator(C1)).toBeUndefined();
  });

  it('is off by default: OGMs carry no TT block, and the client calls say why they fail', () => {
    const e = new BatmanEngine({ address: 1, random: seededRandom(1) }, 0);
    const out = e.tick(e.nextDeadline());
    expect(out.frames[0]!.bytes[3]! & FLAG_TT).toBe(0);
    expect(out.frames[0]!.bytes.length).toBe(14);
    expect(() => e.clientAdded(C1, 0, 0)).toThrow(TranslationTableOffError);
    expect(() => e.clientAdded(C1, 0, 0)).toThrow(
      "clientAdded: the engine's translationTable option is off (routing.translation_table)",
    );
    expect(e.clientOriginator(C1)).toBeUndefined();
    expect(e.localClientsJson(0)).toEqual([]);
    expect(
      () => new BatmanEngine({ address: 1, random: seededRandom(1), roamingAdvertisement: true }),
    ).toThrow(RoutingOptionError);
    const on = new BatmanEngine({ address: 1, random: seededRandom(1), translationTable: true }, 0);
    expect(() => on.clientAdded('AA:BB:CC:DD:EE:01', 0, 0)).toThrow(
      "client MAC 'AA:BB:CC:DD:EE:01' is not of the form aa:bb:cc:dd:ee:ff (lower-case hex)",
    );
    expect(() => on.clientAdded(C1, 4096, 0)).toThrow(
      'routing option vid: 4096 is not an integer within 0..4095',
    );
    // A malformed TT message is counted and dropped whole.
    on.receive(Uint8Array.of(TT_PACKET_TYPE, 1, 5), 2, 0);
    expect(on.stats.malformedFrames).toBe(1);
  });
});
