/**
 * The list of MQTT users and their roles, with scrypt password hashes, loaded from a JSON or YAML
 * file and checked before use. The embedded broker authenticates against it.
 *
 * @example
 * const store = CredentialStore.fromUsers([
 *   { username: 'node-3', role: 'node', password_hash: hashPassword('pw') },
 * ]);
 * await store.authenticate('node-3', 'pw'); // { username: 'node-3', role: 'node' }
 */
import { readFileSync } from 'node:fs';
import { isNode, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { IntelliMeshError } from '../core/errors.ts';
import { formatPath } from '../core/validation-path.ts';
import { OWASP_SCRYPT, verifyPasswordAsync } from './password-hash.ts';
import { passwordHashProblem } from './password-hash-format.ts';
import type { Principal } from './principal.ts';
import { isTopicName } from './topics.ts';

export class CredentialFileError extends IntelliMeshError {}

const userSchema = z
  .object({
    username: z.string().refine(isTopicName, {
      message: 'must be 1-64 characters of letters, digits, _ . or -',
    }),
    role: z.enum(['node', 'controller', 'viewer', 'radio-gateway']),
    /**
     * A node's site (it publishes only under it). Files written before sites existed have none:
     * such a node belongs to the broker's own site (`intelli-mesh controller --site`).
     */
    site: z
      .string()
      .refine(isTopicName, { message: 'must be 1-64 characters of letters, digits, _ . or -' })
      .optional(),
    /** A radio gateway's meshlink network: the only one it may speak for (required for it). */
    network: z
      .string()
      .refine(isTopicName, { message: 'must be 1-64 characters of letters, digits, _ . or -' })
      .optional(),
    // Checked whole here: a hash scrypt cannot use would otherwise fail at a login, in the broker.
    password_hash: z.string().superRefine((hash, ctx) => {
      const problem = passwordHashProblem(hash);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  })
  .strict()
  .superRefine((user, ctx) => {
    if (user.role === 'radio-gateway' && user.network === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['network'],
        message: 'a radio-gateway needs the radio network it speaks for',
      });
    if (user.role !== 'radio-gateway' && user.network !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['network'],
        message: 'only a radio-gateway has a network',
      });
  });

const fileSchema = z.object({ users: z.array(userSchema).min(1) }).strict();

export type StoredUser = z.infer<typeof userSchema>;

export class CredentialStore {
  private readonly users: Map<string, StoredUser>;

  private constructor(users: StoredUser[]) {
    this.users = new Map(users.map((u) => [u.username, u]));
  }

  static fromUsers(users: StoredUser[]): CredentialStore {
    const parsed = fileSchema.safeParse({ users });
    if (!parsed.success) throw new CredentialFileError(describe('users', parsed.error));
    return new CredentialStore(checkUnique(parsed.data.users, 'users'));
  }

  /** Loads and checks a whole file; an error names `file:line` and the entry of each fault. */
  static fromFile(path: string): CredentialStore {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new CredentialFileError(`${path}: ${(err as Error).message}`, { cause: err });
    }
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      const at = lines.linePos(e.pos[0]).line;
      throw new CredentialFileError(`${path}:${at}: ${e.message.split('\n')[0]}`);
    }
    let data: unknown;
    try {
      data = doc.toJS();
    } catch (err) {
      throw new CredentialFileError(`${path}: ${(err as Error).message}`, { cause: err });
    }
    const parsed = fileSchema.safeParse(data);
    if (!parsed.success) {
      throw new CredentialFileError(
        parsed.error.issues
          .map((issue) => {
            // The line of the value at fault, or of the nearest entry that exists (a missing key).
            let line: number | undefined;
            for (let n = issue.path.length; n >= 0 && line === undefined; n--) {
              const node = doc.getIn(issue.path.slice(0, n), true);
              if (isNode(node) && node.range) line = lines.linePos(node.range[0]).line;
            }
            const where = line === undefined ? path : `${path}:${line}`;
            return `${where}: ${formatPath(issue.path)}: ${issue.message}`;
          })
          .join('\n'),
      );
    }
    return new CredentialStore(checkUnique(parsed.data.users, path));
  }

  /** A copy with one more user, e.g. the controller's own login generated at start. */
  with(user: StoredUser): CredentialStore {
    return CredentialStore.fromUsers([...this.users.values(), user]);
  }

  /** The users with their hashes (no passwords), e.g. to hand the store to a broker thread. */
  toUsers(): StoredUser[] {
    return [...this.users.values()].map((u) => ({ ...u }));
  }

  /**
   * The principal for a correct username and password, else undefined. The hash runs on libuv's
   * thread pool, so the broker keeps serving while it does; an unknown username is checked
   * against a dummy hash of the same cost, so its answer takes as long as a wrong password's.
   */
  async authenticate(username: string, password: string): Promise<Principal | undefined> {
    const user = this.users.get(username);
    try {
      const ok = await verifyPasswordAsync(password, user?.password_hash ?? UNKNOWN_USER_HASH);
      if (!ok || !user) return undefined;
    } catch {
      // Unreachable for hashes checked at load; should a verifier throw anyway, that is a refused
      // login, not an exception in the broker's authentication (which ended the broker thread).
      return undefined;
    }
    return {
      username: user.username,
      role: user.role,
      ...(user.site !== undefined ? { site: user.site } : {}),
      ...(user.network !== undefined ? { network: user.network } : {}),
    };
  }
}

/** Random salt and hash with the current parameters: no password matches it. */
const UNKNOWN_USER_HASH = `scrypt$${OWASP_SCRYPT.N}$${OWASP_SCRYPT.r}$${OWASP_SCRYPT.p}$q0Ee1kq8oU6PTyZ3dXcLhg==$2Vr5y9Ui3HmhGvu6tFfVYxTNOnn2WYuc7xHnBpmJhC0=`;

function checkUnique(users: StoredUser[], where: string): StoredUser[] {
  const seen = new Set<string>();
  users.forEach((u, i) => {
    if (seen.has(u.username)) {
      throw new CredentialFileError(`${where}: users[${i}].username '${u.username}' appears twice`);
    }
    seen.add(u.username);
  });
  return users;
}

function describe(where: string, error: z.ZodError): string {
  return error.issues.map((i) => `${where}: ${formatPath(i.path)}: ${i.message}`).join('\n');
}
