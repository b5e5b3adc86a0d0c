import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/core/random.ts';
import {
  DEFAULT_TIMINGS,
  sampleAssociation,
  type AssocRequest,
} from '../../../src/sim/stations/index.ts';

function draws(req: AssocRequest, n = 4000): number[] {
  const rng = seededRandom(3);
  return Array.from({ length: n }, () => sampleAssociation(req, rng).phases.total_ms).sort(
    (a, b) => a - b,
  );
}
const pct = (xs: number[], p: number): number => xs[Math.ceil((p / 100) * xs.length) - 1]!;

describe('association timing model (bounds from the cited measurements)', () => {
  const t = DEFAULT_TIMINGS;

  it('a full PSK (re)association costs probe + open auth + assoc + 4-way, within their bounds', () => {
    const xs = draws({ auth: 'psk', ft: false, roam: true, pmkCached: false });
    expect(xs[0]).toBeGreaterThanOrEqual(
      t.probe.min + t.openAuth.min + t.assoc.min + t.fourWay.min,
    );
    expect(xs.at(-1)).toBeLessThanOrEqual(
      t.probe.max + t.openAuth.max + t.assoc.max + t.fourWay.max,
    );
    // The probe dominates (Mishra et al.: > 90 % of the MAC handoff without keys).
    const rng = seededRandom(9);
    const c = sampleAssociation({ auth: 'open', ft: false, roam: true, pmkCached: false }, rng);
    expect(c.phases.probe_ms / c.phases.total_ms).toBeGreaterThan(0.8);
  });

  it('802.1X with full EAP-TLS is 150–350 ms of keys, with a tail to 800 ms', () => {
    const rng = seededRandom(4);
    const keys = Array.from(
      { length: 4000 },
      () =>
        sampleAssociation({ auth: '8021x', ft: false, roam: false, pmkCached: false }, rng).phases
          .key_ms,
    );
    expect(Math.min(...keys)).toBeGreaterThanOrEqual(150);
    expect(Math.max(...keys)).toBeLessThanOrEqual(800);
    const tail = keys.filter((k) => k > 350).length / keys.length;
    expect(tail).toBeGreaterThan(0.02);
    expect(tail).toBeLessThan(0.09);
  });

  it('a cached PMKSA skips EAP: 40–70 ms of keys', () => {
    const rng = seededRandom(5);
    for (let i = 0; i < 1000; i++) {
      const c = sampleAssociation({ auth: '8021x', ft: false, roam: true, pmkCached: true }, rng);
      expect(c.phases.key_ms).toBeGreaterThanOrEqual(40);
      expect(c.phases.key_ms).toBeLessThanOrEqual(70);
    }
  });

  it('FT roams skip the scan and the key handshake; over the DS is shortest', () => {
    const air = draws({ auth: '8021x', ft: 'over-air', roam: true, pmkCached: false });
    const ds = draws({ auth: 'psk', ft: 'over-ds', roam: true, pmkCached: false });
    expect(air[0]).toBeGreaterThanOrEqual(15);
    expect(air.at(-1)).toBeLessThanOrEqual(55);
    expect(ds.at(-1)).toBeLessThanOrEqual(34); // Olsen 2016: the whole over-DS exchange, 34 ms
    expect(pct(air, 95)).toBeLessThanOrEqual(50); // the goal at the radio
    expect(pct(ds, 50)).toBeLessThan(pct(air, 50));
    const rng = seededRandom(6);
    const c = sampleAssociation({ auth: 'psk', ft: 'over-air', roam: true, pmkCached: false }, rng);
    expect(c.method).toBe('ft-over-air');
    expect(c.phases.probe_ms).toBe(0);
  });

  it('FT does not apply to the first association', () => {
    const c = sampleAssociation(
      { auth: 'psk', ft: 'over-air', roam: false, pmkCached: false },
      seededRandom(1),
    );
    expect(c.method).toBe('psk');
    expect(c.phases.probe_ms).toBeGreaterThan(0);
  });
});
