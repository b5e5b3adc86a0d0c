/**
 * Builds the firmware and the simavr harness (firmware/sim/dongle_sim.c) and runs simulated
 * dongles: one board per ELF, their radios on one simulated air, each UART on a pty.
 *
 * @example
 * const elf = buildFirmware(dir);
 * const sim = await startDongleSim(dir, [elf, elf]);
 * const medium = await openSerialMedium({ path: sim.ptyPath(0), mtu: 32 });
 * await sim.close();
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type RunningProcess, startProcess } from '../meshlink/cli-process.ts';
import { FIRMWARE_DIR, installed } from './firmware-tools.ts';

/** Why the simavr suites cannot run here, or undefined when they can. */
export function simavrSkipReason(): string | undefined {
  const missing = ['make', 'avr-gcc', 'cc'].filter((tool) => !installed(tool));
  // The harness links libsimavr: its headers come with libsimavr-dev, not with simavr itself.
  if (!existsSync('/usr/include/simavr/sim_avr.h')) missing.push('libsimavr-dev');
  if (missing.length === 0) return undefined;
  const reason = `${missing.join(', ')} missing (apt-get install -y make gcc gcc-avr avr-libc libsimavr-dev)`;
  console.warn(`test/firmware simavr end to end: skipped, ${reason}`);
  return reason;
}

/** Builds the firmware ELF (with extra make variables, e.g. RADIO_CHANNEL=77) into `build`. */
export function buildFirmware(build: string, variables: string[] = []): string {
  const elf = join(build, 'intelli-mesh-dongle.elf');
  execFileSync('make', ['-C', FIRMWARE_DIR, `BUILD=${build}`, ...variables, elf], {
    stdio: 'pipe',
  });
  return elf;
}

export interface DongleSim {
  process: RunningProcess;
  ptyPath(index: number): string;
  /** Packets the radios put on air: `air FROM>RECEIVER_MASK LENGTH HEX`. */
  airLines(): string[];
  /** The `listening I ch=… rate=…` line of each radio, by index. */
  listening(): string[];
  close(): Promise<void>;
}

export async function startDongleSim(build: string, elfs: string[]): Promise<DongleSim> {
  execFileSync('make', ['-C', FIRMWARE_DIR, `BUILD=${build}`, join(build, 'dongle-sim')], {
    stdio: 'pipe',
  });
  const process = startProcess(join(build, 'dongle-sim'), elfs);
  const listening = () =>
    elfs.map((_, i) => new RegExp(`^listening ${i} .*$`, 'm').exec(process.output())?.[0] ?? '');
  // Every firmware booted (its 100 ms power-on delay, the radio set up) and is listening.
  for (let i = 0; i < elfs.length; i++) {
    await process.waitFor(new RegExp(`^listening ${i} `, 'm'), 30_000);
  }
  return {
    process,
    ptyPath: (i) => new RegExp(`^pty ${i} (\\S+)$`, 'm').exec(process.output())![1]!,
    airLines: () => process.output().match(/^air .*$/gm) ?? [],
    listening,
    async close() {
      if (process.child.exitCode === null) {
        process.child.kill('SIGTERM');
        await process.exited;
      }
    },
  };
}
