/**
 * The real agent's cost at idle: `intelli-mesh agent --config` as a separate process acting in a
 * network namespace lab (two WANs, reachable), one ICMP probe per WAN every second, logged in to
 * an MQTT broker (metrics every 10 s, state every 30 s). After a warm-up, its resident memory and
 * CPU time are sampled from /proc/<pid> once a second. CPU is reported for the agent process
 * alone and with its finished children (the `ip netns exec … ping` it spawns per probe).
 *
 * Two probe modes: one `ping` process per probe (the default), and fast mode's long-running echo
 * stream per target (`icmpStreamIntervalMs: 1000`); then the default mode once more with the
 * agent compiled to JavaScript (`npm run build`, run with plain `node`), as a router would run it.
 *
 * Root (ip netns). `DURATION_S` (default 60) and `WARMUP_S` (default 10) per mode.
 *
 * @example
 * sudo npx tsx bench/agent-idle.ts
 * DURATION_S=20 npx tsx bench/agent-idle.ts
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CredentialStore } from '../src/mqtt/credential-store.ts';
import { startEmbeddedBroker } from '../src/mqtt/embedded-broker.ts';
import { hashPassword } from '../src/mqtt/password-hash.ts';
import { labUnavailableReason, NetnsLab, PROBE_TARGETS } from '../test/platform/netns-lab.ts';
import { BenchReport } from './bench-report.ts';
import { bundleAgent } from '../src/packaging/openwrt/bundle-agent.ts';
import { ROUTER_NODE_FLAGS } from '../src/config/render/agent-service.ts';

const DURATION_S = Number(process.env.DURATION_S ?? 60);
const WARMUP_S = Number(process.env.WARMUP_S ?? 10);
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
const bin = new URL('../bin/intelli-mesh', import.meta.url).pathname;

interface Sample {
  wallMs: number;
  rssBytes: number;
  /** The agent and every descendant alive at that moment (tsx's esbuild service, ping streams). */
  treeRssBytes: number;
  ownTicks: number;
  childTicks: number;
}

function rssOf(pid: number): number {
  try {
    return (
      Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024
    );
  } catch {
    return 0; // exited between listing and reading
  }
}

function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const list = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (list) children = children.concat(list.split(' ').map(Number));
    }
  } catch {
    return [];
  }
  return children.flatMap((c) => [c, ...descendants(c)]);
}

function sample(pid: number): Sample {
  // Fields after the command name (which may hold spaces) start at state, field 3.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(f[i]));
  return {
    wallMs: performance.now(),
    rssBytes: rssOf(pid),
    treeRssBytes: [pid, ...descendants(pid)].reduce((sum, p) => sum + rssOf(p), 0),
    ownTicks: utime! + stime!,
    childTicks: cutime! + cstime!,
  };
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

/** How the agent is started: from the sources through tsx (`bin/intelli-mesh`), or compiled. */
interface Runner {
  label: string;
  command: string;
  args: string[];
}

const fromSources: Runner = { label: '', command: bin, args: [] };

/** The OpenWrt package's single bundled file, run by plain `node` with the given V8 flags. */
async function bundled(): Promise<{ file: string; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'im-agent-bundle-'));
  const file = join(dir, 'agent.mjs');
  await bundleAgent({ outfile: file, version: 'bench' });
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Compiles the sources as `npm run build` does, into a scratch directory. */
function compiled(): { runner: Runner; cleanup: () => void } {
  const root = new URL('..', import.meta.url).pathname;
  // Inside the checkout, so the compiled files find node_modules.
  mkdirSync(join(root, 'build'), { recursive: true });
  const out = mkdtempSync(join(root, 'build', 'bench-'));
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', out], { cwd: root });
  return {
    runner: { label: ', compiled', command: process.execPath, args: [join(out, 'cli/main.js')] },
    cleanup: () => rmSync(out, { recursive: true, force: true }),
  };
}

