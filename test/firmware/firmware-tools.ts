/**
 * What the firmware tests share: where firmware/ is, whether a tool is installed (so a suite
 * can skip saying which one is missing), and the golden frames file both framings read.
 *
 * @example
 * const missing = missingTools(['gcc']);
 * describe.skipIf(missing.length > 0)('…', () => {});
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIRMWARE_DIR = fileURLToPath(new URL('../../firmware/', import.meta.url));
export const GOLDEN_FILE = `${FIRMWARE_DIR}test/framing-golden.txt`;

/** Whether `tool` runs from PATH. */
export function installed(tool: string): boolean {
  const r = spawnSync(tool, ['--version'], { stdio: 'ignore' });
  return r.error === undefined;
}

/** The tools of `tools` that are not on PATH, after warning once which suite they skip. */
export function missingTools(tools: string[], suite: string, install: string): string[] {
  const missing = tools.filter((t) => !installed(t));
  if (missing.length > 0) {
    console.warn(`${suite}: skipped, ${missing.join(', ')} not installed (${install})`);
  }
  return missing;
}

export type GoldenVector =
  | { kind: 'frame'; name: string; mtu: number; payload: Uint8Array; wire: Uint8Array }
  | { kind: 'reject'; name: string; mtu: number; reason: 'oversize' | 'corrupt'; wire: Uint8Array };

const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex === '-' ? '' : hex, 'hex'));

/** Parses the golden file (format described at its top and in firmware/test/framing_driver.c). */
export function readGoldenVectors(path = GOLDEN_FILE): GoldenVector[] {
  const vectors: GoldenVector[] = [];
  let mtu = 255;
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      const fields = line.trim().split(/\s+/);
      if (fields[0] === '' || fields[0]!.startsWith('#')) return;
      const where = `${path}:${i + 1}`;
      if (fields[0] === 'mtu' && fields.length === 2) {
        mtu = Number(fields[1]);
        return;
      }
      if (fields.length !== 4) throw new Error(`${where}: expected KIND NAME A B`);
      const [kind, name, a, b] = fields as [string, string, string, string];
      if (kind === 'frame') {
        vectors.push({ kind, name, mtu, payload: bytes(a), wire: bytes(b) });
      } else if (kind === 'reject' && (a === 'oversize' || a === 'corrupt')) {
        vectors.push({ kind, name, mtu, reason: a, wire: bytes(b) });
      } else {
        throw new Error(`${where}: unknown line '${line}'`);
      }
    });
  return vectors;
}
