/**
 * A node's own rejection of a push comes back over MQTT with its structured issues, is kept on
 * the push record and served by the API. The controller here is told to let everything through
 * (as one whose idea of the node is out of date would), so the node's validator is the one that
 * speaks: the real runtime-config validator of a demo node, behind a real ConfigTransaction,
 * CommandService and AgentLink, over a real broker.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandService } from '../../src/agent/command/command-service.ts';
import { ConfigTransaction } from '../../src/agent/command/config-transaction.ts';
import { AgentLink } from '../../src/agent/mqtt/agent-link.ts';
import { startController, type RunningController } from '../../src/controller/controller.ts';
import type { ConfigPush } from '../../src/controller/store/push-repo.ts';
import { RealScheduler } from '../../src/core/real-scheduler.ts';
import {
  defaultRuntimeConfig,
  validateRuntimeConfig,
  type NodeRuntimeConfig,
} from '../../src/demo/node-runtime-config.ts';
import { CredentialStore } from '../../src/mqtt/credential-store.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/mqtt/embedded-broker.ts';
import { hashPassword } from '../../src/mqtt/password-hash.ts';

const SITE = 'lab';
const scheduler = new RealScheduler();
const WANS = [
  { name: 'wan', kind: 'ethernet', latencyMs: 0, bandwidthDownKbit: 0, bandwidthUpKbit: 0 },
  { name: 'lte', kind: 'modem', latencyMs: 0, bandwidthDownKbit: 0, bandwidthUpKbit: 0 },
] as const;
let broker: EmbeddedBroker;
let ctl: RunningController;
let link: AgentLink;

beforeAll(async () => {
  broker = await startEmbeddedBroker({
    port: 0,
    credentials: CredentialStore.fromUsers([
      { username: 'controller', role: 'controller', password_hash: hashPassword('ctl') },
      { username: 'n1', role: 'node', password_hash: hashPassword('n1') },
    ]),
  });
  ctl = await startController({
    site: SITE,
    dbPath: join(mkdtempSync(join(tmpdir(), 'im-reject-')), 'controller.db'),
    mqttUrl: broker.url,
    mqttPassword: 'ctl',
    scheduler,
    port: 0,
    adminPassword: 'admin-pw',
    validatePush: () => [],
  });
  link = await AgentLink.connect({
    url: broker.url,
    site: SITE,
    node: 'n1',
    password: 'n1',
    clock: scheduler,
    reconnectPeriodMs: 0,
  });
  const wanNames = WANS.map((w) => w.name);
  new CommandService({
    link,
    scheduler,
    transaction: new ConfigTransaction<NodeRuntimeConfig>({
      node: 'n1',
      initial: { version: 'default-1', config: defaultRuntimeConfig([...WANS]) },
      validate: (input) => {
        const v = validateRuntimeConfig(input, wanNames);
        return v.ok ? { ok: true, config: v.config.raw } : v;
      },
    }),
    apply: async () => {},
  }).start();
}, 30_000);

afterAll(async () => {
  await link?.close();
  await ctl?.close();
  await broker?.close();
});

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("a node's rejection of a push", () => {
  it('lands on the push record with every issue and its path', async () => {
    const login = await fetch(`${ctl.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'admin-pw' }),
    });
    const { token } = (await login.json()) as { token: string };
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    await link.publishState({
      node: 'n1',
      at: scheduler.now(),
      uptime_s: 1,
      role: 'gateway',
      wans: [],
      gateway: { announcing: true, bandwidth_down_kbit: 1, bandwidth_up_kbit: 1, selected: null },
      neighbours: [],
    });
    await until('n1 known', async () => (await ctl.store.nodes.get('n1')) ?? undefined);

    const bad = structuredClone(defaultRuntimeConfig([...WANS])) as unknown as {
      policy: { members: Record<string, unknown>[] };
      trackers: Record<string, Record<string, unknown>>;
    } & Record<string, unknown>;
    bad.policy.members[0]!.weight = 'abc';
    bad.trackers.wan!.down = -5;
    bad.trackers.lte!.intervalMs = 0;
    bad.vlans = [];
    const push = await fetch(`${ctl.url}/api/config/push`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ node: 'n1', version: 'v2', config: bad }),
    });
    expect(push.status).toBe(202);
    const { id } = (await push.json()) as { id: string };

    const rejected = await until('the rejection', async () => {
      const list = (await (
        await fetch(`${ctl.url}/api/config/pushes?node=n1`, { headers })
      ).json()) as ConfigPush[];
      const p = list.find((x) => x.id === id);
      return p?.status === 'rejected' ? p : undefined;
    });
    expect(rejected.reason).toBe('4 validation error(s); default-1 kept');
    expect(rejected.issues).toEqual(
      expect.arrayContaining([
        { path: 'vlans', message: 'unknown key' },
        { path: 'policy.members[0].weight', message: 'expected a number' },
        { path: 'trackers.wan.down', message: 'must be greater than 0' },
        { path: 'trackers.lte.intervalMs', message: 'must be greater than 0' },
      ]),
    );
    expect(rejected.issues).toHaveLength(4);
    // Kept in SQLite, not only in the live message.
    expect((await ctl.store.pushes.get(id))?.issues).toEqual(rejected.issues);
  }, 30_000);
});
