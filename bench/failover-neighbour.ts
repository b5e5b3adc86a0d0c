/**
 * `neighbour_gateway`: a gateway dies silently (node crash: no goodbye, its OGMs just stop); how
 * long until each of its mesh clients' agents selects another gateway. Runs the demo mesh (24
 * nodes, 4 gateways, 2 % link loss, real routing engine and agents) in the simulator on virtual
 * time, killing each gateway in turn over many seeds. Merges `neighbour_gateway` into
 * bench/results/failover.json.
 *
 * @example
 * npx tsx bench/failover-neighbour.ts        # RUNS=40 by default
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { DemoWorld } from '../src/demo/demo-world.ts';
import { GATEWAY_STALE_MS } from '../src/demo/agent-app.ts';

const RUNS = Number(process.env.RUNS ?? 40);
const LIMIT_MS = 15_000;

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};

const perClient: number[] = [];
const perRun: number[] = [];
let unmoved = 0;
for (let run = 0; run < RUNS; run++) {
  const world = new DemoWorld({ nodes: 24, seed: 100 + run });
  // Desynchronise the death from the OGM phase: warm up 20 s plus a seed-dependent offset.
  await world.step(20_000 + ((run * 137) % 1000));
  const victim = world.gatewayNames[run % 4]!;
  const clients = world.nodeNames.filter((n) => world.report(n).gateway.selected === victim);
  const t0 = world.now();
  world.faults.apply({ action: 'kill-node', node: victim });
  const moved = new Map<string, number>();
  while (moved.size < clients.length && world.now() - t0 < LIMIT_MS) {
    await world.step(10);
    for (const c of clients) {
      if (moved.has(c)) continue;
      const sel = world.report(c).gateway.selected;
      if (sel !== null && sel !== victim) moved.set(c, world.now() - t0);
    }
  }
  unmoved += clients.length - moved.size;
  perClient.push(...moved.values());
  if (moved.size > 0) perRun.push(Math.max(...moved.values()));
  process.stdout.write(
    `run ${run + 1}/${RUNS}: ${victim} killed, ${moved.size}/${clients.length} clients moved, slowest ${moved.size ? Math.max(...moved.values()) : '-'} ms\n`,
  );
}

// The price of a short staleness window: gateway switches with no fault at all (lost OGMs).
const STEADY_SEEDS = 3;
let steadySwitches = 0;
for (let seed = 1; seed <= STEADY_SEEDS; seed++) {
  const world = new DemoWorld({ nodes: 24, seed });
  world.onEvent((e) => {
    if (e.kind === 'gateway-select' && e.at > 20_000) steadySwitches++;
  });
  await world.step(140_000, 20);
}

const result = {
  p50_ms: pct(perClient, 50),
  p95_ms: pct(perClient, 95),
  max_ms: Math.max(...perClient),
  clients: perClient.length,
  runs: RUNS,
  last_client_per_run: { p50_ms: pct(perRun, 50), p95_ms: pct(perRun, 95) },
  not_moved_within_15_s: unmoved,
  switches_without_fault: { count: steadySwitches, node_minutes: STEADY_SEEDS * 24 * 2 },
  setup:
    `demo mesh 24 nodes (4x6 grid, 2 % loss), 4 gateways; node-crash of one gateway; 1 s OGMs, ` +
    `gateway stale after ${GATEWAY_STALE_MS} ms without OGMs, candidates fed every 500 ms; virtual time`,
};
console.log(
  `neighbour_gateway: p50 ${result.p50_ms} ms, p95 ${result.p95_ms} ms, max ${result.max_ms} ms ` +
    `over ${result.clients} clients in ${RUNS} runs (target p95 <= 3000 ms); not moved: ${unmoved}; ` +
    `${steadySwitches} gateway switches without a fault in ${STEADY_SEEDS * 24 * 2} node-minutes`,
);
const file = new URL('./results/failover.json', import.meta.url);
const previous = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as object) : {};
writeFileSync(
  file,
  JSON.stringify(
    {
      ...previous,
      neighbour_gateway: {
        ...result,
        measured_at: new Date().toISOString(),
        machine: { cpus: cpus().length, node: process.version },
      },
    },
    null,
    2,
  ) + '\n',
);
