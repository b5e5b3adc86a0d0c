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
      lines: 16_954,
      sha256: '75e6d0cb0c525862cc6478ee54cc5cdb6c321c13a95ac52c2db258f68775466d',
      withdrawn: 24,
      purged: 0,
    });
  });

  it('does so with the silence withdrawal off (routes withdrawn by the purge)', () => {
    expect(digest(chaos('purge_timeout_ms: 3000, originator_silence_ms: 0'))).toEqual({
      lines: 16_954,
      sha256: '7a88dc55a885410c5c0dac8a221a5addf1ac09fbfd8052535b840f70b34aa597',
      withdrawn: 0,
      purged: 24,
    });
  });
});
