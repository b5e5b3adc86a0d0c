/**
 * What a bench result must say about the run on a shared machine: the commit measured and the
 * load around it (os.loadavg: 1, 5 and 15 minute averages), since CPU time per unit of work
 * still grows with the load (caches and memory bandwidth are shared too).
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';

export function commitMeasured(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    // Only code counts: the results and docs a run rewrites do not change what it measured.
    const dirty = execFileSync(
      'git',
      ['status', '--porcelain', '--untracked-files=no', '--', 'src', 'bench', ':!bench/results'],
      { encoding: 'utf8' },
    ).trim();
    return dirty === '' ? head : `${head}+changes`;
  } catch {
    return 'unknown';
  }
}

export const loadNow = (): number[] => loadavg().map((x) => Math.round(x * 10) / 10);
