/**
 * The simulated nodes' MQTT logins: a random password each, hashed as `config render` hashes the
 * passwords it generates (scrypt with RANDOM_SECRET_SCRYPT), and the broker's users file for
 * them. Hashing 10,000 passwords takes minutes of CPU, so the logins are kept in a cache file
 * (passwords and hashes of throw-away bench nodes, mode 0600) and grown when a run needs more.
 *
 * @example
 * const logins = await nodeLogins(5000, '/tmp/intelli-mesh-scale-out/logins.json');
 * writeUsersFile('/tmp/users.yaml', logins.slice(0, 5000), 'scale');
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import type { StoredUser } from '../../src/mqtt/credential-store.ts';
import {
  hashPasswordAsync,
  RANDOM_SECRET_SCRYPT,
  type ScryptParams,
} from '../../src/mqtt/password-hash.ts';
import { nodeName } from './node-traffic.ts';

export interface NodeLogin {
  index: number;
  password: string;
  hash: string;
}

export const DEFAULT_LOGIN_CACHE = join(tmpdir(), 'intelli-mesh-scale-out', 'logins.json');

/**
 * The default cache for hashes of cost `N`: the deployment's cost keeps the original name, any
 * other cost its own file, so a cheap run never overwrites the half hour of the default's hashes.
 */
export function defaultLoginCache(N: number = RANDOM_SECRET_SCRYPT.N): string {
  return N === RANDOM_SECRET_SCRYPT.N
    ? DEFAULT_LOGIN_CACHE
    : join(tmpdir(), 'intelli-mesh-scale-out', `logins-N${N}.json`);
}

function readCache(file: string, params: ScryptParams): NodeLogin[] {
  const prefix = `scrypt$${params.N}$${params.r}$${params.p}$`;
  if (!existsSync(file)) return [];
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as NodeLogin[];
    // Only a prefix of consecutive, well-formed entries is kept: anything else is rebuilt.
    const good: NodeLogin[] = [];
    for (const [i, l] of data.entries()) {
      if (l.index !== i || typeof l.password !== 'string' || !l.hash?.startsWith(prefix)) break;
      good.push(l);
    }
    return good;
  } catch {
    return [];
  }
}

/**
 * The first `count` nodes' logins, hashing (on the thread pool) only those not cached yet. The
 * scrypt cost is the deployment's for generated secrets unless `params` lowers it: every login
 * costs the broker one check, and 10,000 of them at the deployment's cost took a loaded
 * machine most of an hour to admit.
 */
export async function nodeLogins(
  count: number,
  cacheFile: string | undefined,
  onProgress?: (done: number, total: number) => void,
  params: ScryptParams = RANDOM_SECRET_SCRYPT,
): Promise<NodeLogin[]> {
  cacheFile ??= defaultLoginCache(params.N);
  const logins = readCache(cacheFile, params);
  if (logins.length >= count) return logins.slice(0, count);
  let next = logins.length;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const password = randomBytes(18).toString('base64url');
      logins[index] = {
        index,
        password,
        hash: await hashPasswordAsync(password, params),
      };
      if (index % 500 === 0) onProgress?.(index, count);
    }
  };
  await Promise.all(Array.from({ length: Math.max(2, availableParallelism()) }, worker));
  mkdirSync(dirname(cacheFile), { recursive: true, mode: 0o700 });
  writeFileSync(cacheFile, JSON.stringify(logins), { mode: 0o600 });
  return logins.slice(0, count);
}

/** The controller's `--credentials` file for these nodes, all of one site. */
export function writeUsersFile(file: string, logins: readonly NodeLogin[], site: string): void {
  const users: StoredUser[] = logins.map((l) => ({
    username: nodeName(l.index),
    role: 'node',
    site,
    password_hash: l.hash,
  }));
  writeFileSync(file, stringify({ users }), { mode: 0o600 });
}
