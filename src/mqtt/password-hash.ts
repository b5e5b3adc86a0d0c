/**
 * Password hashes for MQTT and dashboard users: scrypt for our own credential files, and
 * Mosquitto's `$7$` PBKDF2-SHA512 format for the password file we render for Mosquitto, so one
 * credentials list configures either broker.
 *
 * New hashes use OWASP's scrypt parameters (`OWASP_SCRYPT`); a hash keeps its parameters in the
 * string, so older ones (N=16384, p=1) still verify. The broker verifies with
 * `verifyPasswordAsync`, on libuv's thread pool: at ~0.4 s a hash, a synchronous check held the
 * broker's event loop (every other client's traffic) for each login, and a storm of wrong
 * passwords for seconds.
 *
 * @example
 * const h = hashPassword('s3cret');
 * await verifyPasswordAsync('s3cret', h); // true
 */
import {
  pbkdf2Sync,
  randomBytes,
  scrypt,
  scryptSync,
  timingSafeEqual,
  type ScryptOptions,
} from 'node:crypto';
import { IntelliMeshError } from '../core/errors.ts';

export class InvalidPasswordHashError extends IntelliMeshError {}

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/**
 * OWASP Password Storage Cheat Sheet: scrypt "N=2^15 (32 MiB), r=8, p=3" is one of its equivalent
 * minimum settings. Taken over N=2^17, p=1 (128 MiB) so four checks at once on the thread pool
 * need 128 MiB, not 512 MiB, for the same work.
 */
export const OWASP_SCRYPT: Readonly<ScryptParams> = { N: 32768, r: 8, p: 3 };

/**
 * For secrets the machine generated (144 random bits: `config render`'s node passwords, the
 * demo's), which no dictionary holds: a slow hash protects guessable passwords and adds nothing
 * here, while each node login would cost OWASP's ~0.4 s of the broker's thread pool, and a site
 * of routers reconnecting at once after a broker restart would wait in line for it. The cost of
 * the hashes before OWASP's parameters.
 */
export const RANDOM_SECRET_SCRYPT: Readonly<ScryptParams> = { N: 16384, r: 8, p: 1 };

interface ParsedHash extends ScryptParams {
  salt: Buffer;
  expected: Buffer;
}

function parse(encoded: string): ParsedHash {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') {
    throw new InvalidPasswordHashError(`not a scrypt$N$r$p$salt$hash password hash`);
  }
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  if (![N, r, p].every(Number.isInteger) || expected.length === 0) {
    throw new InvalidPasswordHashError(`malformed scrypt password hash`);
  }
  return { N, r, p, salt, expected };
}

function options(h: ScryptParams): ScryptOptions {
  return { N: h.N, r: h.r, p: h.p, maxmem: 256 * h.N * h.r };
}

function encode(params: ScryptParams, salt: Buffer, hash: Buffer): string {
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** Synchronous: for one-shot commands (`mqtt-user`, `config render`) and start-up only. */
export function hashPassword(password: string, params: ScryptParams = OWASP_SCRYPT): string {
  const salt = randomBytes(16);
  return encode(params, salt, scryptSync(password, salt, 32, options(params)));
}

export function hashPasswordAsync(
  password: string,
  params: ScryptParams = OWASP_SCRYPT,
): Promise<string> {
  const salt = randomBytes(16);
  return new Promise((resolve, reject) =>
    scrypt(password, salt, 32, options(params), (err, hash) =>
      err ? reject(err) : resolve(encode(params, salt, hash)),
    ),
  );
}

/** Synchronous: holds the event loop for the whole hash; start-up only. */
export function verifyPassword(password: string, encoded: string): boolean {
  const h = parse(encoded);
  return timingSafeEqual(scryptSync(password, h.salt, h.expected.length, options(h)), h.expected);
}

/** Verifies on libuv's thread pool; rejects with InvalidPasswordHashError for a malformed hash. */
export async function verifyPasswordAsync(password: string, encoded: string): Promise<boolean> {
  const h = parse(encoded);
  const actual = await new Promise<Buffer>((resolve, reject) =>
    scrypt(password, h.salt, h.expected.length, options(h), (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
  return timingSafeEqual(actual, h.expected);
}

/**
 * OWASP Password Storage Cheat Sheet: PBKDF2-HMAC-SHA512 with 210,000 iterations. Mosquitto 2.0
 * reads the count from each line (mosquitto_passwd itself writes only 101).
 */
export const MOSQUITTO_PBKDF2_ITERATIONS = 210_000;

/** Mosquitto 2.x password-file hash: `$7$<iterations>$<salt b64>$<PBKDF2-SHA512 b64>`. */
export function mosquittoPasswordHash(
  password: string,
  iterations = MOSQUITTO_PBKDF2_ITERATIONS,
): string {
  const salt = randomBytes(12);
  const hash = pbkdf2Sync(password, salt, iterations, 64, 'sha512');
  return `$7$${iterations}$${salt.toString('base64')}$${hash.toString('base64')}`;
}
