/**
 * CPU and memory of a process, read from Linux's /proc: CPU as the share of one core used
 * between two samples (utime + stime of /proc/PID/stat, in clock ticks), memory as the resident
 * set (VmRSS of /proc/PID/status) and its peak over the samples.
 *
 * @example
 * const u = new ProcUsage(child.pid!);
 * u.sample(); ... u.sample();
 * u.summary(); // { cpuPercent: 73.2, rssMb: 412, peakRssMb: 430 }
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Linux's USER_HZ: 100 on every architecture Node supports. */
const TICKS_PER_SECOND = 100;

interface Sample {
  atMs: number;
  cpuTicks: number;
  rssBytes: number;
  /** Time its threads were ready to run but waited for a CPU (schedstat), summed, in ns. */
  waitNs: number;
}

export interface UsageSummary {
  /** Mean CPU over the samples, percent of one core (200 = two cores busy). */
  cpuPercent: number;
  /** Resident memory at the last sample. */
  rssMb: number;
  peakRssMb: number;
  /**
   * Time its threads waited for a CPU while ready to run, percent of the wall time (summed over
   * threads). Near or above `cpuPercent`, the process was starved by the machine, not slow.
   */
  cpuWaitPercent: number;
}

/** Run-queue wait of all the process's threads: field 2 of /proc/PID/task/TID/schedstat. */
function waitNs(pid: number): number {
  let sum = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      sum += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1]);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return sum;
}

function read(pid: number): Sample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuTicks = Number(fields[11]) + Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    return { atMs: performance.now(), cpuTicks, rssBytes: rssKb * 1024, waitNs: waitNs(pid) };
  } catch {
    return undefined; // the process has gone
  }
}

export class ProcUsage {
  private first: Sample | undefined;
  private last: Sample | undefined;
  private peakRss = 0;

  constructor(readonly pid: number) {}

  sample(): void {
    const s = read(this.pid);
    if (!s) return;
    this.first ??= s;
    this.last = s;
    this.peakRss = Math.max(this.peakRss, s.rssBytes);
  }

  /** Starts the CPU window again (e.g. once every node is connected). */
  reset(): void {
    this.first = undefined;
    this.last = undefined;
    this.peakRss = 0;
    this.sample();
  }

  summary(): UsageSummary {
    const f = this.first;
    const l = this.last;
    const seconds = f && l ? (l.atMs - f.atMs) / 1000 : 0;
    const cpu =
      f && l && seconds > 0 ? ((l.cpuTicks - f.cpuTicks) / TICKS_PER_SECOND / seconds) * 100 : 0;
    const wait = f && l && seconds > 0 ? ((l.waitNs - f.waitNs) / 1e9 / seconds) * 100 : 0;
    return {
      cpuPercent: Math.round(cpu * 10) / 10,
      cpuWaitPercent: Math.round(wait * 10) / 10,
      rssMb: Math.round(((l?.rssBytes ?? 0) / 1048576) * 10) / 10,
      peakRssMb: Math.round((this.peakRss / 1048576) * 10) / 10,
    };
  }
}
