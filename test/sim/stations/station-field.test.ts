import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/core/random.ts';
import { StationError, StationField, type StationEvent } from '../../../src/sim/stations/index.ts';

const aps = [0, 1, 2, 3, 4].map((i) => ({ node: `n${i}`, x: i * 30, y: 0, ssids: ['mesh'] }));
const walker = {
  mac: '02:00:00:00:00:01',
  ssid: 'mesh',
  auth: 'psk' as const,
  ft: 'over-air' as const,
  movement: {
    kind: 'path' as const,
    waypoints: [
      { x: 0, y: 5 },
      { x: 120, y: 5 },
    ],
    speedMps: 1.5,
  },
};

function run(seed: number, until = 90_000): { field: StationField; events: StationEvent[] } {
  const field = new StationField({ aps, random: seededRandom(seed) });
  field.addStation(walker);
  const events: StationEvent[] = [];
  // Wake exactly at each deadline, as the simulator does.
  while (field.nextDeadline() <= until) events.push(...field.advance(field.nextDeadline()));
  return { field, events };
}

describe('StationField', () => {
  it('a walker along a row of APs joins the first and roams along the row with FT', () => {
    const { events, field } = run(1);
    const assoc = events.filter((e) => e.kind === 'associated');
    expect(assoc).toHaveLength(1);
    expect(assoc[0]).toMatchObject({ ap: 'n0', method: 'psk' });
    // The AP lists it with the method of its association: the first one cannot be FT.
    const first = new StationField({ aps, random: seededRandom(1) });
    first.addStation(walker);
    while (first.apOf(walker.mac) === undefined) first.advance(first.nextDeadline());
    expect(first.stationsAt('n0')).toMatchObject([{ mac: walker.mac, method: 'psk' }]);
    const roams = events.filter((e) => e.kind === 'roamed');
    expect(roams.length).toBeGreaterThanOrEqual(4);
    for (const r of roams) {
      expect(r.method).toBe('ft-over-air');
      expect(r.gap_ms).toBeGreaterThanOrEqual(15);
      expect(r.gap_ms).toBeLessThanOrEqual(55);
    }
    // It ends at the last AP, having visited every AP of the row on the way.
    expect(field.apOf(walker.mac)).toBe('n4');
    const visited = new Set(roams.map((r) => (r.kind === 'roamed' ? r.to : '')));
    for (const n of ['n1', 'n2', 'n3', 'n4']) expect(visited.has(n)).toBe(true);
  });

  it('each roam starts (station deaf) and ends exactly gap_ms later', () => {
    const field = new StationField({ aps, random: seededRandom(2) });
    field.addStation(walker);
    let started: Extract<StationEvent, { kind: 'roam-started' }> | undefined;
    let checked = 0;
    while (field.nextDeadline() <= 90_000) {
      for (const e of field.advance(field.nextDeadline())) {
        if (e.kind === 'roam-started') {
          started = e;
          expect(field.receiving(walker.mac, e.from)).toBe(false);
          expect(field.receiving(walker.mac, e.to)).toBe(false);
          expect(field.stationsAt(e.from)).toEqual([]);
        }
        if (e.kind === 'roamed') {
          expect(started?.to).toBe(e.to);
          expect(e.at - started!.at).toBeCloseTo(e.gap_ms, 6);
          expect(field.receiving(walker.mac, e.to)).toBe(true);
          expect(field.stationsAt(e.to)).toMatchObject([
            { mac: walker.mac, since: e.at, method: 'ft-over-air' },
          ]);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(4);
  });

  it('replays for the same seed and differs for another', () => {
    expect(run(5).events).toEqual(run(5).events);
    expect(run(5).events).not.toEqual(run(6).events);
  });

  it('without FT a roam pays the scan and the 4-way handshake', () => {
    const field = new StationField({ aps, random: seededRandom(1) });
    field.addStation({ ...walker, ft: false });
    const roams: StationEvent[] = [];
    while (field.nextDeadline() <= 90_000)
      roams.push(...field.advance(field.nextDeadline()).filter((e) => e.kind === 'roamed'));
    expect(roams.length).toBeGreaterThanOrEqual(4);
    for (const r of roams) {
      expect(r.kind === 'roamed' && r.method).toBe('psk');
      expect(r.kind === 'roamed' && r.gap_ms).toBeGreaterThanOrEqual(40 + 1 + 1 + 40);
    }
  });

  it('a station whose AP goes down roams to the next one at once', () => {
    const field = new StationField({
      aps,
      random: seededRandom(1),
      channel: { shadowingSigmaDb: 0 },
    });
    field.addStation({ ...walker, movement: { kind: 'static', at: { x: 10, y: 0 } } });
    field.advance(5000);
    expect(field.apOf(walker.mac)).toBe('n0');
    field.setApUp('n0', false);
    const events = field.advance(10_000);
    expect(events.map((e) => e.kind)).toEqual(['roam-started', 'roamed']);
    expect(events[0]).toMatchObject({ from: 'n0', to: 'n1', reason: 'weak' });
    expect(field.apOf(walker.mac)).toBe('n1');
  });

  it('a static station far from every AP never associates', () => {
    const field = new StationField({
      aps,
      random: seededRandom(1),
      channel: { shadowingSigmaDb: 0 },
    });
    field.addStation({ ...walker, movement: { kind: 'static', at: { x: 60, y: 2000 } } });
    expect(field.advance(30_000)).toEqual([]);
  });

  it('refuses a malformed MAC, a duplicate and an SSID no AP serves', () => {
    const field = new StationField({ aps, random: seededRandom(1) });
    expect(() => field.addStation({ ...walker, mac: '02:00:00:00:00:0G' })).toThrow(StationError);
    field.addStation(walker);
    expect(() => field.addStation(walker)).toThrow(/already/);
    expect(() => field.addStation({ ...walker, mac: '02:00:00:00:00:02', ssid: 'guest' })).toThrow(
      /SSID 'guest'/,
    );
  });
});
