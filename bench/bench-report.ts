/**
 * Shared by the transport benches: prints a figure and writes all of them as JSON under
 * bench/results/, stamped with the date and the machine.
 *
 * @example
 * const report = new BenchReport('transport-memory');
 * report.add('line-100', { copiesPerSecond: 1.2e6 });
 * await report.write();
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, release } from 'node:os';
import { fileURLToPath } from 'node:url';

export class BenchReport {
  private readonly results: Record<string, Record<string, number | string>> = {};

  constructor(readonly name: string) {}

  add(scenario: string, figures: Record<string, number | string>): void {
    this.results[scenario] = figures;
    const shown = Object.entries(figures)
      .map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(4)) : v}`)
      .join(' ');
    console.log(`${this.name} ${scenario}: ${shown}`);
  }

  async write(): Promise<void> {
    const dir = fileURLToPath(new URL('./results/', import.meta.url));
    await mkdir(dir, { recursive: true });
    const body = {
      bench: this.name,
      date: new Date().toISOString(),
      machine: {
        cores: availableParallelism(),
        cpu: cpus()[0]?.model ?? 'unknown',
        node: process.version,
        kernel: release(),
      },
      results: this.results,
    };
    await writeFile(`${dir}${this.name}.json`, JSON.stringify(body, null, 2) + '\n');
  }
}
