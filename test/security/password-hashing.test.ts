/**
 * Issue 12, finding 6: dashboard logins hashed with scrypt N=16384 synchronously, blocking the
 * event loop for the whole hash (~60 ms each); Mosquitto `$7$` hashes used 101 PBKDF2
 * iterations. Now: OWASP parameters (scrypt N=2^15, r=8, p=3; PBKDF2-SHA512 210,000), hashing on
 * the thread pool, old hashes still verify and are replaced on login, and a real Mosquitto
 * accepts the stronger hashes.
 */
import { randomBytes, scryptSync } from 'node:crypto';
import type * as NodeCrypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { USER_SCRYPT, hashUserPassword } from '../../src/controller/user-password.ts';
import { MOSQUITTO_PBKDF2_ITERATIONS } from '../../src/mqtt/password-hash.ts';
import { mosquittoAvailable, removeDir, startMosquitto } from '../mqtt/mosquitto-process.ts';
import { startHttpController, type HttpController } from './http-controller.ts';

// Spies on both scrypt functions, calling through, to see which one the login path uses.
const crypto = vi.hoisted(() => ({
  scrypt: undefined as unknown as ReturnType<typeof vi.fn>,
  scryptSync: undefined as unknown as ReturnType<typeof vi.fn>,
}));
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof NodeCrypto>();
  crypto.scrypt = vi.fn(real.scrypt);
  crypto.scryptSync = vi.fn(real.scryptSync);
  return {
    ...real,
    default: { ...real, scrypt: crypto.scrypt, scryptSync: crypto.scryptSync },
    scrypt: crypto.scrypt,
    scryptSync: crypto.scryptSync,
  };
});

/** The hash the controller wrote before issue 12: scrypt N=16384, r=8, p=1. */
function legacyHash(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, 32, { N: 16384, r: 8, p: 1 });
  return `scrypt$16384$8$1$${salt.toString('base64')}$${hash.toString('base64')}`;
}

describe('dashboard password hashes', () => {
  let ctl: HttpController;
  beforeAll(async () => {
    ctl = await startHttpController();
  });
  afterAll(() => ctl.close());

  it("are scrypt with one of OWASP's settings: N=2^15 (32 MiB), r=8, p=3", async () => {
    expect(USER_SCRYPT).toEqual({ N: 32768, r: 8, p: 3 });
    expect(await ctl.store.users.passwordHash('admin')).toMatch(/^scrypt\$32768\$8\$3\$/);
    expect(await hashUserPassword('pw')).toMatch(/^scrypt\$32768\$8\$3\$[^$]+\$[^$]+$/);
  });

  it('keep accepting an old N=16384 hash and replace it at the next login', async () => {
    await ctl.store.users.insert('old-timer', 'viewer', legacyHash('old-password'), 0);
    await ctl.login('old-timer', 'old-password');
    expect(await ctl.store.users.passwordHash('old-timer')).toMatch(/^scrypt\$32768\$8\$3\$/);
    await ctl.login('old-timer', 'old-password');
  });

  it('do not block the event loop: logins hash on the thread pool, never synchronously', async () => {
    // Timing the loop is no proof on a loaded machine (a busy CI box delays every timer), so
    // this watches which scrypt the login path calls: the old code called scryptSync once per
    // login, holding the event loop for the whole hash (~60 ms, far more under load).
    // The spy does see the controller's own calls: creating a user from the CLI is synchronous.
    crypto.scryptSync.mockClear();
    await ctl.store.users.create('probe', 'viewer', 'probe-pw-1', 0);
    expect(crypto.scryptSync).toHaveBeenCalledTimes(1);

    crypto.scryptSync.mockClear();
    crypto.scrypt.mockClear();
    await Promise.all(Array.from({ length: 5 }, () => ctl.login('admin', 'admin-pw-1')));
    await expect(ctl.login('nobody', 'wrong-password')).rejects.toThrow(/401/);
    expect(crypto.scryptSync).not.toHaveBeenCalled();
    expect(crypto.scrypt.mock.calls.length).toBeGreaterThanOrEqual(6);
  });
});

describe.skipIf(!mosquittoAvailable())("Mosquitto's $7$ hashes", () => {
  it(`use ${MOSQUITTO_PBKDF2_ITERATIONS} PBKDF2 iterations and real mosquitto accepts them`, async () => {
    const m = await startMosquitto([{ username: 'node-1', password: 'node-pw', role: 'node' }]);
    try {
      const passwd = readFileSync(join(m.dir, 'passwd'), 'utf8');
      expect(passwd).toMatch(/^node-1:\$7\$210000\$/m);
      const connect = (password: string) => {
        const c = mqtt.connect(m.url, {
          username: 'node-1',
          password,
          clientId: 'node-1',
          reconnectPeriod: 0,
          connectTimeout: 10_000,
        });
        return new Promise<string>((resolve) => {
          c.once('connect', () => resolve('connected'));
          c.once('error', (e) => resolve(`refused: ${e.message}`));
        }).finally(() => c.end(true));
      };
      expect(await connect('node-pw')).toBe('connected');
      expect(await connect('wrong')).toMatch(/^refused: .*(Not authorized|Bad User Name)/i);
    } finally {
      await m.stop();
      removeDir(m.dir);
    }
  });
});
