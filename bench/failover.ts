/**
 * `npm run bench:failover`: writes bench/results/failover.json with
 * - local_wan: a node's primary WAN dies (carrier loss, and separately a silent blackhole) while
 *   a client behind it pings the internet every 10 ms; the time from the fault until the client's
 *   first reply (necessarily through the second WAN), over real kernel routing in network
 *   namespaces, with the agent's health and policy cores driving the Linux platform on
 *   RealScheduler with fast-mode probes. p50/p95/max over `runs` runs per fault.
 * - false_failovers_per_node_week: the same fast-mode tracker on virtual time against a healthy
 *   WAN behind a Gilbert-Elliott channel with 10 % mean loss, over whole simulated weeks, plus a
 *   sweep over mean burst lengths.
 *
 * Environment: RUNS (default 20) per fault, WEEKS (default 2) for the primary simulation.
 *
 * @example
 * npx tsx bench/failover.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import type { MeshEvent } from '../src/core/events.ts';
import { RealScheduler } from '../src/core/real-scheduler.ts';
import { NodeAgent } from '../src/agent/node-agent.ts';
import { parsePolicyConfig } from '../src/agent/policy/policy-config.ts';
import type { TrackerOptionsInput } from '../src/agent/health/tracker-options.ts';
import { LinuxPlatform } from '../src/platform/linux/linux-platform.ts';
import {
  INTERNET,
  labUnavailableReason,
  NetnsLab,
  PROBE_TARGETS,
} from '../test/platform/netns-lab.ts';
import { pingStream } from '../test/platform/ping-stream.ts';
import { meanLoss, type GilbertElliottParams } from './gilbert-elliott.ts';
import { percentile, round1 } from './percentile.ts';
import { simulateFalseFailovers } from './failover-sim.ts';

/**
 * Fast mode: one target, a cycle every 50 ms, offline after 12 failed cycles (600 ms); each probe
 * reads a 10 ms ICMP echo stream, so a cycle fails only when every echo in its window is lost.
 */
export const ECHO_INTERVAL_MS = 10;
export const FAST_MODE: TrackerOptionsInput = {
  targets: [PROBE_TARGETS[0]!],
  intervalMs: 50,
  timeoutMs: 50,
  down: 12,
  up: 10,
};

const RUNS = Number(process.env.RUNS ?? 20);
const WEEKS = Number(process.env.WEEKS ?? 2);

const channel = (meanBadMs: number): GilbertElliottParams => ({
  meanGoodMs: meanBadMs * 9,
  meanBadMs,
  lossGood: 0.01,
  lossBad: 0.9,
});

const round = round1;

async function measureLocalWan(kind: 'link_down' | 'blackhole', runs: number): Promise<number[]> {
  const lab = await NetnsLab.create();
  const events: MeshEvent[] = [];
  const waiters: { match: (e: MeshEvent) => boolean; resolve: () => void }[] = [];
  const next = (match: (e: MeshEvent) => boolean) =>
    new Promise<void>((resolve) => waiters.push({ match, resolve }));
  const agent = new NodeAgent({
    node: 'bench',
    scheduler: new RealScheduler(),
    platform: new LinuxPlatform({
      netns: lab.node,
      lanDevices: ['lan0'],
      icmpStreamIntervalMs: ECHO_INTERVAL_MS,
      wans: [
        { name: 'wan1', device: 'wan1', gateway: '10.91.0.1' },
        { name: 'wan2', device: 'wan2', gateway: '10.92.0.1' },
      ],
    }),
    policy: parsePolicyConfig({
      members: [
        { name: 'wan1_m1', wan: 'wan1', metric: 1 },
        { name: 'wan2_m2', wan: 'wan2', metric: 2 },
      ],
      policies: [{ name: 'failover', members: ['wan1_m1', 'wan2_m2'] }],
      rules: [{ name: 'default', srcZone: 'lan', policy: 'failover' }],
    }),
    zones: { lan: ['lan0'] },
    wans: ['wan1', 'wan2'].map((name) => ({ name, device: name, tracker: FAST_MODE })),
    onEvent: (e) => {
      events.push(e);
      for (const w of waiters.splice(0)) {
        if (w.match(e)) w.resolve();
        else waiters.push(w);
      }
    },
  });
  const wan1 = (to: string) => (e: MeshEvent) =>
    e.kind === 'wan-state' && e.subject === 'wan1' && e.to === to;
  const times: number[] = [];
  try {
    await agent.start();
    for (let run = 0; run < runs; run++) {
      // A fresh stream per run: a new ICMP id, so a new connection that follows today's plan.
      const stream = pingStream(lab.client, INTERNET);
      try {
        await stream.firstAfter(Date.now());
        const [before] = await lab.clientPackets();
        await stream.firstAfter(Date.now());
        if ((await lab.clientPackets())[0] === before)
          throw new Error(`run ${run}: client traffic is not on wan1 before the fault`);
        // Random phase against the probe cycle.
        await new Promise((r) => setTimeout(r, Math.random() * 100));
        const down = next(wan1('offline'));
        const [, isp2Before] = await lab.clientPackets();
        if (kind === 'link_down') await lab.linkDown(1);
        else await lab.blackhole(1);
        // The fault is in effect once the command returned; replies to echoes already in flight
        // then arrive within 2 ms (sub-millisecond round trips in these namespaces).
        const t0 = Date.now();
        const recovered = await stream.firstAfter(t0 + 2);
        times.push(recovered - t0);
        const [, isp2After] = await lab.clientPackets();
        if (isp2After <= isp2Before)
          throw new Error(`run ${run}: the client's replies did not come through wan2`);
        await down;
      } finally {
        stream.stop();
      }
      const up = next(wan1('online'));
      await lab.heal(1);
      await up;
      await agent.settled();
      process.stdout.write(`  ${kind} run ${run + 1}/${runs}: ${round(times.at(-1)!)} ms\n`);
    }
  } finally {
    await agent.stop();
    await lab.destroy();
  }
  return times;
}