async function measure(
  mode: 'ping-per-probe' | 'echo-stream',
  report: BenchReport,
  runner: Runner = fromSources,
) {
  const lab = await NetnsLab.create();
  const broker = await startEmbeddedBroker({
    port: 0,
    credentials: CredentialStore.fromUsers([
      { username: 'idle-node', role: 'node', password_hash: hashPassword('idle-pw') },
    ]),
  });
  const dir = mkdtempSync(join(tmpdir(), 'im-agent-idle-'));
  let child: ChildProcess | undefined;
  try {
    const track = { targets: [PROBE_TARGETS[0]], intervalMs: 1000, timeoutMs: 1000 };
    const cfg = {
      node: 'idle-node',
      lanDevices: ['lan0'],
      zones: { lan: ['lan0'] },
      ...(mode === 'echo-stream' ? { icmpStreamIntervalMs: 1000 } : {}),
      wans: [1, 2].map((n) => ({
        name: `wan${n}`,
        device: `wan${n}`,
        gateway: `10.9${n}.0.1`,
        bandwidthDownKbit: 50_000,
        bandwidthUpKbit: 10_000,
        track,
      })),
      policy: {
        members: [
          { name: 'm1', wan: 'wan1', metric: 1 },
          { name: 'm2', wan: 'wan2', metric: 2 },
        ],
        policies: [{ name: 'failover', members: ['m1', 'm2'] }],
        rules: [{ name: 'default', srcZone: 'lan', policy: 'failover' }],
      },
      mqtt: { url: broker.url, site: 'bench', password: 'idle-pw' },
    };
    const file = join(dir, 'agent.yaml');
    writeFileSync(file, JSON.stringify(cfg));
    const agent = spawn(
      runner.command,
      [...runner.args, 'agent', '--config', file, '--netns', lab.node],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child = agent;
    let events = 0;
    createInterface({ input: agent.stdout }).on('line', () => events++);
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: agent.stderr }).on('line', (l) => {
        if (l.includes('reporting to the broker')) resolve();
      });
      agent.once('exit', (code) => reject(new Error(`agent exited with ${code}`)));
    });
    await new Promise((r) => setTimeout(r, WARMUP_S * 1000));
    const samples: Sample[] = [sample(agent.pid!)];
    for (let i = 0; i < DURATION_S; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      samples.push(sample(agent.pid!));
    }
    const first = samples[0]!;
    const last = samples.at(-1)!;
    const wallS = (last.wallMs - first.wallMs) / 1000;
    const perSecond = samples
      .slice(1)
      .map(
        (s, i) =>
          ((s.ownTicks - samples[i]!.ownTicks) /
            CLK_TCK /
            ((s.wallMs - samples[i]!.wallMs) / 1000)) *
          100,
      );
    const rss = samples.map((s) => s.rssBytes / 2 ** 20);
    const tree = samples.map((s) => s.treeRssBytes / 2 ** 20);
    report.add(`${mode}${runner.label}`, {
      seconds: Math.round(wallS),
      rss_mib_p50: quantile(rss, 0.5),
      rss_mib_max: Math.max(...rss),
      rss_mib_growth: rss.at(-1)! - rss[0]!,
      tree_rss_mib_p50: quantile(tree, 0.5),
      cpu_percent_mean: ((last.ownTicks - first.ownTicks) / CLK_TCK / wallS) * 100,
      cpu_percent_p95_1s: quantile(perSecond, 0.95),
      cpu_percent_with_children:
        ((last.ownTicks + last.childTicks - first.ownTicks - first.childTicks) / CLK_TCK / wallS) *
        100,
      decisions_printed: events,
    });
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await broker.close();
    await lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

const skip = await labUnavailableReason();
if (skip) {
  console.error(`agent-idle needs the namespace lab: ${skip}`);
  process.exit(1);
}
const report = new BenchReport('agent-idle');
// MODES picks some of: sources, stream, compiled, bundle, bundle-semi, bundle-lite, bundle-jitless,
// bundle-router
const modes = new Set(
  (
    process.env.MODES ??
    'sources,stream,compiled,bundle,bundle-semi,bundle-lite,bundle-jitless,bundle-router'
  ).split(','),
);
if (modes.has('sources')) await measure('ping-per-probe', report);
if (modes.has('stream')) await measure('echo-stream', report);
if (modes.has('compiled')) {
  const build = compiled();
  try {
    await measure('ping-per-probe', report, build.runner);
  } finally {
    build.cleanup();
  }
}
const bundle = await bundled();
try {
  const variants: [string, string, string[]][] = [
    ['bundle', ', bundle', []],
    ['bundle-semi', ', bundle + --max-semi-space-size=1', ['--max-semi-space-size=1']],
    ['bundle-lite', ', bundle + --lite-mode', ['--lite-mode']],
    ['bundle-jitless', ', bundle + --jitless', ['--jitless']],
    // What /etc/init.d/intelli-mesh starts it with.
    ['bundle-router', ', bundle + router flags', ROUTER_NODE_FLAGS],
  ];
  for (const [mode, label, flags] of variants) {
    if (!modes.has(mode)) continue;
    await measure('ping-per-probe', report, {
      label,
      command: process.execPath,
      args: [...flags, bundle.file],
    });
  }
} finally {
  bundle.cleanup();
}
await report.write();
