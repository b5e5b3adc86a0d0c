/**
 * Issue 12, finding 1: a QoS 1 message a node saw acknowledged is stored, whatever happens to the
 * controller process. For each broker layout the real `intelli-mesh controller` is spawned, a
 * node publishes a numbered stream of events, the process is killed with SIGKILL mid-stream and
 * started again on the same database, and then every number the node got a PUBACK for must be in
 * the events table; copies beyond the first are counted and bounded. The node is mqtt.js, and
 * then Debian's mosquitto_pub at 2,000 messages a second (the client the issue found the loss
 * with), whose PUBACKs are read from its debug output.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/mqtt/password-hash.ts';
import { nodeTopic } from '../../src/mqtt/topics.ts';
import { startControllerProcess, type ControllerProcess } from '../cli/controller-process.ts';
import {
  freePort,
  mosquittoAvailable,
  removeDir,
  startMosquitto,
} from '../mqtt/mosquitto-process.ts';

const TOPIC = nodeTopic('lab', 'node-1', 'events');
/** Publishes in flight at once, as a busy node's outbox would have. */
const IN_FLIGHT = 20;

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Layout {
  /** What /api/health names it. */
  layout: 'thread' | 'in-process' | 'external';
  /** Starts whatever outlives the controller (Mosquitto), and gives the controller's arguments. */
  prepare(
    dir: string,
    dbPath: string,
  ): Promise<{ url: string; args: string[]; env?: NodeJS.ProcessEnv }>;
}

async function embedded(dir: string, dbPath: string, extra: string[]) {
  const credentials = join(dir, 'users.yaml');
  writeFileSync(
    credentials,
    `users:\n  - username: node-1\n    role: node\n    password_hash: "${hashPassword('n1-pw')}"\n`,
  );
  const port = await freePort();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    args: ['--credentials', credentials, '--mqtt-port', String(port), '--db', dbPath, ...extra],
  };
}

const layouts: [string, Layout][] = [
  [
    'embedded broker on its thread (default)',
    { layout: 'thread', prepare: (d, db) => embedded(d, db, []) },
  ],
  [
    'embedded broker in the process (--mqtt-in-process)',
    { layout: 'in-process', prepare: (d, db) => embedded(d, db, ['--mqtt-in-process']) },
  ],
];
if (mosquittoAvailable()) {
  layouts.push([
    'external Mosquitto',
    {
      layout: 'external',
      prepare: async (dir, dbPath) => {
        mkdirSync(join(dir, 'mosquitto'));
        const m = await startMosquitto(
          [
            { username: 'controller', password: 'ctl-pw', role: 'controller' },
            { username: 'node-1', password: 'n1-pw', role: 'node' },
          ],
          join(dir, 'mosquitto'),
        );
        cleanups.push(() => m.stop());
        return {
          url: m.url,
          args: ['--mqtt-url', m.url, '--db', dbPath],
          env: { INTELLI_MESH_MQTT_PASSWORD: 'ctl-pw' },
        };
      },
    },
  ]);
} else {
  describe('kill -9 durability: external Mosquitto', () => {
    it.skip('needs the mosquitto Debian package (.ci/run installs it)', async () => {});
  });
}

/** How many times each event number is in the controller's file (read by a second connection). */
function storedCopies(dbPath: string): Map<number, number> {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare<[], { reason: string; n: number }>(
        'SELECT reason, COUNT(*) AS n FROM events GROUP BY reason',
      )
      .all();
    return new Map(rows.map((r) => [Number(r.reason.slice(1)), r.n]));
  } finally {
    db.close();
  }
}

const event = (i: number) =>
  JSON.stringify({
    at: 1,
    node: 'node-1',
    kind: 'test',
    subject: 's',
    from: null,
    to: null,
    reason: `k${i}`,
  });

async function startController(
  args: string[],
  env?: NodeJS.ProcessEnv,
): Promise<ControllerProcess> {
  const ctl = await startControllerProcess(['--site', 'lab', '--port', '0', ...args], {
    env,
    timeoutMs: 30_000,
  });
  cleanups.push(() => ctl.stop());
  return ctl;
}

