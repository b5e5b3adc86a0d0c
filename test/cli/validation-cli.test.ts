/**
 * Bad input on the command line, as an operator meets it: a real `intelli-mesh` process through
 * bin/intelli-mesh on real files. Every mistake gets a one-line `error:` (no stack), a non-zero
 * exit, and every problem of a file is listed in one run, unknown keys with the key likely meant.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/intelli-mesh', import.meta.url));
const examples = fileURLToPath(new URL('../../examples/', import.meta.url));
const run = promisify(execFile);

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(bin, args, { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'validation-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const noStack = (text: string) => expect(text).not.toMatch(/^\s+at /m);

describe('the CLI on bad input', () => {
  it('sim run on a missing file says so in one line and fails', async () => {
    const r = await cli('sim', 'run', 'missing.yaml');
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe("error: cannot read 'missing.yaml': no such file or directory");
    noStack(r.stderr);
  }, 60_000);

  it('sim run lists every error of a scenario in one run', async () => {
    writeFileSync(
      join(dir, 'bad.yaml'),
      'duration_s: -1\ntopology: { kind: line, nodes: 3 }\nlink: { loss: 2, latncy_ms: 5 }\n',
    );
    const r = await cli('sim', 'run', 'bad.yaml', '--out', join(dir, 'out'));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('error: bad.yaml: 3 errors:');
    expect(r.stderr).toContain('duration_s: must be greater than 0');
    expect(r.stderr).toContain('link.loss: must be at most 1');
    expect(r.stderr).toContain("link.latncy_ms: unknown key (did you mean 'latency_ms'?)");
    noStack(r.stderr);
  }, 60_000);

  it('agent lists every error of its config file in one run', async () => {
    const text = readFileSync(join(examples, 'agent.yaml'), 'utf8')
      .replace('holdDownMs: 30000', 'holdDownMs: -5\nlanDevicez: [x]')
      .replace('down: 12', 'down: 0');
    writeFileSync(join(dir, 'agent.yaml'), text);
    const r = await cli('agent', '--config', 'agent.yaml', '--dry-run');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('error: agent.yaml: 3 errors:');
    expect(r.stderr).toContain('holdDownMs: must be at least 0');
    expect(r.stderr).toContain("lanDevicez: unknown key (did you mean 'lanDevices'?)");
    expect(r.stderr).toContain('wans[0].track.down: must be greater than 0');
    noStack(r.stderr);
  }, 60_000);

  it('config validate flags a misspelled key and words a missing ssid plainly', async () => {
    const site = readFileSync(join(examples, 'site.yaml'), 'utf8');
    writeFileSync(
      join(dir, 'typo.yaml'),
      site.replace('ssid: Riverside Staff', 'ssidd: Riverside Staff'),
    );
    const r = await cli('config', 'validate', 'typo.yaml');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^typo\.yaml:\d+:\d+: ssids\[0\]\.ssid: required$/m);
    expect(r.stderr).toMatch(
      /^typo\.yaml:\d+:\d+: ssids\[0\]\.ssidd: unknown key \(did you mean 'ssid'\?\)$/m,
    );
    expect(r.stderr).not.toContain('invalid-type');
    expect(r.stderr).toContain('typo.yaml: 2 error(s)');
  }, 60_000);
});
