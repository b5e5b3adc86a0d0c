/**
 * `make -C firmware` builds the dongle's .hex for the ATmega328P with Debian's gcc-avr and
 * avr-libc, warnings as errors, and it fits: flash below the bootloader, RAM with room to spare
 * for the stack.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIRMWARE_DIR, missingTools } from './firmware-tools.ts';

const missing = missingTools(
  ['make', 'avr-gcc', 'avr-objcopy', 'avr-objdump', 'avr-size'],
  'test/firmware build',
  'apt-get install -y make gcc-avr binutils-avr avr-libc',
);

/** Flash below a 2 KiB bootloader (the old Nano one; Optiboot takes 512 bytes). */
const FLASH_LIMIT = 32 * 1024 - 2048;
/** Static RAM at most 1 KiB of the 2 KiB, leaving the rest for the stack. */
const RAM_LIMIT = 1024;

/** Checks every Intel HEX record's checksum; returns the data bytes it holds. */
function intelHexDataBytes(text: string): number {
  const lines = text.trim().split(/\r?\n/);
  let data = 0;
  for (const [i, line] of lines.entries()) {
    expect(line, `line ${i + 1}`).toMatch(/^:([0-9A-F]{2})+$/);
    const bytes = Buffer.from(line.slice(1), 'hex');
    const sum = bytes.reduce((a, b) => (a + b) & 0xff, 0);
    expect(sum, `checksum of line ${i + 1}`).toBe(0);
    if (bytes[3] === 0x00) data += bytes[0]!;
  }
  expect(lines.at(-1)).toBe(':00000001FF');
  return data;
}

describe.skipIf(missing.length > 0)('make -C firmware', () => {
  const build = mkdtempSync(join(tmpdir(), 'firmware-build-'));
  let sizeReport = '';

  beforeAll(() => {
    execFileSync('make', ['-C', FIRMWARE_DIR, `BUILD=${build}`, 'all'], { stdio: 'pipe' });
    sizeReport = execFileSync('avr-size', ['-A', join(build, 'intelli-mesh-dongle.elf')], {
      encoding: 'utf8',
    });
  }, 120_000);

  const section = (name: string) => {
    const m = new RegExp(`^\\${name}\\s+(\\d+)`, 'm').exec(sizeReport);
    return m ? Number(m[1]) : 0;
  };

  it('builds an AVR (avr5: ATmega328P class) ELF and a valid Intel HEX of the same code', () => {
    const objdump = execFileSync('avr-objdump', ['-f', join(build, 'intelli-mesh-dongle.elf')], {
      encoding: 'utf8',
    });
    expect(objdump).toMatch(/architecture: avr:5/);
    const hexBytes = intelHexDataBytes(
      readFileSync(join(build, 'intelli-mesh-dongle.hex'), 'ascii'),
    );
    expect(hexBytes).toBe(section('.text') + section('.data'));
    expect(hexBytes).toBeGreaterThan(1000); // drivers, framing and the bridge, not a stub
  });

  it(`fits: flash under ${FLASH_LIMIT} bytes, static RAM under ${RAM_LIMIT} bytes`, () => {
    const flash = section('.text') + section('.data');
    const ram = section('.data') + section('.bss') + section('.noinit');
    expect(flash).toBeLessThan(FLASH_LIMIT);
    expect(ram).toBeLessThan(RAM_LIMIT);
  });
});
