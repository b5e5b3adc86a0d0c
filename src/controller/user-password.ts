/**
 * Dashboard password hashes: scrypt with OWASP's parameters, computed on libuv's thread pool
 * (`crypto.scrypt`, not `scryptSync`) so a login never stalls the controller's event loop.
 * Hashes written with older, weaker parameters still verify; `needsRehash` tells the caller to
 * store a fresh hash after a successful login.
 *
 * The format is the one src/mqtt/password-hash.ts writes: `scrypt$N$r$p$salt$hash` (base64).
 *
 * @example
 * const h = await hashUserPassword('s3cret');
 * await verifyUserPassword('s3cret', h); // true
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { IntelliMeshError } from '../core/errors.ts';
import { OWASP_SCRYPT } from '../mqtt/password-hash.ts';

export class MalformedUserHashError extends IntelliMeshError {}

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** OWASP's scrypt setting, the same as the MQTT credentials' (see `OWASP_SCRYPT`). */
export const USER_SCRYPT: ScryptParams = OWASP_SCRYPT;

const KEY_BYTES = 32;

interface ParsedHash extends ScryptParams {
  salt: Buffer;
  hash: Buffer;
}

function parse(encoded: string): ParsedHash {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') {
    throw new MalformedUserHashError('not a scrypt$N$r$p$salt$hash password hash');
  }
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'base64');
  const hash = Buffer.from(parts[5]!, 'base64');
  // N a power of two above 1, and bounds that keep one check under 1 GiB of memory.
  const sane =
    Number.isInteger(N) &&
    N > 1 &&
    (N & (N - 1)) === 0 &&
    Number.isInteger(r) &&
    r >= 1 &&
    Number.isInteger(p) &&
    p >= 1 &&
    p <= 16 &&
    128 * N * r <= 1024 * 1024 * 1024;
  if (!sane || salt.length === 0 || hash.length === 0) {
    throw new MalformedUserHashError('malformed scrypt password hash');
  }
  return { N, r, p, salt, hash };
}

function scryptAsync(password: string, salt: Buffer, length: number, params: ScryptParams) {
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r };
  return new Promise<Buffer>((resolve, reject) => {
    scrypt(password, salt, length, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashUserPassword(
  password: string,
  params: ScryptParams = USER_SCRYPT,
): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, KEY_BYTES, params);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifyUserPassword(password: string, encoded: string): Promise<boolean> {
  const h = parse(encoded);
  const actual = await scryptAsync(password, h.salt, h.hash.length, h);
  return timingSafeEqual(actual, h.hash);
}

/** Whether `encoded` was made with other parameters than `params` (then store a new hash). */
export function needsRehash(encoded: string, params: ScryptParams = USER_SCRYPT): boolean {
  const h = parse(encoded);
  return h.N !== params.N || h.r !== params.r || h.p !== params.p;
}
