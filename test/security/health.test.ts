/**
 * Issue 12, finding 4 (second half): the broker thread that died stayed dead and `/api/health`
 * still said `ok: true`. Now a dead thread is logged as an error and restarted (with backoff) on
 * the same port, and `/api/health` reports broker, store and ingest separately, answering HTTP 503
 * when one of them fails.
 */
import type { SqliteSession } from '../../src/controller/store/sqlite-session.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import type { Logger } from '../../src/core/logger.ts';
import { RealScheduler } from '../../src/core/real-scheduler.ts';
import { VirtualScheduler } from '../../src/core/virtual-scheduler.ts';
import { startController, type RunningController } from '../../src/controller/controller.ts';
import { CredentialStore } from '../../src/mqtt/credential-store.ts';
import type { BrokerThread } from '../../src/mqtt/broker-thread.ts';
import { superviseBrokerThread, type SupervisedBroker } from '../../src/mqtt/broker-supervisor.ts';
import { hashPassword } from '../../src/mqtt/password-hash.ts';
import { nodeTopic } from '../../src/mqtt/topics.ts';
import { removeDir } from '../mqtt/mosquitto-process.ts';
import type { HealthReport } from '../../src/controller/http/health.ts';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const credentials = () =>
  CredentialStore.fromUsers([
    { username: 'controller', role: 'controller', password_hash: hashPassword('ctl-pw') },
    { username: 'node-1', role: 'node', password_hash: hashPassword('n1-pw') },
  ]);

function recordingLogger(): Logger & { errors: string[] } {
  const errors: string[] = [];
  const noop = () => {};
  return {
    errors,
    debug: noop,
    info: noop,
    warn: noop,
    error: ((obj: object | string, msg?: string) => {
      errors.push(typeof obj === 'string' ? obj : (msg ?? JSON.stringify(obj)));
    }) as Logger['error'],
  };
}

async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function canLogIn(url: string): Promise<boolean> {
  return mqtt
    .connectAsync(url, {
      username: 'node-1',
      password: 'n1-pw',
      clientId: 'node-1',
      reconnectPeriod: 0,
      connectTimeout: 2000,
    })
    .then(
      async (c) => {
        await c.endAsync();
        return true;
      },
      () => false,
    );
}

describe('a supervised broker thread', () => {
  it('is restarted on the same port when it dies, and says so loudly', async () => {
    const logger = recordingLogger();
    const broker = await superviseBrokerThread({
      credentials: credentials(),
      port: 0,
      scheduler: new RealScheduler(),
      restartMinMs: 50,
      logger,
    });
    cleanups.push(() => broker.close());
    expect(await canLogIn(broker.url)).toBe(true);

    await broker.current()!.terminate();
    await until('the restart', () => broker.health().restarts === 1 && broker.health().ok);
    expect(broker.health().lastDeath).toMatch(/exited/);
    expect(logger.errors.join('\n')).toMatch(/broker thread died/);
    expect(logger.errors.join('\n')).toMatch(/broker thread restarted/);
    expect(await canLogIn(broker.url)).toBe(true);
  }, 30_000);

  it('loses nothing a node saw acknowledged when its thread dies mid-stream', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'im-thread-death-'));
    cleanups.push(() => removeDir(dir));
    const broker = await superviseBrokerThread({
      credentials: credentials(),
      port: 0,
      journalPath: join(dir, 'c.db.broker-journal'),
      scheduler: new RealScheduler(),
      restartMinMs: 50,
    });
    cleanups.push(() => broker.close());
    const ctl = await startController({
      site: 'lab',
      dbPath: join(dir, 'c.db'),
      mqttUrl: broker.url,
      mqttPassword: 'ctl-pw',
      scheduler: new RealScheduler(),
      port: 0,
      adminPassword: 'admin-pw',
      brokerHealth: broker.health,
    });
    cleanups.push(() => ctl.close());
    const node = await mqtt.connectAsync(broker.url, {
      username: 'node-1',
      password: 'n1-pw',
      clientId: 'node-1',
      reconnectPeriod: 100,
    });
    cleanups.push(() => node.endAsync(true));
    const acked = new Set<string>();
    let next = 0;
    const total = 400;
    const publishing = Promise.all(
      Array.from({ length: 20 }, async () => {
        while (next < total) {
          const reason = `k${next++}`;
          await node.publishAsync(
            nodeTopic('lab', 'node-1', 'events'),
            JSON.stringify({
              at: 1,
              node: 'node-1',
              kind: 't',
              subject: 's',
              from: null,
              to: null,
              reason,
            }),
            { qos: 1 },
          );
          acked.add(reason);
        }
      }),
    );
    await until('100 acknowledged', () => acked.size >= 100);
    await broker.current()!.terminate();
    await publishing;
    const stored = async () =>
      new Set((await ctl.store.events.query({ limit: 1000 })).map((e) => e.reason));
    await until('every acknowledged message stored', async () => {
      const s = await stored();
      return [...acked].every((r) => s.has(r));
    });
    expect(acked.size).toBe(total);
    expect(broker.health()).toMatchObject({ ok: true, restarts: 1 });
  }, 60_000);

  it('backs off while restarts fail, and reports the broker down meanwhile', async () => {
    const scheduler = new VirtualScheduler();
    let attempts = 0;
    let kill: ((reason: string) => void) | undefined;
    const thread = (): BrokerThread => ({
      url: 'mqtt://127.0.0.1:1',
      wsUrl: undefined,
      listeners: [{ protocol: 'mqtt', host: '127.0.0.1', port: 1, url: 'mqtt://127.0.0.1:1' }],
      died: new Promise((resolve) => (kill = (reason) => resolve({ reason }))),
      close: async () => {},
      terminate: async () => {},
    });
    const broker = await superviseBrokerThread({
      credentials: credentials(),
      scheduler,
      restartMinMs: 100,
      restartMaxMs: 1000,
      start: async () => {
        attempts++;
        if (attempts === 1 || attempts >= 4) return thread();
        throw new Error('port in use');
      },
    });
    kill!('boom');
    await new Promise((resolve) => setImmediate(resolve));
    expect(broker.health()).toMatchObject({ ok: false, lastDeath: 'boom', restarts: 0 });
    const at = (ms: number) => {
      scheduler.runUntil(ms);
      return new Promise((resolve) => setImmediate(resolve));
    };
    await at(99);
    expect(attempts).toBe(1);
    await at(100); // first retry after 100 ms: fails
    expect(attempts).toBe(2);
    await at(299);
    expect(attempts).toBe(2);
    await at(300); // then 200 ms later: fails
    expect(attempts).toBe(3);
    await at(699);
    expect(attempts).toBe(3);
    await at(700); // then 400 ms later: works
    expect(attempts).toBe(4);
    expect(broker.health()).toMatchObject({ ok: true, restarts: 1 });
    await broker.close();
  });
});

