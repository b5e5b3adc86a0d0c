/**
 * Who used the machine's CPUs during a measurement, read from Linux's /proc: the bench's own
 * process tree (controllers, generators, a broker, a private PostgreSQL's backends) and
 * everything else. The bench runs on shared machines, so the figures carry what else ran beside
 * them: a load average alone says the machine was busy, not with what.
 *
 * @example
 * const before = snapshotProcesses();
 * ... measure ...
 * const share = machineShare(before, snapshotProcesses(), process.pid);
 * share.otherCpuPercent; // 140: other work took 1.4 cores
 * share.others; // 'bench/controller-ingest.ts 87%; tsc 35%'
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';

/** Linux's USER_HZ: 100 on every architecture Node supports. */
const TICKS_PER_SECOND = 100;

export interface ProcessEntry {
  ppid: number;
  /** utime + stime, in clock ticks. */
  ticks: number;
  /** Command name (`comm`). */
  comm: string;
  /** A short label from the command line: the script run, or the program and its first argument. */
  label: string;
}

export interface ProcessSnapshot {
  atMs: number;
  processes: Map<number, ProcessEntry>;
}

/** A short label for a command line (NUL-separated arguments). */
export function commandLabel(cmdline: string, comm: string): string {
  const args = cmdline.split('\0').filter((a) => a !== '');
  if (args.length === 0) return comm;
  // Node and its loaders: the script is what says which work it is.
  const script = args.findIndex(
    (a, i) => i > 0 && /\.(ts|js|mjs|cjs)$/.test(a) && !/node_modules/.test(a),
  );
  if (script > 0) return args.slice(script, script + 3).join(' ');
  // `node /…/bin/intelli-mesh controller`, `node /…/.bin/tsc --noEmit`: the program run by node.
  if (basename(args[0]!) === 'node' && args[1] && !args[1].startsWith('-'))
    return [basename(args[1]), ...args.slice(2, 3)].join(' ');
  return [basename(args[0]!), ...args.slice(1, 2)].join(' ');
}

/** Parses /proc/PID/stat: the command name may hold spaces and parentheses. */
export function parseStat(stat: string): { comm: string; ppid: number; ticks: number } {
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  return {
    comm: stat.slice(open + 1, close),
    ppid: Number(fields[1]),
    ticks: Number(fields[11]) + Number(fields[12]),
  };
}

export function snapshotProcesses(): ProcessSnapshot {
  const processes = new Map<number, ProcessEntry>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const { comm, ppid, ticks } = parseStat(readFileSync(`/proc/${name}/stat`, 'utf8'));
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      processes.set(Number(name), { ppid, ticks, comm, label: commandLabel(cmdline, comm) });
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return { atMs: performance.now(), processes };
}

/** `root` and every process below it in `snapshot`. */
export function processTree(snapshot: ProcessSnapshot, root: number): Set<number> {
  const tree = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, p] of snapshot.processes) {
      if (!tree.has(pid) && tree.has(p.ppid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  return tree;
}

export interface MachineShare {
  /** CPU of processes outside the bench's tree, percent of one core (200 = both cores). */
  otherCpuPercent: number;
  /** The busiest of them, `label NN%`, separated by `; `. */
  others: string;
  /** CPU of the bench's PostgreSQL backends (comm `postgres`), percent of one core. */
  databaseCpuPercent: number;
}

/**
 * CPU between two snapshots, split into the bench's tree (below `benchPid`) and the rest. Processes
 * started between the snapshots count from zero; those that ended are missing from `after` and not
 * counted (their last seconds are lost: a short job that came and went is under-reported).
 */
export function machineShare(
  before: ProcessSnapshot,
  after: ProcessSnapshot,
  benchPid: number,
  top = 6,
): MachineShare {
  const seconds = (after.atMs - before.atMs) / 1000;
  if (seconds <= 0) return { otherCpuPercent: 0, others: '', databaseCpuPercent: 0 };
  const ours = processTree(after, benchPid);
  const percent = (ticks: number) => (ticks / TICKS_PER_SECOND / seconds) * 100;
  const byLabel = new Map<string, number>();
  let other = 0;
  let database = 0;
  for (const [pid, p] of after.processes) {
    const was = before.processes.get(pid);
    // A pid reused by another program between the snapshots starts from zero.
    const used = p.ticks - (was && was.comm === p.comm ? was.ticks : 0);
    if (used <= 0) continue;
    if (ours.has(pid)) {
      if (p.comm === 'postgres') database += used;
      continue;
    }
    other += used;
    byLabel.set(p.label, (byLabel.get(p.label) ?? 0) + used);
  }
  const others = [...byLabel.entries()]
    .map(([label, ticks]) => [label, percent(ticks)] as const)
    .filter(([, pct]) => pct >= 1)
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([label, pct]) => `${label} ${Math.round(pct)}%`)
    .join('; ');
  const r = (x: number) => Math.round(x * 10) / 10;
  return {
    otherCpuPercent: r(percent(other)),
    others,
    databaseCpuPercent: r(percent(database)),
  };
}
