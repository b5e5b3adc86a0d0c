/**
 * The MQTT credentials `config render` gives each node, and the broker's list of them. A node's
 * password lives in its overlay (`<out>/<node>/files/etc/intelli-mesh/mqtt-password`), and a
 * re-render keeps it, so routers already running keep logging in; a node without one gets a new
 * random password. The broker's credentials file (YAML, scrypt hashes, for `intelli-mesh
 * controller --credentials`) gets an entry per node and keeps every other user in it.
 *
 * @example
 * const creds = await nodeCredentials('out/site', ['gw-1', 'gw-2']);
 * await writeBrokerUsers('out/site/mqtt-users.yaml', creds, 'lab');
 */
import { randomBytes } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { AGENT_CONFIG_PATH, AGENT_PASSWORD_FILE } from '../config/render/agent-service.ts';
import { CredentialStore, type StoredUser } from '../mqtt/credential-store.ts';
import { RANDOM_SECRET_SCRYPT, hashPassword } from '../mqtt/password-hash.ts';

export interface NodeCredential {
  node: string;
  password: string;
  /** Made by this render (the broker's entry must be replaced). */
  fresh: boolean;
}

/** Where a node's password lives in a render's output. */
export function passwordPath(out: string, node: string): string {
  const dir = AGENT_CONFIG_PATH.slice(0, AGENT_CONFIG_PATH.lastIndexOf('/'));
  return join(out, node, 'files', dir, AGENT_PASSWORD_FILE);
}

export async function nodeCredentials(out: string, nodes: string[]): Promise<NodeCredential[]> {
  return Promise.all(
    nodes.map(async (node) => {
      const file = passwordPath(out, node);
      const kept = existsSync(file) ? (await readFile(file, 'utf8')).trim() : '';
      return kept
        ? { node, password: kept, fresh: false }
        : { node, password: randomBytes(18).toString('base64url'), fresh: true };
    }),
  );
}

/**
 * Adds or replaces the nodes' entries in the broker's credentials file (root-only), keeping the
 * entries of other users and the hashes of nodes whose password did not change. Each node entry
 * records `site` (the site file's name), the only site the broker lets it publish under.
 * Returns the users written.
 */
export async function writeBrokerUsers(
  file: string,
  creds: readonly NodeCredential[],
  site: string,
): Promise<StoredUser[]> {
  const before = existsSync(file) ? CredentialStore.fromFile(file).toUsers() : [];
  const byName = new Map(before.map((u) => [u.username, u]));
  for (const c of creds) {
    const kept = byName.get(c.node);
    const password_hash =
      kept && !c.fresh && kept.role === 'node'
        ? kept.password_hash
        : hashPassword(c.password, RANDOM_SECRET_SCRYPT);
    byName.set(c.node, { username: c.node, role: 'node', site, password_hash });
  }
  const users = [...byName.values()];
  // Checked as the broker will load it, before it replaces a good file.
  CredentialStore.fromUsers(users);
  await writeFile(file, stringify({ users }), { mode: 0o600 });
  await chmod(file, 0o600);
  return users;
}
