/**
 * Starts a real Mosquitto (Debian's package) with a rendered configuration in a temporary
 * directory, for tests and benches. Readiness is read from Mosquitto's own log line.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  renderMosquittoConfig,
  type MosquittoConfigOptions,
  type MosquittoUser,
} from '../../src/mqtt/mosquitto-config.ts';

/** Rendering options a test may set beside the users (the default site, the limits). */
export type MosquittoTestConfig = Omit<
  MosquittoConfigOptions,
  'configDir' | 'dataDir' | 'port' | 'users' | 'runAsUser'
>;

export function mosquittoAvailable(): boolean {
  return spawnSync('mosquitto', ['-h']).error === undefined;
}

/**
 * Ports handed to another process (a broker, a database) are picked below Linux's ephemeral
 * range (32768 and up): a port the kernel chose for us and we then released can be taken by
 * any outgoing connection before the server binds it, which made a NATS server fail to start
 * in a full run. Each Vitest worker (or bench process) walks its own block, so two workers
 * never hand out the same port either; the trial bind skips ports something else holds.
 */
const PORT_FLOOR = 20_000;
const PORT_BLOCK = 1_500;
const PORT_BLOCKS = 8;
const blockIndex =
  (Number(process.env['VITEST_POOL_ID'] ?? process.pid) || process.pid) % PORT_BLOCKS;
let portCursor = 0;

export async function freePort(): Promise<number> {
  for (let tries = 0; tries < PORT_BLOCK; tries++) {
    const port = PORT_FLOOR + blockIndex * PORT_BLOCK + (portCursor++ % PORT_BLOCK);
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port in ${PORT_FLOOR + blockIndex * PORT_BLOCK}+${PORT_BLOCK}`);
}

function bindable(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export interface MosquittoProcess {
  url: string;
  dir: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

export async function startMosquitto(
  users: MosquittoUser[],
  dir = mkdtempSync(join(tmpdir(), 'im-mosquitto-')),
  /** A restart passes the same directory and port: its sessions come back from disk. */
  port?: number,
  config: MosquittoTestConfig = {},
): Promise<MosquittoProcess> {
  port ??= await freePort();
  const files = renderMosquittoConfig({
    ...config,
    configDir: dir,
    dataDir: dir,
    port,
    users,
    runAsUser: process.getuid?.() === 0 ? 'root' : undefined,
  });
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(dir, name), text, { mode: 0o600 });
  }
  const child = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (/ running/.test(log)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`mosquitto exited ${code}: ${log}`)));
  });
  return {
    url: `mqtt://127.0.0.1:${port}`,
    dir,
    pid: child.pid,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A Mosquitto for one suite: its URL, and a close that stops it and removes its files. */
export async function startMosquittoBroker(
  users: MosquittoUser[],
  config: MosquittoTestConfig = {},
): Promise<{ url: string; close: () => Promise<void> }> {
  const m = await startMosquitto(users, undefined, undefined, config);
  return {
    url: m.url,
    close: async () => {
      await m.stop();
      removeDir(m.dir);
    },
  };
}
