import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AgentLink } from '../../src/agent/mqtt/agent-link.ts';
import { CommandService } from '../../src/agent/command/command-service.ts';
import { ConfigTransaction } from '../../src/agent/command/config-transaction.ts';
import { RealScheduler } from '../../src/core/real-scheduler.ts';
import { startController, type RunningController } from '../../src/controller/controller.ts';
import type { LiveChange } from '../../src/controller/ingest.ts';
import { CredentialStore } from '../../src/mqtt/credential-store.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/mqtt/embedded-broker.ts';
import type { NodeState } from '../../src/mqtt/messages.ts';
import { hashPassword } from '../../src/mqtt/password-hash.ts';
import { waitFor } from '../openwrt/wait-for.ts';

const SITE = 'lab';
const scheduler = new RealScheduler();
const dbPath = join(mkdtempSync(join(tmpdir(), 'im-e2e-')), 'controller.db');
let broker: EmbeddedBroker;

beforeAll(async () => {
  broker = await startEmbeddedBroker({
    port: 0,
    credentials: CredentialStore.fromUsers([
      { username: 'controller', role: 'controller', password_hash: hashPassword('ctl') },
      { username: 'node-1', role: 'node', password_hash: hashPassword('n1') },
    ]),
  });
});
afterAll(async () => {
  await broker.close();
});

const startCtl = () =>
  startController({
    site: SITE,
    dbPath,
    mqttUrl: broker.url,
    mqttPassword: 'ctl',
    scheduler,
    port: 0,
    adminPassword: 'admin-pw',
    // This fake node runs a toy configuration ({ weight }) that its own validator accepts.
    validatePush: () => [],
  });

/** Logs in and follows /api/live; `until` resolves on the first change matching. */
async function follow(ctl: RunningController) {
  const res = await fetch(`${ctl.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'admin-pw' }),
  });
  const { token } = (await res.json()) as { token: string };
  const ws = new WebSocket(`${ctl.url.replace('http', 'ws')}/api/live`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const seen: LiveChange[] = [];
  const waiters: { match: (c: LiveChange) => boolean; resolve: (c: LiveChange) => void }[] = [];
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data)) as { type: string; changes?: LiveChange[] };
    for (const c of msg.changes ?? []) {
      seen.push(c);
      for (const w of waiters.splice(0)) {
        if (w.match(c)) w.resolve(c);
        else waiters.push(w);
      }
    }
  });
  await new Promise((resolve) => ws.once('message', resolve));
  return {
    token,
    ws,
    until: (match: (c: LiveChange) => boolean) => {
      const hit = seen.find(match);
      return hit
        ? Promise.resolve(hit)
        : new Promise<LiveChange>((resolve) => waiters.push({ match, resolve }));
    },
  };
}

function state(weight: number): NodeState {
  return {
    node: 'node-1',
    at: scheduler.now(),
    uptime_s: 1,
    role: 'gateway',
    wans: [{ name: 'wan', kind: 'ethernet', state: 'up', active: true, share: weight > 0 ? 1 : 0 }],
    gateway: { announcing: true, bandwidth_down_kbit: 1, bandwidth_up_kbit: 1, selected: null },
    neighbours: [],
  };
}

describe('controller end to end over a real broker', () => {
  it('sees a node, pushes it a configuration, and marks it offline when it dies', async () => {
    const ctl = await startCtl();
    const live = await follow(ctl);
    expect(ctl.admin.source).toBe('environment');

    // No reconnection: this node is going to die for good.
    const link = await AgentLink.connect({
      reconnectPeriodMs: 0,
      url: broker.url,
      site: SITE,
      node: 'node-1',
      password: 'n1',
      clock: scheduler,
    });
    const applied: number[] = [];
    const tx = new ConfigTransaction<{ weight: number }>({
      node: 'node-1',
      initial: { version: 'v1', config: { weight: 1 } },
      validate: (c) => ({ ok: true, config: c as { weight: number } }),
    });
    new CommandService({
      link,
      scheduler,
      transaction: tx,
      apply: async (c) => {
        applied.push(c.weight);
      },
    }).start();
    await link.publishState(state(1));
    await live.until((c) => c.type === 'node' && c.node === 'node-1');

    const push = await fetch(`${ctl.url}/api/config/push`, {
      method: 'POST',
      headers: { authorization: `Bearer ${live.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ node: 'node-1', version: 'v2', config: { weight: 4 } }),
    });
    expect(push.status).toBe(202);
    await live.until((c) => c.type === 'push' && c.push.status === 'confirmed');
    expect(applied).toEqual([4]);
    expect(tx.current.version).toBe('v2');
    // Retained messages may overtake others in the broker, so wait for the report itself.
    await waitFor(
      'the node to report v2',
      async () => (await ctl.store.nodes.config('node-1'))?.version === 'v2',
      10_000,
    );
    expect((await ctl.store.nodes.config('node-1'))?.config).toEqual({ weight: 4 });

    // An abrupt death: the broker publishes the node's last will.
    (link as unknown as { client: { stream: { destroy(): void } } }).client.stream.destroy();
    const alert = await live.until((c) => c.type === 'alert' && c.alert.kind === 'node-offline');
    expect(alert.type === 'alert' && alert.alert.node).toBe('node-1');
    const res = await fetch(`${ctl.url}/api/nodes`, {
      headers: { authorization: `Bearer ${live.token}` },
    });
    const nodes = (await res.json()) as { node: string; online: boolean }[];
    expect(nodes[0]).toMatchObject({ node: 'node-1', online: false });
    // The MQTT session's counters reach Prometheus: one connection, batches stored, no bad packet.
    const metrics = await (
      await fetch(`${ctl.url}/metrics`, { headers: { authorization: `Bearer ${live.token}` } })
    ).text();
    expect(metrics).toContain('intelli_mesh_mqtt_connects_total 1');
    expect(metrics).toContain('intelli_mesh_mqtt_bad_packets_total 0');
    const batches = /intelli_mesh_mqtt_batches_total (\d+)/.exec(metrics)?.[1];
    expect(Number(batches)).toBe(ctl.link.stats.batches);
    expect(Number(batches)).toBeGreaterThan(0);
    live.ws.close();
    await ctl.close();
  });

  it('loses nothing a node sent while the controller was down', async () => {
    const link = await AgentLink.connect({
      url: broker.url,
      site: SITE,
      node: 'node-1',
      password: 'n1',
      clock: scheduler,
    });
    for (let i = 0; i < 20; i++) {
      await link.publishEvent({
        at: scheduler.now(),
        node: 'node-1',
        kind: 'test',
        subject: 's',
        from: null,
        to: null,
        reason: `while-down-${i}`,
      });
    }
    const ctl = await startCtl();
    // Aedes hands a returning session its queue while live messages flow, so a marker sent now
    // may overtake it: wait for every queued message itself (the test's deadline bounds it).
    const wanted = [...Array.from({ length: 20 }, (_, i) => `while-down-${i}`), 'after-restart'];
    const stored = async () =>
      new Set((await ctl.store.events.query({ node: 'node-1', limit: 1000 })).map((e) => e.reason));
    const all = waitFor(
      'every queued event stored',
      async () => {
        const s = await stored();
        return wanted.every((r) => s.has(r));
      },
      20_000,
    );
    await link.publishEvent({
      at: scheduler.now(),
      node: 'node-1',
      kind: 'test',
      subject: 's',
      from: null,
      to: null,
      reason: 'after-restart',
    });
    await all;
    const s = await stored();
    for (const reason of wanted) expect(s).toContain(reason);
    await link.close();
    await ctl.close();
  });
});
