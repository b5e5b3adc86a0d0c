/**
 * `intelli-mesh user add|passwd|remove|list`: manages the dashboard's users directly in the
 * controller's database (`--db`, the controller's own: a SQLite file or a `postgres://` URL), also
 * while the controller runs. The
 * password comes from INTELLI_MESH_NEW_PASSWORD, or is generated and printed once on stderr.
 * Every change is on the timeline as done by `cli:<login>`; a new password or a removal ends the
 * user's sessions.
 *
 * @example
 * INTELLI_MESH_NEW_PASSWORD='…' intelli-mesh user add ops --role operator --db /var/lib/intelli-mesh/controller.db
 * intelli-mesh user list --db controller.db
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { type Command, Option } from 'commander';
import { IntelliMeshError } from '../../core/errors.ts';
import { ControllerStore } from '../../controller/store/controller-store.ts';
import { isPostgresTarget } from '../../controller/store/store-target.ts';
import { USER_ROLES, type UserRole } from '../../controller/store/user-repo.ts';
import { checkUsername, UserAccounts } from '../../controller/user-accounts.ts';

export class NoControllerDatabaseError extends IntelliMeshError {}

const DB_HELP = "the controller's SQLite file or postgres:// URL (its --db)";

function newPassword(username: string): string {
  checkUsername(username); // before a generated password is printed for a name that fails
  const given = process.env.INTELLI_MESH_NEW_PASSWORD;
  if (given) return given;
  const generated = randomBytes(15).toString('base64url');
  console.error(`password for ${username}: ${generated}`);
  return generated;
}

async function withAccounts<T>(db: string, run: (a: UserAccounts) => Promise<T>): Promise<T> {
  if (!isPostgresTarget(db) && !existsSync(db)) {
    throw new NoControllerDatabaseError(
      `no controller database at ${db}: pass the controller's --db file (it is created on its first start)`,
    );
  }
  const store = await ControllerStore.open(db, { poolSize: 2 });
  try {
    return await run(new UserAccounts(store, { now: () => Date.now() }));
  } finally {
    await store.close();
  }
}

const actor = () => `cli:${userInfo().username}`;

export function registerUser(program: Command): void {
  const user = program
    .command('user')
    .description("manage the dashboard's users in the controller's database");

  user
    .command('add')
    .description('add a user (password from INTELLI_MESH_NEW_PASSWORD, or generated)')
    .argument('<username>')
    .addOption(
      new Option('--role <role>', 'what the user may do').choices(USER_ROLES).default('viewer'),
    )
    .requiredOption('--db <file>', DB_HELP)
    .action(async (username: string, flags: { role: UserRole; db: string }) => {
      await withAccounts(flags.db, (a) =>
        a.add(actor(), username, flags.role, newPassword(username)),
      );
      console.log(`added ${username} (${flags.role})`);
    });

  user
    .command('passwd')
    .description("set a user's password and end their sessions")
    .argument('<username>')
    .requiredOption('--db <file>', DB_HELP)
    .action(async (username: string, flags: { db: string }) => {
      await withAccounts(flags.db, (a) => a.setPassword(actor(), username, newPassword(username)));
      console.log(`password of ${username} changed; their sessions are ended`);
    });

  user
    .command('role')
    .description("change a user's role and end their sessions")
    .argument('<username>')
    .addOption(
      new Option('--role <role>', 'the new role').choices(USER_ROLES).makeOptionMandatory(),
    )
    .requiredOption('--db <file>', DB_HELP)
    .action(async (username: string, flags: { role: UserRole; db: string }) => {
      await withAccounts(flags.db, (a) => a.setRole(actor(), username, flags.role));
      console.log(`${username} is now ${flags.role}; their sessions are ended`);
    });

  user
    .command('remove')
    .description('remove a user and end their sessions')
    .argument('<username>')
    .requiredOption('--db <file>', DB_HELP)
    .action(async (username: string, flags: { db: string }) => {
      await withAccounts(flags.db, (a) => a.remove(actor(), username));
      console.log(`removed ${username}`);
    });

  user
    .command('list')
    .description('list the users and their roles')
    .requiredOption('--db <file>', DB_HELP)
    .option('--json', 'print JSON')
    .action(async (flags: { db: string; json?: boolean }) => {
      const users = await withAccounts(flags.db, async (a) => a.list());
      if (flags.json) {
        console.log(JSON.stringify(users, null, 2));
        return;
      }
      for (const u of users) {
        console.log(
          `${u.username.padEnd(24)} ${u.role.padEnd(8)} ${new Date(u.created_at).toISOString()}`,
        );
      }
    });
}
