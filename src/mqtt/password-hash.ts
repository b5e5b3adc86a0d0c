/**
 * Password hashes for MQTT and dashboard users: scrypt for our own credential files, and
 * Mosquitto's `$7$` PBKDF2-SHA512 format for the password file we render for Mosquitto, so one
 * credentials list configures either broker.
 *
 * @example
 * const h = hashPassword('s3cret');
 * verifyPassword('s3cret', h); // true
 */
import { pbkdf2Sync, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { IntelliMeshError } from '../core/errors.ts';

export class InvalidPasswordHashError extends IntelliMeshError {}

const SCRYPT = { N: 16384, r: 8, p: 1 } as const;

export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export function verifyPassword(password: string, encoded: string): boolean {
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
  const actual = scryptSync(password, salt, expected.length, { N, r, p, maxmem: 256 * N * r });
  return timingSafeEqual(actual, expected);
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