describe('/api/health', () => {
  async function controllerWithBroker(): Promise<{
    ctl: RunningController;
    broker: SupervisedBroker;
  }> {
    const broker = await superviseBrokerThread({
      credentials: credentials(),
      port: 0,
      scheduler: new RealScheduler(),
      // Long enough that the test sees it down.
      restartMinMs: 60_000,
    });
    cleanups.push(() => broker.close());
    const ctl = await startController({
      site: 'lab',
      dbPath: ':memory:',
      mqttUrl: broker.url,
      mqttPassword: 'ctl-pw',
      scheduler: new RealScheduler(),
      port: 0,
      adminPassword: 'admin-pw',
      brokerHealth: broker.health,
    });
    cleanups.push(() => ctl.close());
    return { ctl, broker };
  }

  const health = async (url: string) => {
    const res = await fetch(`${url}/api/health`);
    return { status: res.status, body: (await res.json()) as HealthReport };
  };

  it('reports broker, store and ingest, each ok, with 200', async () => {
    const { ctl } = await controllerWithBroker();
    const h = await health(ctl.url);
    expect(h.status).toBe(200);
    expect(h.body).toMatchObject({
      ok: true,
      mqtt_connected: true,
      broker: { ok: true, layout: 'thread', restarts: 0 },
      store: { ok: true },
      ingest: { ok: true, connected: true },
      // One process on SQLite: no cluster (test/controller/cluster-ops.test.ts has the clustered one).
      cluster: { enabled: false },
    });
    expect(typeof h.body.ingest.lagMs).toBe('number');
  });

  it('answers 503 naming the broker when its thread has died', async () => {
    const { ctl, broker } = await controllerWithBroker();
    await broker.current()!.terminate();
    let h = await health(ctl.url);
    await until('health to fail', async () => (h = await health(ctl.url)).status === 503);
    expect(h.body).toMatchObject({
      ok: false,
      broker: { ok: false, layout: 'thread' },
      store: { ok: true },
    });
    expect((h.body.broker as { lastDeath?: string }).lastDeath).toMatch(/exited/);
  }, 30_000);

  it('answers 503 naming the store when the database no longer answers', async () => {
    const { ctl } = await controllerWithBroker();
    // The database file is gone from under the controller: its next query fails.
    (ctl.store.sql as SqliteSession).close();
    const h = await health(ctl.url);
    expect(h.status).toBe(503);
    expect(h.body).toMatchObject({ ok: false, broker: { ok: true }, store: { ok: false } });
    expect(h.body.store.error).toMatch(/not open/);
  });
});
