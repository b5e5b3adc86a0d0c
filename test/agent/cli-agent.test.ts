import { execFile } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = new URL('../../bin/intelli-mesh', import.meta.url).pathname;
const example = new URL('./fixtures/agent.yaml', import.meta.url).pathname;

describe('intelli-mesh agent', () => {
  it('--dry-run prints the first plan and the nftables ruleset without touching the host', async () => {
    const { stdout } = await run(bin, ['agent', example, '--dry-run']);
    expect(stdout).toContain('"node": "node-1"');
    expect(stdout).toContain('iifname { "br-lan" } goto rule_0 comment "default"');
    expect(stdout).toContain('meta mark set 0x100');
  }, 30_000);

  it('exits 1 with the file, field and reason of a bad config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'im-agent-'));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'node: n\nlanDevices: []\nwans: []\npolicy: {}\n');
    const err = await run(bin, ['agent', bad, '--dry-run']).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(err).toMatchObject({ code: 1 });
    expect((err as { stderr: string }).stderr).toMatch(/^error: .*bad\.yaml: lanDevices: /m);
  }, 30_000);
});
