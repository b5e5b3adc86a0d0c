/**
 * Starts a real Mosquitto (Debian's package) with a rendered configuration in a temporary
 * directory, for tests and benches. Readiness is read from Mosquitto's own log line.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
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

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
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
