import { describe, expect, it } from 'vitest';
import { clientCrc } from './tt-crc.ts';
import {
  TT_CLIENT_DEL,
  TT_CLIENT_NEW,
  TT_CLIENT_PENDING,
  TT_CLIENT_ROAM,
  TT_CLIENT_TEMP,
} from './tt-flags.ts';
import type { TtMessage } from './tt-unicast-codec.ts';
import { TranslationTable } from './translation-table.ts';

const C1 = 'aa:bb:cc:dd:ee:01';
const C2 = 'aa:bb:cc:dd:ee:02';
/** Every originator is reachable with the same TQ in these examples. */
const reachable = (): number => 200;
const ROOM = 500;

/** Delivers a TT message to the table it is addressed to; returns what that table answers. */
function deliver(tables: Map<number, TranslationTable>, m: TtMessage, now: number): TtMessage[] {
  return tables.get(m.dst)!.onMessage(m, now);
}

describe('TranslationTable, worked examples', () => {
  it('announce: a new client goes out with the next OGM as TTVN 1 and the diff; a synced peer applies it', () => {
    const a = new TranslationTable({ self: 1 });
    const b = new TranslationTable({ self: 2 });
    // A's first OGM: empty table, TTVN 0, no VLAN. B's empty copy already matches it.
    expect(a.ownBlock(ROOM)).toEqual({ ttvn: 0, vlans: [], changes: [] });
    expect(b.onOgmBlock(1, a.ownBlock(ROOM), 0)).toEqual([]);

    a.clientAdded(C1, 0, 100);
    // Until the next OGM the client is NEW: attached here, not yet in the CRC.
    expect(a.local.entry(C1)!.flags).toBe(TT_CLIENT_NEW);
    expect(a.originatorOf(C1, reachable)).toBe(1);
    const block = a.ownBlock(ROOM);
    expect(block).toEqual({
      ttvn: 1,
      vlans: [{ vid: 0, crc: clientCrc(C1, 0) }],
      changes: [{ mac: C1, vid: 0, flags: 0 }],
    });
    expect(a.local.entry(C1)!.flags).toBe(0);
    // An OGM with nothing new keeps the TTVN and carries no diff.
    expect(a.ownBlock(ROOM)).toEqual({ ttvn: 1, vlans: block.vlans, changes: [] });

    expect(b.onOgmBlock(1, block, 1000)).toEqual([]);
    expect(b.originatorOf(C1, reachable)).toBe(1);
    expect(b.global.originator(1)!.ttvn).toBe(1);
  });

  it('diff: a removal and an addition in one interval become one version, and the CRC follows', () => {
    const a = new TranslationTable({ self: 1 });
    const b = new TranslationTable({ self: 2 });
    b.onOgmBlock(1, a.ownBlock(ROOM), 0);
    a.clientAdded(C1, 0, 0);
    b.onOgmBlock(1, a.ownBlock(ROOM), 1000);

    a.clientRemoved(C1);
    a.clientAdded(C2, 5, 1500);
    // A removal stays PENDING (still in the CRC) until announced.
    expect(a.local.entry(C1)!.flags).toBe(TT_CLIENT_PENDING);
    const block = a.ownBlock(ROOM);
    expect(block.ttvn).toBe(2);
    expect(block.changes).toEqual([
      { mac: C1, vid: 0, flags: TT_CLIENT_DEL },
      { mac: C2, vid: 5, flags: 0 },
    ]);
    expect(block.vlans).toEqual([{ vid: 5, crc: clientCrc(C2, 5) }]);
    expect(b.onOgmBlock(1, block, 2000)).toEqual([]);
    expect(b.originatorOf(C1, reachable)).toBeUndefined();
    expect(b.originatorOf(C2, reachable)).toBe(1);
  });

  it('a client that leaves and comes back between two OGMs changes nothing on the wire', () => {
    const a = new TranslationTable({ self: 1 });
    a.clientAdded(C1, 0, 0);
    a.ownBlock(ROOM);
    a.clientRemoved(C1);
    a.clientAdded(C1, 0, 10);
    expect(a.ownBlock(ROOM)).toMatchObject({ ttvn: 1, changes: [] });
    // And one added and gone before any OGM is never announced.
    a.clientAdded(C2, 0, 20);
    a.clientRemoved(C2);
    expect(a.ownBlock(ROOM)).toMatchObject({ ttvn: 1, changes: [] });
  });

  it('gap: a missed version makes the receiver ask for the full table instead of applying a diff on a broken chain', () => {
    const tables = new Map([
      [1, new TranslationTable({ self: 1 })],
      [2, new TranslationTable({ self: 2, requestTimeoutMs: 3000 })],
    ]);
    const a = tables.get(1)!;
    const b = tables.get(2)!;
    b.onOgmBlock(1, a.ownBlock(ROOM), 0);
    a.clientAdded(C1, 0, 0);
    a.ownBlock(ROOM); // TTVN 1: this OGM never reaches B
    a.clientAdded(C2, 0, 1000);
    const v2 = a.ownBlock(ROOM); // TTVN 2, diff: ADD C2 only
    const asked = b.onOgmBlock(1, v2, 2000);
    expect(asked).toEqual([{ kind: 'request', ttl: 50, dst: 1, src: 2, ttvn: 0, full: true }]);
    // Nothing of the diff was applied: C2 alone would not match A's CRC.
    expect(b.originatorOf(C2, reachable)).toBeUndefined();
    // No second request before the timeout, even if more OGMs arrive meanwhile.
    expect(b.onOgmBlock(1, a.ownBlock(ROOM), 3000)).toEqual([]);
    const answer = deliver(tables, asked[0]!, 2010);
    expect(answer).toHaveLength(1);
    expect(answer[0]).toMatchObject({ kind: 'response', dst: 2, src: 1, ttvn: 2 });
    expect(deliver(tables, answer[0]!, 2020)).toEqual([]);
    expect(b.stats.fullTablesApplied).toBe(1);
    expect(b.originatorOf(C1, reachable)).toBe(1);
    expect(b.originatorOf(C2, reachable)).toBe(1);
    // Back in step: the next diff applies normally.
    a.clientRemoved(C2);
    expect(b.onOgmBlock(1, a.ownBlock(ROOM), 4000)).toEqual([]);
    expect(b.originatorOf(C2, reachable)).toBeUndefined();
  });

  it('an unanswered request is repeated after the request timeout', () => {
    const a = new TranslationTable({ self: 1 });
    const b = new TranslationTable({ self: 2, requestTimeoutMs: 3000 });
    a.clientAdded(C1, 0, 0);
    const block = a.ownBlock(ROOM);
    expect(b.onOgmBlock(1, block, 0)).toHaveLength(1); // never synced with 1: ask
    expect(b.onOgmBlock(1, block, 2999)).toEqual([]);
    expect(b.onOgmBlock(1, block, 3000)).toHaveLength(1);
    expect(b.stats.requestsSent).toBe(2);
  });

  it('CRC mismatch: a diff too large for the OGM is left out; the receiver sees the CRC disagree and recovers with a full table', () => {
    const tables = new Map([
      [1, new TranslationTable({ self: 1 })],
      [2, new TranslationTable({ self: 2 })],
    ]);
    const a = tables.get(1)!;
    const b = tables.get(2)!;
    b.onOgmBlock(1, a.ownBlock(ROOM), 0);
    for (let i = 0; i < 10; i++) a.clientAdded(`aa:bb:cc:dd:ee:${(16 + i).toString(16)}`, 0, 0);
    // 6 + 6 + 10 * 9 = 102 bytes; only 40 of room: TTVN moves, the diff stays home.
    const block = a.ownBlock(40);
    expect(block).toMatchObject({ ttvn: 1, changes: [] });
    expect(block.vlans).toHaveLength(1);
    const asked = b.onOgmBlock(1, block, 1000);
    expect(asked).toMatchObject([{ kind: 'request', dst: 1 }]);
    deliver(tables, deliver(tables, asked[0]!, 1001)[0]!, 1002);
    expect(b.global.originator(1)!.synced).toBe(true);
    expect(b.originatorOf('aa:bb:cc:dd:ee:19', reachable)).toBe(1);
    // A same-version OGM whose CRC no longer matches our copy (a corrupted copy) is caught too.
    b.global.originator(1)!.clients.delete('aa:bb:cc:dd:ee:10');
    expect(b.onOgmBlock(1, a.ownBlock(ROOM), 5000)).toMatchObject([{ kind: 'request' }]);
  });

  it('a full table that does not match its own CRCs is not applied', () => {
    const b = new TranslationTable({ self: 2 });
    b.onMessage(
      {
        kind: 'response',
        ttl: 50,
        dst: 2,
        src: 1,
        ttvn: 3,
        vlans: [{ vid: 0, crc: 12345 }],
        entries: [{ mac: C1, vid: 0, flags: 0 }],
      },
      0,
    );
    expect(b.originatorOf(C1, reachable)).toBeUndefined();
    expect(b.stats.fullTablesApplied).toBe(0);
  });

  /** A, B and an observer C, all synced on A's table holding C1. */
  function roamSetup(roamingAdvertisement: boolean) {
    const tables = new Map(
      [1, 2, 3].map((n) => [n, new TranslationTable({ self: n, roamingAdvertisement })]),
    );
    const [a, b, c] = [tables.get(1)!, tables.get(2)!, tables.get(3)!];
    const flood = (from: number, at: number): void => {
      const block = tables.get(from)!.ownBlock(ROOM);
      for (const [n, t] of tables)
        if (n !== from) expect(t.onOgmBlock(from, block, at)).toEqual([]);
    };
    for (const n of [1, 2, 3]) flood(n, 0);
    a.clientAdded(C1, 0, 0);
    flood(1, 1000);
    return { tables, a, b, c, flood };
  }

  it('roam with advertisement: the new node tells the old one, which hands frames on at once; the others follow the OGMs', () => {
    const { tables, a, b, c, flood } = roamSetup(true);
    const advs = b.clientAdded(C1, 0, 1500);
    expect(advs).toEqual([{ kind: 'roam-adv', ttl: 50, dst: 1, src: 2, mac: C1, vid: 0 }]);
    expect(b.originatorOf(C1, reachable)).toBe(2);
    // Before any OGM: the old node already points at the new one.
    deliver(tables, advs[0]!, 1505);
    expect(a.originatorOf(C1, reachable)).toBe(2);
    expect(a.local.entry(C1)!.flags).toBe(TT_CLIENT_PENDING | TT_CLIENT_ROAM);
    expect(a.global.entriesOf(C1)).toMatchObject([{ orig: 2, flags: TT_CLIENT_TEMP }]);
    // The observer still sends to A, which is fine: A forwards.
    expect(c.originatorOf(C1, reachable)).toBe(1);

    // A's OGM arrives first: its removal is flagged ROAM, so C keeps the entry in transit.
    const fromA = a.ownBlock(ROOM);
    expect(fromA.changes).toEqual([{ mac: C1, vid: 0, flags: TT_CLIENT_DEL | TT_CLIENT_ROAM }]);
    expect(c.onOgmBlock(1, fromA, 2000)).toEqual([]); // CRC still matches: ROAM is not counted
    expect(c.originatorOf(C1, reachable)).toBe(1);
    expect(c.global.entriesOf(C1)).toMatchObject([{ orig: 1, flags: TT_CLIENT_ROAM }]);
    expect(b.onOgmBlock(1, fromA, 2000)).toEqual([]);

    // B's OGM: everyone moves to B, the transit entries go.
    flood(2, 2100);
    expect(c.originatorOf(C1, reachable)).toBe(2);
    expect(c.global.entriesOf(C1)).toMatchObject([{ orig: 2, flags: 0 }]);
    expect(a.global.entriesOf(C1)).toMatchObject([{ orig: 2, flags: 0 }]);
    expect(a.originatorOf(C1, reachable)).toBe(2);
    expect(b.stats.roamAdvsSent).toBe(1);
    expect(a.stats.roamAdvsReceived).toBe(1);
  });

  it('a client that leaves again before anyone announced its new place is not sent back to where it was two roams ago', () => {
    const { tables, a, b, flood } = roamSetup(true);
    deliver(tables, b.clientAdded(C1, 0, 1500)[0]!, 1505);
    b.clientRemoved(C1);
    // B's copy of A's table still lists the client (A has not sent its OGM yet), but the
    // client's arrival at B made that entry stale: frames must wait for news, not bounce to A.
    expect(b.global.entriesOf(C1)).toMatchObject([{ orig: 1, flags: 0 }]);
    expect(b.originatorOf(C1, reachable)).toBeUndefined();
    // The next node's roaming advertisement is news: it counts.
    b.onMessage({ kind: 'roam-adv', ttl: 50, dst: 2, src: 3, mac: C1, vid: 0 }, 1510);
    expect(b.originatorOf(C1, reachable)).toBe(3);
    // A announcing the client anew (it came back there) counts as well.
    flood(1, 2000); // A's removal (it got B's advertisement), flagged ROAM
    a.clientAdded(C1, 0, 2100);
    flood(1, 3000);
    expect(b.global.entriesOf(C1).find((e) => e.orig === 1)).toMatchObject({ flags: 0 });
    expect(b.originatorOf(C1, (o) => (o === 3 ? 0 : 200))).toBe(1);
  });

  it('roam without advertisement: the old node knows nothing until the station model removes the client there and OGMs spread', () => {
    const { a, b, c, flood } = roamSetup(false);
    expect(b.clientAdded(C1, 0, 1500)).toEqual([]);
    // A still believes the client is its own: frames arriving there go to a station that left.
    expect(a.originatorOf(C1, reachable)).toBe(1);
    a.clientRemoved(C1);
    expect(a.originatorOf(C1, reachable)).toBeUndefined();
    const fromA = a.ownBlock(ROOM);
    expect(fromA.changes).toEqual([{ mac: C1, vid: 0, flags: TT_CLIENT_DEL }]);
    c.onOgmBlock(1, fromA, 2000);
    expect(c.originatorOf(C1, reachable)).toBeUndefined(); // a plain DEL: gone, no transit entry
    flood(2, 2100);
    expect(c.originatorOf(C1, reachable)).toBe(2);
    expect(a.originatorOf(C1, reachable)).toBe(2);
  });

  it('an advertised roam the new node never confirms (the client left it before its next OGM) expires', () => {
    const a = new TranslationTable({ self: 1, roamingAdvertisement: true, tempTimeoutMs: 3000 });
    const b = new TranslationTable({ self: 2, roamingAdvertisement: true });
    a.onOgmBlock(2, b.ownBlock(ROOM), 0);
    b.onOgmBlock(1, a.ownBlock(ROOM), 0);
    a.clientAdded(C1, 0, 0);
    b.onOgmBlock(1, a.ownBlock(ROOM), 1000);
    const adv = b.clientAdded(C1, 0, 1500);
    a.onMessage(adv[0]!, 1505);
    b.clientRemoved(C1); // gone again before B's next OGM: B never announces it
    expect(b.ownBlock(ROOM).changes).toEqual([]);
    expect(a.originatorOf(C1, reachable)).toBe(2);
    a.purge(4000);
    expect(a.originatorOf(C1, reachable)).toBe(2);
    a.purge(4506);
    expect(a.originatorOf(C1, reachable)).toBeUndefined();
  });

  it('the roaming advertisements for one client are rate-limited (5 per 20 s, as batman-adv)', () => {
    const { b } = roamSetup(true);
    let sent = 0;
    for (let i = 0; i < 8; i++) {
      sent += b.clientAdded(C1, 0, 1500 + i).length;
      b.clientRemoved(C1);
      b.ownBlock(ROOM);
    }
    expect(sent).toBe(5);
    expect(b.clientAdded(C1, 0, 30_000)).toHaveLength(1);
  });

  it('purge: a client silent for longer than the local timeout is removed and announced as such', () => {
    const a = new TranslationTable({ self: 1, localTimeoutMs: 10_000 });
    a.clientAdded(C1, 0, 0);
    a.clientAdded(C2, 0, 0);
    a.ownBlock(ROOM);
    a.clientSeen(C2, 8000);
    expect(a.purge(9000)).toEqual([]);
    expect(a.purge(10_001)).toEqual([C1]);
    expect(a.originatorOf(C1, reachable)).toBeUndefined();
    expect(a.ownBlock(ROOM).changes).toEqual([{ mac: C1, vid: 0, flags: TT_CLIENT_DEL }]);
    expect(a.purge(18_001)).toEqual([C2]);
  });

  it('an originator announcing a client through a dead route is not chosen; the reachable one is', () => {
    const tables = [1, 2, 3].map((n) => new TranslationTable({ self: n }));
    const [a, b, c] = tables as [TranslationTable, TranslationTable, TranslationTable];
    for (const [n, t] of [
      [1, a],
      [2, b],
    ] as const) {
      c.onOgmBlock(n, t.ownBlock(ROOM), 0);
      t.clientAdded(C1, 0, 0);
      c.onOgmBlock(n, t.ownBlock(ROOM), 1000);
    }
    expect(c.originatorOf(C1, (o) => (o === 1 ? 100 : 200))).toBe(2);
    expect(c.originatorOf(C1, (o) => (o === 2 ? 0 : 100))).toBe(1);
    c.originatorGone(1);
    expect(c.originatorOf(C1, (o) => (o === 2 ? 0 : 100))).toBeUndefined();
  });
});
