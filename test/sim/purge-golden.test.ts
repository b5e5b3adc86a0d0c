import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { simulate } from './helpers.ts';

// The engine's purge, exercised hard: the chaos scenario with a purge timeout of a few seconds
// (the default is 200 s, which the 80 s golden trace never reaches), so the candidates and
// originators of crashed nodes and cut links are purged all the time: once with a 6 s timeout
// and the silence withdrawal on (3 s, the default: routes withdrawn first, purged later), once
// with 3 s and the withdrawal off (routes withdrawn by the purge of their next hop). The digests (of the trace, then every node's originator table at the end)
// were taken with the purge that scanned every originator and candidate each interval: main at
// e9dc7ae and the flat candidate table at cadf0b2 gave the same. The purge by expiry buckets
// must purge the same candidates and originators at the same instants, in the same order.
// Retaken for h16-tail's decision change (clearStaleTq: a neighbour whose copy shows it routes
// through us or through our next hop has its TQ ring cleared): the digests below are what
// h16-tail's own tree (eea0db8's engine, per-pair objects and the full-scan purge) gives, and
// the merged tree (flat table, purge by expiry buckets, same rule) gives the same.
// Retaken for h16-stable's decision change (a neighbour is declared lost only once an OGM it
// sends every interval is overdue) on main's purge (cfe0936): the same 24 routes withdrawn by
// the silence rule, and 24 by the purge, at other instants.
// Retaken for h16-boot's decision change (holdEarlyOgms: copies relayed before a link was
// confirmed give a first route once it is) on main's purge (8a8bf9a): still 24 routes withdrawn
// by the silence rule and 24 by the purge; with hold_early_ogms: false the digests above it
// (h16-stable's) come back unchanged.
const chaos = (routing: string): string =>
  `${readFileSync('scenarios/chaos-25.yaml', 'utf8').replace(
    'duration_s: 300',
    'duration_s: 90',
  )}\nrouting: { ${routing} }\n`;

function digest(yaml: string): {
  lines: number;
  sha256: string;
  withdrawn: number;
  purged: number;
} {
  const { sim, lines } = simulate(yaml);
  sim.run();
  const h = createHash('sha256');
  for (const l of lines) h.update(`${l}\n`);
  const now = sim.scheduler.now();
  for (const n of sim.nodes) {
    h.update(JSON.stringify(sim.router(n.name)?.engine.originatorsJson(now) ?? null));
  }
  return {
    lines: lines.length,
    sha256: h.digest('hex'),
    withdrawn: lines.filter((l) => l.includes('route withdrawn')).length,
    purged: lines.filter((l) => l.includes('ms of silence')).length,
  };
}

describe('purge by expiry buckets', () => {
  it('gives the trace and tables of the purge that scanned everything', () => {
    expect(digest(chaos('purge_timeout_ms: 6000'))).toEqual({
      lines: 16_861,
      sha256: '137622061d031f6f20639cb08473dbd80b12b7ec8026e4ec9acf51593f14ac39',
      withdrawn: 24,
      purged: 0,
    });
  });

  it('does so with the silence withdrawal off (routes withdrawn by the purge)', () => {
    expect(digest(chaos('purge_timeout_ms: 3000, originator_silence_ms: 0'))).toEqual({
      lines: 16_846,
      sha256: '1967f51fc0e8b5f57d5c85217249b4040bb032f7f1062a2bb87b8c9bd143b9a2',
      withdrawn: 0,
      purged: 24,
    });
  });
});
