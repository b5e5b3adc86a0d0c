/**
 * Starts a real NATS cluster (Debian's `nats-server` 2.9) speaking MQTT over JetStream: N servers
 * on private ports and temporary directories, each with the configuration we render
 * (`src/mqtt/nats-config.ts`), routed to each other. Readiness is read from the servers' logs
 * (each one says it is ready, and one of them that a JetStream metadata leader is elected), then
 * from an MQTT login on every server: the first one creates the MQTT streams, and a just-formed
 * cluster may turn logins away until their replicas are placed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { renderNatsConfig, type NatsUser } from '../../src/mqtt/nats-config.ts';
import { freePort } from './mosquitto-process.ts';

/** Why the cluster cannot run here, or undefined when it can. */
export function natsUnavailable(): string | undefined {
  const probe = spawnSync('nats-server', ['--version'], { encoding: 'utf8' });
  if (probe.error) return 'needs the nats-server Debian package (.ci/run installs it)';
  return undefined;
}

interface ServerSlot {
  name: string;
  mqttPort: number;
  clientPort: number;
  clusterPort: number;
  conf: string;
  child: ChildProcess | undefined;
  log: string;
}

export interface NatsCluster {
  /** Each server's MQTT address, in order. */
  urls: string[];
  /** Every server's log so far (for a failing test's message). */
  logs(): string;
  /** Stops server `i` (SIGTERM, waits for its exit); its data stays for a restart. */
  stop(i: number): Promise<void>;
  /** Starts server `i` again on its ports and data; resolves once it is routed and ready. */
  restart(i: number): Promise<void>;
  close(): Promise<void>;
}

const LEADER =
  /JetStream cluster new metadata leader|Self is new JetStream cluster metadata leader/;

export async function startNatsCluster(
  users: readonly NatsUser[],
  options: { servers?: number; site?: string } = {},
): Promise<NatsCluster> {
  const count = options.servers ?? 2;
  const dir = mkdtempSync(join(tmpdir(), 'im-nats-'));
  const slots: ServerSlot[] = [];
  for (let i = 0; i < count; i++) {
    slots.push({
      name: `n${i + 1}`,
      mqttPort: await freePort(),
      clientPort: await freePort(),
      clusterPort: await freePort(),
      conf: join(dir, `n${i + 1}.conf`),
      child: undefined,
      log: '',
    });
  }
  for (const slot of slots) {
    const text = renderNatsConfig({
      serverName: slot.name,
      mqttPort: slot.mqttPort,
      clientPort: slot.clientPort,
      clusterPort: slot.clusterPort,
      routes: slots.filter((s) => s !== slot).map((s) => `127.0.0.1:${s.clusterPort}`),
      storeDir: join(dir, slot.name),
      users,
      site: options.site,
      maxFileStoreBytes: 64 * 1024 * 1024,
    });
    writeFileSync(slot.conf, text, { mode: 0o600 });
  }

  const launch = (slot: ServerSlot): Promise<void> => {
    const child = spawn('nats-server', ['-c', slot.conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    slot.child = child;
    return new Promise<void>((resolve, reject) => {
      child.stderr!.on('data', (chunk: Buffer) => {
        slot.log += chunk.toString();
        if (slot.log.includes('Server is ready')) resolve();
      });
      child.once('exit', (code) =>
        reject(new Error(`nats-server ${slot.name} exited ${code}: ${slot.log}`)),
      );
    });
  };
  /** Resolves when a log written after `marks` names an elected metadata leader. */
  const leaderElected = (marks: number[], deadlineMs: number) =>
    new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const poll = () => {
        if (slots.some((s, i) => LEADER.test(s.log.slice(marks[i])))) return resolve();
        if (Date.now() - started > deadlineMs)
          return reject(new Error(`no JetStream metadata leader in ${deadlineMs} ms:\n${logs()}`));
        setTimeout(poll, 25);
      };
      poll();
    });
  const logs = () => slots.map((s) => `--- ${s.name}\n${s.log}`).join('\n');

  const marks = slots.map(() => 0);
  await Promise.all(slots.map(launch));
  await leaderElected(marks, 15_000);
  const probe = users[0];
  if (probe)
    for (const slot of slots) await acceptsLogin(`mqtt://127.0.0.1:${slot.mqttPort}`, probe, logs);

  const stop = async (i: number) => {
    const child = slots[i]!.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      // The launch's listener would report this exit as a failure to start.
      child.removeAllListeners('exit');
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  };
  return {
    urls: slots.map((s) => `mqtt://127.0.0.1:${s.mqttPort}`),
    logs,
    stop,
    restart: async (i) => {
      const after = slots.map((s) => s.log.length);
      await launch(slots[i]!);
      await leaderElected(after, 20_000);
    },
    close: async () => {
      await Promise.all(slots.map((_, i) => stop(i)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves once `url` accepts a login of `user` (clean session); retries until a deadline. */
async function acceptsLogin(url: string, user: NatsUser, logs: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const client = mqtt.connect(url, {
      username: user.username,
      password: user.password,
      clientId: `${user.username}:probe`,
      reconnectPeriod: 0,
      connectTimeout: 5_000,
    });
    const ok = await new Promise<boolean>((resolve) => {
      client.once('connect', () => resolve(true));
      client.once('error', () => resolve(false));
      client.once('close', () => resolve(false));
    });
    await client.endAsync(true);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${url} refused MQTT logins for 20 s:\n${logs()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