async function killHard(ctl: ControllerProcess): Promise<void> {
  const exited = new Promise((resolve) => ctl.child.once('exit', resolve));
  ctl.child.kill('SIGKILL');
  await exited;
}

async function until(what: string, ok: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

for (const [name, { layout, prepare }] of layouts) {
  describe(`kill -9 durability: ${name}`, () => {
    it('stores every message the node saw acknowledged; duplicates are few and counted', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'im-kill9-'));
      cleanups.push(() => removeDir(dir));
      const dbPath = join(dir, 'controller.db');
      const { url, args, env } = await prepare(dir, dbPath);
      const first = await startController(args, env);

      const node: MqttClient = await mqtt.connectAsync(url, {
        username: 'node-1',
        password: 'n1-pw',
        clientId: 'node-1',
        reconnectPeriod: 100,
      });
      cleanups.push(() => node.endAsync(true));
      const acked = new Set<number>();
      let next = 0;
      let stopped = false;
      const publishers = Array.from({ length: IN_FLIGHT }, async () => {
        while (!stopped) {
          const i = next++;
          await node.publishAsync(TOPIC, event(i), { qos: 1 });
          acked.add(i);
        }
      });
      void Promise.allSettled(publishers);

      // Mid-stream: the node has had hundreds acknowledged and has more in flight.
      await until('500 acknowledgements', () => acked.size >= 500, 30_000);
      await killHard(first);
      stopped = true;
      const ackedAtKill = acked.size;
      const sentAtKill = next;

      const second = await startController(args, env);
      // What was in flight at the kill is resent by the node once it is back; wait for all of it.
      await until('the node to have every publish acknowledged', () => acked.size === next, 30_000);
      let copies = storedCopies(dbPath);
      await until(
        'every acknowledged message to be stored',
        () => [...acked].every((i) => (copies = storedCopies(dbPath)).has(i)),
        30_000,
      ).catch(() => {});

      const missing = [...acked].filter((i) => !copies.has(i)).sort((a, b) => a - b);
      const duplicates = [...copies.values()].reduce((sum, n) => sum + n - 1, 0);
      console.log(
        `${name}: sent ${next}, acknowledged ${acked.size} (${ackedAtKill} before the kill), ` +
          `stored ${copies.size}, missing ${missing.length}, duplicates ${duplicates}`,
      );
      expect(ackedAtKill).toBeGreaterThanOrEqual(500);
      expect(next).toBe(sentAtKill);
      expect(missing).toEqual([]);
      // Nothing stored that was never sent.
      expect([...copies.keys()].filter((i) => !(i >= 0 && i < next))).toEqual([]);
      // A copy twice at most: a message the controller committed whose acknowledgement died with
      // the process is delivered again (from the broker's journal or queue, or resent by the
      // node). Only what was in flight around the kill can be: a bounded handful.
      expect(Math.max(...copies.values())).toBeLessThanOrEqual(3);
      expect(duplicates).toBeLessThanOrEqual(4 * IN_FLIGHT);

      // And the restarted controller says all of it works, naming its broker layout.
      const health = await fetch(`${second.url}/api/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({
        ok: true,
        broker: { ok: true, layout },
        store: { ok: true },
        ingest: { ok: true },
      });
    }, 120_000);

    it.skipIf(!MOSQUITTO_PUB)(
      "stores every message Debian's mosquitto_pub saw acknowledged at 2,000 msg/s",
      async () => {
        const dir = mkdtempSync(join(tmpdir(), 'im-kill9-pub-'));
        cleanups.push(() => removeDir(dir));
        const dbPath = join(dir, 'controller.db');
        const { url, args, env } = await prepare(dir, dbPath);
        const first = await startController(args, env);

        const pub = mosquittoPub(url);
        cleanups.push(() => pub.stop());
        // 2,000 lines a second, in batches of 20 every 10 ms, as the run.
        let fed = 0;
        const feeder = setInterval(() => {
          for (let k = 0; k < 20 && fed < MAX_LINES; k++) pub.write(event(fed++));
        }, 10);
        cleanups.push(() => clearInterval(feeder));

        await until('1,000 acknowledgements', () => pub.acked().size >= 1000, 30_000);
        await killHard(first);
        clearInterval(feeder);
        const ackedAtKill = pub.acked().size;
        // The embedded broker died with the process: mosquitto_pub has lost its connection and
        // nothing more is acknowledged. Mosquitto lives on and acknowledges the rest it was sent.
        pub.end();
        await pub.exited(layout === 'external' ? 20_000 : 2_000);
        const acked = pub.acked();

        await startController(args, env);
        let copies = storedCopies(dbPath);
        await until(
          'every acknowledged message to be stored',
          () => [...acked].every((i) => (copies = storedCopies(dbPath)).has(i)),
          30_000,
        ).catch(() => {});

        const missing = [...acked].filter((i) => !copies.has(i)).sort((a, b) => a - b);
        const duplicates = [...copies.values()].reduce((sum, n) => sum + n - 1, 0);
        console.log(
          `${name}, mosquitto_pub: fed ${fed}, acknowledged ${acked.size} (${ackedAtKill} before the kill), ` +
            `stored ${copies.size}, missing ${missing.length}, duplicates ${duplicates}`,
        );
        expect(ackedAtKill).toBeGreaterThanOrEqual(1000);
        expect(missing).toEqual([]);
        expect([...copies.keys()].filter((i) => !(i >= 0 && i < fed))).toEqual([]);
        // mosquitto_pub keeps 20 messages in flight (libmosquitto's default), as IN_FLIGHT.
        expect(Math.max(...copies.values())).toBeLessThanOrEqual(3);
        expect(duplicates).toBeLessThanOrEqual(4 * IN_FLIGHT);
      },
      90_000,
    );
  });
}

/** Lines one mosquitto_pub run may be fed: 4 s at 2,000 a second, far beyond the kill. */
const MAX_LINES = 8000;
const MOSQUITTO_PUB = spawnSync('mosquitto_pub', ['--help']).error === undefined;
if (!MOSQUITTO_PUB) {
  describe('kill -9 durability with mosquitto_pub', () => {
    it.skip('needs the mosquitto-clients Debian package (.ci/run installs it)', async () => {});
  });
}

/**
 * Debian's mosquitto_pub reading one message per line (`-l`) at QoS 1, with its debug output
 * (`-d`): "sending PUBLISH (d0, q1, r0, m7, …)" gives each new message its id in line order, and
 * "received PUBACK (Mid: 7, …)" says which were acknowledged. Returns the acknowledged lines'
 * numbers, which are the event numbers fed.
 */
function mosquittoPub(url: string) {
  const { hostname, port } = new URL(url);
  const child = spawn(
    'mosquitto_pub',
    ['-h', hostname, '-p', port, '-u', 'node-1', '-P', 'n1-pw', '-i', 'node-1'].concat([
      '-t',
      TOPIC,
      '-q',
      '1',
      '-l',
      '-d',
    ]),
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  child.stdin.on('error', () => {}); // the broker went away: mosquitto_pub may have exited
  const lineOfMid = new Map<number, number>();
  const acked = new Set<number>();
  let sent = 0;
  let buffer = '';
  const read = (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines) {
      const publish = /sending PUBLISH \(d0, q1, r0, m(\d+),/.exec(line);
      if (publish) lineOfMid.set(Number(publish[1]), sent++);
      const puback = /received PUBACK \(Mid: (\d+),/.exec(line);
      const at = puback ? lineOfMid.get(Number(puback[1])) : undefined;
      if (at !== undefined) acked.add(at);
    }
  };
  child.stdout.on('data', read);
  child.stderr.on('data', read);
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    write: (line: string) => void (child.stdin.writable && child.stdin.write(line + '\n')),
    end: () => child.stdin.end(),
    acked: () => acked,
    /** Waits for it to finish on its own, then ends it. */
    exited: async (ms: number) => {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exit, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
      clearTimeout(timer);
      if (child.exitCode === null) child.kill('SIGKILL');
      await exit;
    },
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
