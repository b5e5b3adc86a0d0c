/**
 * Issue 12, finding 4: one malformed hash in the credentials file (`scrypt$1$1$1$aaaa$bbbb`) and
 * one wrong-password CONNECT ended the embedded broker's thread for good. Now the file is checked
 * whole when it is loaded: the controller refuses to start and names the file, the line and the
 * entry; and no login can throw inside the broker.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { CredentialFileError, CredentialStore } from '../../src/mqtt/credential-store.ts';
import { startEmbeddedBroker } from '../../src/mqtt/embedded-broker.ts';
import { hashPassword } from '../../src/mqtt/password-hash.ts';
import { passwordHashProblem } from '../../src/mqtt/password-hash-format.ts';
import { removeDir } from '../mqtt/mosquitto-process.ts';

const BIN = new URL('../../bin/intelli-mesh', import.meta.url).pathname;
const MALFORMED = 'scrypt$1$1$1$aaaa$bbbb';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A credentials file whose second user (line 5 to 7) has the hash `second`. */
function credentialsFile(second: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'im-badhash-'));
  cleanups.push(() => removeDir(dir));
  const file = join(dir, 'users.yaml');
  writeFileSync(
    file,
    [
      'users:',
      '  - username: node-1',
      '    role: node',
      `    password_hash: "${hashPassword('n1-pw')}"`,
      '  - username: node-2',
      '    role: node',
      `    password_hash: "${second}"`,
      '',
    ].join('\n'),
  );
  return file;
}

describe('a malformed password hash in the credentials file', () => {
  it('is refused at load, naming the file, the line and the entry', async () => {
    const file = credentialsFile(MALFORMED);
    expect(() => CredentialStore.fromFile(file)).toThrow(CredentialFileError);
    expect(() => CredentialStore.fromFile(file)).toThrow(
      `${file}:7: users[1].password_hash: scrypt N must be a power of two from 2 to 2^24, not 1`,
    );
  });

  it('is refused in a list handed over directly too (the broker thread gets its users so)', async () => {
    expect(() =>
      CredentialStore.fromUsers([{ username: 'node-2', role: 'node', password_hash: MALFORMED }]),
    ).toThrow(/users\[0\]\.password_hash: scrypt N must be a power of two/);
  });

  it.each([
    ['not scrypt', 'bcrypt$2$x', /not a scrypt\$N\$r\$p\$salt\$hash/],
    ['r of 0', `scrypt$16384$0$1$${'A'.repeat(24)}$${'A'.repeat(44)}`, /scrypt r must be/],
    ['N not a number', `scrypt$x$8$1$${'A'.repeat(24)}$${'A'.repeat(44)}`, /scrypt N must be/],
    ['salt not base64', `scrypt$16384$8$1$!!!!$${'A'.repeat(44)}`, /salt must be base64/],
    ['empty hash', `scrypt$16384$8$1$${'A'.repeat(24)}$`, /hash must be base64/],
  ])('names what is wrong: %s', (_name, hash, message) => {
    expect(passwordHashProblem(hash)).toMatch(message);
  });

  it('accepts what hashPassword makes', async () => {
    expect(passwordHashProblem(hashPassword('pw'))).toBeUndefined();
  });

  it('keeps the controller from starting, with the line at fault and no stack trace', async () => {
    const file = credentialsFile(MALFORMED);
    const child = spawn(
      BIN,
      ['controller', '--credentials', file, '--db', ':memory:', '--port', '0', '--mqtt-port', '0'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    cleanups.push(() => void (child.exitCode === null && child.kill('SIGKILL')));
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(out).toContain(`${file}:7: users[1].password_hash: scrypt N must be a power of two`);
    expect(out).not.toMatch(/^\s+at /m);
    expect(out).not.toMatch(/^controller for site/m);
  }, 30_000);

  it('cannot end the broker by a login, should a bad hash get past the load check', async () => {
    const store = CredentialStore.fromUsers([
      { username: 'node-1', role: 'node', password_hash: hashPassword('n1-pw') },
    ]);
    // Corrupt the stored hash after the check, as a bug elsewhere might.
    (store as unknown as { users: Map<string, { password_hash: string }> }).users.get(
      'node-1',
    )!.password_hash = MALFORMED;
    const broker = await startEmbeddedBroker({ credentials: store, port: 0 });
    cleanups.push(() => broker.close());
    const refused = await mqtt
      .connectAsync(broker.url, { username: 'node-1', password: 'wrong', reconnectPeriod: 0 })
      .then(
        (c) => c.endAsync().then(() => 'connected'),
        (err: Error) => err.message,
      );
    expect(refused).toMatch(/Bad username or password/i);
    // Still serving: another login is answered.
    const again = await mqtt
      .connectAsync(broker.url, { username: 'node-1', password: 'n1-pw', reconnectPeriod: 0 })
      .then(
        (c) => c.endAsync().then(() => 'connected'),
        (err: Error) => err.message,
      );
    expect(again).toMatch(/Bad username or password/i);
  });
});
