/**
 * The controller's alert and notification flags, as a user mistypes them: one `error:` line that
 * names the flag, exit status 1, no stack trace, and nothing started (no database file).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = new URL('../../bin/intelli-mesh', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'im-notify-flags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(...flags: string[]) {
  const db = join(dir, `${flags.join('_').replace(/\W/g, '')}.db`);
  const r = spawnSync(
    BIN,
    ['controller', '--port', '0', '--mqtt-port', '0', '--db', db, ...flags],
    {
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  return { status: r.status, out: `${r.stdout}${r.stderr}`, db };
}

describe('intelli-mesh controller: alert and notification flags', () => {
  it.each([
    [['--notify-email', 'ops@example.org'], /^error: --notify-email needs --smtp-url/m],
    [
      ['--smtp-url', 'smtp://127.0.0.1:25'],
      /^error: --smtp-url needs at least one --notify-email/m,
    ],
    [
      ['--notify-webhook', 'ftp://x'],
      /^error: --notify-webhook: 'ftp:\/\/x' is not an http\(s\) URL/m,
    ],
    [['--link-loss-open', '2'], /'--link-loss-open <fraction>' argument '2' is invalid/],
    [
      ['--link-loss-open', '0.1', '--link-loss-close', '0.2'],
      /^error: alert rule option link loss: need 0 <= lossClose \(0\.2\) <= lossOpen \(0\.1\)/m,
    ],
    [['--notify-group-wait', 'soon'], /'soon' is not a number of seconds/],
  ])(
    'refuses %j',
    (flags, message) => {
      const r = run(...flags);
      expect(r.status).toBe(1);
      expect(r.out).toMatch(message);
      expect(r.out).not.toMatch(/^\s+at /m);
      expect(existsSync(r.db)).toBe(false);
    },
    60_000,
  );

  it('lists the flags in --help', () => {
    const r = spawnSync(BIN, ['controller', '--help'], { encoding: 'utf8' });
    for (const flag of [
      '--notify-webhook',
      '--smtp-url',
      '--notify-email',
      '--link-loss-open',
      '--flap-changes',
    ])
      expect(r.stdout).toContain(flag);
  }, 60_000);

  it('intelli-mesh start takes the same notification flags and refuses the same mistakes', () => {
    const r = spawnSync(BIN, ['start', '--port', '0', '--notify-email', 'ops@example.org'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(`${r.stdout}${r.stderr}`).toMatch(/^error: --notify-email needs --smtp-url/m);
  }, 60_000);
});
