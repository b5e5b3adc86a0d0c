import { describe, expect, it } from 'vitest';
import { RoamLog } from '../../src/sim/roam-log.ts';

const M = '02:00:00:00:00:01';
const phases = { probe_ms: 0, auth_ms: 15, assoc_ms: 15, key_ms: 0, total_ms: 30 };

/** A 100 pps flow (seq i sent at 10·i ms, delivered 5 ms later unless listed as lost). */
function scenario(lostRadio: number[], lostMesh: number[], late: number[] = []): RoamLog {
  const log = new RoamLog();
  log.addClient(M);
  log.event({
    kind: 'associated',
    at: 0,
    mac: M,
    ap: 'n1',
    ssid: 'mesh',
    signal_dbm: -50,
    method: 'psk',
    duration_ms: 100,
    phases,
  });
  log.event({
    kind: 'roam-started',
    at: 1000,
    mac: M,
    from: 'n1',
    to: 'n2',
    method: 'ft-over-air',
    reason: 'better',
  });
  log.event({
    kind: 'roamed',
    at: 1030,
    mac: M,
    from: 'n1',
    to: 'n2',
    method: 'ft-over-air',
    gap_ms: 30,
    signal_dbm: -55,
    phases,
  });
  for (let i = 0; i < 200; i++) {
    log.sent(M, 0, i, i * 10);
    if (lostRadio.includes(i)) log.lostAtRadio(0, i);
  }
  // Deliveries are recorded in time order, as the simulator does.
  const deliveries: Array<[number, number]> = [];
  for (let i = 0; i < 200; i++) {
    if (lostRadio.includes(i) || lostMesh.includes(i)) continue;
    deliveries.push([i * 10 + 5 + (late.includes(i) ? 40 : 0), i]);
  }
  deliveries.sort((a, b) => a[0] - b[0]);
  for (const [at, i] of deliveries) log.delivered(M, at < 1000 ? 'n1' : 'n2', 0, i, at);
  return log;
}

describe('RoamLog', () => {
  it('measures the gap at the station and splits the frames lost into radio and mesh', () => {
    // Seqs 100..102 reach n1 while the station is deaf; 103 is lost in the mesh.
    const s = scenario([100, 101, 102], [103]).summary();
    expect(s.roams).toBe(1);
    const r = s.per_roam[0]!;
    expect(r.radio_gap_ms).toBe(30);
    expect(r.data_gap_ms).toBe(1045 - 995); // last from n1 (seq 99) to first from n2 (seq 104)
    expect(r).toMatchObject({ frames_lost: 4, frames_lost_radio: 3, frames_lost_mesh: 1 });
    expect(s.gap_ms).toEqual({ p50: 50, p95: 50, max: 50 });
    expect(s.by_method['ft-over-air']?.roams).toBe(1);
    expect(s.associations).toBe(1);
  });

  it('a frame delivered late (forwarded) is not counted as lost', () => {
    const s = scenario([100, 101, 102], [], [103]).summary();
    expect(s.per_roam[0]).toMatchObject({ frames_lost: 3, frames_lost_mesh: 0 });
  });

  it('without traffic around the roam the gap is the radio gap', () => {
    const log = new RoamLog();
    log.event({
      kind: 'roam-started',
      at: 10,
      mac: M,
      from: 'n1',
      to: 'n2',
      method: 'psk',
      reason: 'weak',
    });
    log.event({
      kind: 'roamed',
      at: 200,
      mac: M,
      from: 'n1',
      to: 'n2',
      method: 'psk',
      gap_ms: 190,
      signal_dbm: -60,
      phases,
    });
    expect(log.summary().per_roam[0]).toMatchObject({
      data_gap_ms: null,
      gap_ms: 190,
      frames_lost: 0,
    });
  });
});
