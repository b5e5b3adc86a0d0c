/**
 * Starts a private PostgreSQL (Debian's server binaries) for one test file: its own temporary
 * data directory, a free port on 127.0.0.1, its unix socket inside the temporary directory,
 * trust authentication and fsync off (the data is thrown away, speed matters). The server
 * refuses to run as root, so a root test process runs it as the `postgres` user.
 *
 * @example
 * const pg = await startPostgres();
 * const url = await pg.newDatabase(); // a fresh, empty database for one test
 * ...
 * await pg.stop();
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../mqtt/mosquitto-process.ts';

export interface PostgresServer {
  /** The `postgres` maintenance database of the server (superuser `postgres`, no password). */
  url: string;
  /** Creates an empty database (a unique name unless given) and answers its URL. */
  newDatabase(name?: string): Promise<string>;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

const BIN_ROOT = '/usr/lib/postgresql';
const SERVER_USER = 'postgres';

/** The newest installed server's bin directory, or undefined. */
function binDir(): string | undefined {
  if (!existsSync(BIN_ROOT)) return undefined;
  const versions = readdirSync(BIN_ROOT)
    .filter((v) => existsSync(join(BIN_ROOT, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(BIN_ROOT, versions[0], 'bin');
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Why PostgreSQL tests cannot run here (a reason for `describe.skipIf`), or undefined. */
export function postgresUnavailable(): string | undefined {
  if (binDir() === undefined) return `no PostgreSQL server binaries under ${BIN_ROOT}`;
  if (isRoot()) {
    if (spawnSync('id', ['-u', SERVER_USER]).status !== 0) {
      return `running as root and there is no '${SERVER_USER}' user to run the server as`;
    }
    if (spawnSync('runuser', ['--help']).error !== undefined) return 'runuser is missing';
  }
  return undefined;
}

/** The command line that runs a server binary as a user the server accepts. */
function asServerUser(bin: string, args: string[]): [string, string[]] {
  return isRoot() ? ['runuser', ['-u', SERVER_USER, '--', bin, ...args]] : [bin, args];
}

let counter = 0;

export async function startPostgres(): Promise<PostgresServer> {
  const reason = postgresUnavailable();
  if (reason !== undefined) throw new Error(`cannot start PostgreSQL: ${reason}`);
  const bin = binDir()!;
  const dir = mkdtempSync(join(tmpdir(), 'im-postgres-'));
  const data = join(dir, 'data');
  if (isRoot()) {
    const uid = Number(spawnSync('id', ['-u', SERVER_USER]).stdout.toString().trim());
    const gid = Number(spawnSync('id', ['-g', SERVER_USER]).stdout.toString().trim());
    chownSync(dir, uid, gid);
  }
  let child: ChildProcess | undefined;
  // A test process that dies without calling stop() must not leave a server or its files.
  const cleanUp = (): void => {
    const pid = serverPid(data);
    if (pid !== undefined) {
      try {
        process.kill(pid, 'SIGQUIT');
      } catch {
        // already gone
      }
    }
    if (child?.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', cleanUp);
  try {
    const [initCmd, initArgs] = asServerUser(join(bin, 'initdb'), [
      '-D',
      data,
      '-U',
      'postgres',
      '-A',
      'trust',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    const init = spawnSync(initCmd, initArgs, { encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.error?.message}`);

    const port = await freePort();
    const [cmd, args] = asServerUser(join(bin, 'postgres'), [
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=200',
      '-c',
      'shared_buffers=32MB',
    ]);
    const server = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child = server;
    let log = '';
    await new Promise<void>((resolve, reject) => {
      server.stderr!.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        if (/ready to accept connections/.test(log)) resolve();
      });
      server.once('exit', (code) => reject(new Error(`postgres exited ${code}: ${log}`)));
    });
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    return {
      url,
      newDatabase: async (name) => {
        const db = name ?? `test_${process.pid}_${++counter}`;
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          await client.query(`CREATE DATABASE ${pg.escapeIdentifier(db)}`);
        } finally {
          await client.end();
        }
        return `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(db)}`;
      },
      stop: async () => {
        process.removeListener('exit', cleanUp);
        if (server.exitCode === null && server.signalCode === null) {
          const exited = new Promise((resolve) => server.once('exit', resolve));
          const pid = serverPid(data);
          // Fast shutdown: disconnect clients, no checkpoint wait worth having for test data.
          if (pid !== undefined) process.kill(pid, 'SIGINT');
          else server.kill('SIGINT');
          await exited;
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    cleanUp();
    process.removeListener('exit', cleanUp);
    throw e;
  }
}

/** The postmaster's own pid (runuser stands between us and it when we are root). */
function serverPid(data: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