async function main(): Promise<void> {
  const result: Record<string, unknown> = {
    measured_at: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      node: process.version,
      platform: `${os.type()} ${os.release()}`,
    },
    fast_mode: { ...FAST_MODE, icmp_echo_interval_ms: ECHO_INTERVAL_MS },
  };

  const unavailable = await labUnavailableReason();
  if (unavailable) {
    console.log(`local_wan: skipped (${unavailable})`);
    result.local_wan = { skipped: unavailable };
  } else {
    const local: Record<string, unknown> = {};
    for (const kind of ['link_down', 'blackhole'] as const) {
      console.log(`local_wan ${kind}: ${RUNS} runs`);
      const t = await measureLocalWan(kind, RUNS);
      local[kind] = {
        p50_ms: round(percentile(t, 50)),
        p95_ms: round(percentile(t, 95)),
        max_ms: round(Math.max(...t)),
        runs: t.length,
      };
      console.log(`local_wan ${kind}:`, local[kind]);
    }
    result.local_wan = local;
  }

  const primary = channel(50);
  console.log(
    `false failovers: ${WEEKS} node-week(s), mean loss ${round(meanLoss(primary) * 100)} %, mean burst 50 ms`,
  );
  const main = simulateFalseFailovers({
    tracker: FAST_MODE,
    channel: primary,
    weeks: WEEKS,
    seed: 1,
    echoIntervalMs: ECHO_INTERVAL_MS,
  });
  result.false_failovers_per_node_week = main.falseFailovers / main.weeks;
  const sweep = [20, 100].map((burst) => {
    const r = simulateFalseFailovers({
      tracker: FAST_MODE,
      channel: channel(burst),
      weeks: 1,
      seed: burst,
      echoIntervalMs: ECHO_INTERVAL_MS,
    });
    return {
      mean_burst_ms: burst,
      node_weeks: r.weeks,
      false_failovers: r.falseFailovers,
      probe_loss: round((r.probesLost / r.probesSent) * 1000) / 1000,
    };
  });
  result.false_failovers_detail = {
    channel: {
      model: 'Gilbert-Elliott, exponential sojourns',
      ...primary,
      mean_loss: round(meanLoss(primary) * 1000) / 1000,
    },
    node_weeks: main.weeks,
    false_failovers: main.falseFailovers,
    probes_sent: main.probesSent,
    probe_loss: round((main.probesLost / main.probesSent) * 1000) / 1000,
    sweep_mean_burst: sweep,
  };
  console.log(
    'false_failovers_per_node_week:',
    result.false_failovers_per_node_week,
    JSON.stringify(sweep),
  );

  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(
    new URL('./results/failover.json', import.meta.url),
    `${JSON.stringify(result, null, 2)}\n`,
  );
  console.log('wrote bench/results/failover.json');
}

await main();
