/**
 * Whether a stored `scrypt$N$r$p$salt$hash` password hash can be verified at all, checked when a
 * credentials list is loaded rather than when a login first meets it: a hash whose parameters
 * scrypt refuses (`scrypt$1$1$1$aaaa$bbbb`: N must be a power of two above 1) used to throw inside
 * the broker's authentication and end the broker thread. Only the layout is checked here; the
 * parameters `hashPassword` chooses are its own business.
 *
 * @example
 * passwordHashProblem('scrypt$1$1$1$aaaa$bbbb'); // 'scrypt N must be a power of two from 2 to 2^24, not 1'
 * passwordHashProblem(hashPassword('pw')); // undefined
 */

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** Far above any recommended cost, low enough that one login cannot take the machine's memory. */
const MAX_LOG2_N = 24;
const MAX_R = 64;
const MAX_P = 16;
const MIN_SALT_BYTES = 8;
const MIN_HASH_BYTES = 16;

function base64Bytes(text: string): number | undefined {
  if (!BASE64.test(text) || text.length % 4 !== 0) return undefined;
  return Buffer.from(text, 'base64').length;
}

/** What is wrong with a hash, or undefined when it is a usable scrypt hash. */
export function passwordHashProblem(encoded: string): string | undefined {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') {
    return 'not a scrypt$N$r$p$salt$hash password hash (make one with `intelli-mesh mqtt-user`)';
  }
  const [n, r, p] = parts.slice(1, 4).map((s) => (/^\d+$/.test(s) ? Number(s) : NaN)) as [
    number,
    number,
    number,
  ];
  if (!(Number.isInteger(n) && n >= 2 && n <= 2 ** MAX_LOG2_N && (n & (n - 1)) === 0)) {
    return `scrypt N must be a power of two from 2 to 2^${MAX_LOG2_N}, not ${parts[1]}`;
  }
  if (!(Number.isInteger(r) && r >= 1 && r <= MAX_R)) {
    return `scrypt r must be from 1 to ${MAX_R}, not ${parts[2]}`;
  }
  if (!(Number.isInteger(p) && p >= 1 && p <= MAX_P)) {
    return `scrypt p must be from 1 to ${MAX_P}, not ${parts[3]}`;
  }
  const salt = base64Bytes(parts[4]!);
  if (salt === undefined || salt < MIN_SALT_BYTES) {
    return `salt must be base64 of at least ${MIN_SALT_BYTES} bytes`;
  }
  const hash = base64Bytes(parts[5]!);
  if (hash === undefined || hash < MIN_HASH_BYTES) {
    return `hash must be base64 of at least ${MIN_HASH_BYTES} bytes`;
  }
  return undefined;
}
