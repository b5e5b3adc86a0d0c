/**
 * `/metrics` of a real controller, with a node reporting over a real broker, passes Debian's
 * `promtool check metrics` with no warning: counters end in `_total`, gauges do not, units are
 * base units named in the metric (`_seconds`, `_ratio`, `_bytes`), every metric has help.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentLink } from '../../src/agent/mqtt/agent-link.ts';
import { RealScheduler } from '../../src/core/real-scheduler.ts';
import { startController, type RunningController } from '../../src/controller/controller.ts';
import { CredentialStore } from '../../src/mqtt/credential-store.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/mqtt/embedded-broker.ts';
import { hashPassword } from '../../src/mqtt/password-hash.ts';

const PROMTOOL = '/usr/bin/promtool';
const hasPromtool = existsSync(PROMTOOL);
const scheduler = new RealScheduler();
let broker: EmbeddedBroker;
let ctl: RunningController;
let link: AgentLink;

beforeAll(async () => {
  if (!hasPromtool) return;
  broker = await startEmbeddedBroker({
    port: 0,
    credentials: CredentialStore.fromUsers([
      { username: 'controller', role: 'controller', password_hash: hashPassword('ctl') },
      { username: 'gw-1', role: 'node', password_hash: hashPassword('n1') },
    ]),
  });
  ctl = await startController({
    site: 'lab',
    dbPath: join(mkdtempSync(join(tmpdir(), 'im-promtool-')), 'controller.db'),
    mqttUrl: broker.url,
    mqttPassword: 'ctl',
    scheduler,
    port: 0,
    adminPassword: 'admin-pw',
    publicMetrics: true,
  });
  link = await AgentLink.connect({
    url: broker.url,
    site: 'lab',
    node: 'gw-1',
    password: 'n1',
    clock: scheduler,
  });
  await link.publishState({
    node: 'gw-1',
    at: scheduler.now(),
    uptime_s: 12,
    role: 'gateway',
    wans: [
      { name: 'wan', kind: 'ethernet', state: 'up', active: true, latency_ms: 23, loss: 0.02 },
      { name: 'lte', kind: 'modem', state: 'down', active: false, latency_ms: null, loss: 1 },
    ],
    gateway: { announcing: true, bandwidth_down_kbit: 1, bandwidth_up_kbit: 1, selected: null },
    neighbours: [],
  });
}, 30_000);

afterAll(async () => {
  await link?.close();
  await ctl?.close();
  await broker?.close();
});

describe.skipIf(!hasPromtool)(
  `promtool check metrics (skipped when ${PROMTOOL} is absent: apt install prometheus)`,
  () => {
    it('passes on the /metrics of a controller with a node reporting, with no warning', async () => {
      const deadline = Date.now() + 10_000;
      let text = '';
      // The node's state is ingested asynchronously: wait until /metrics shows its WANs.
      while (!text.includes('intelli_mesh_wan_latency_seconds{node="gw-1",wan="wan"}')) {
        if (Date.now() > deadline) throw new Error(`gw-1 never reached /metrics:\n${text}`);
        await new Promise((r) => setTimeout(r, 100));
        text = await (await fetch(`${ctl.url}/metrics`)).text();
      }
      expect(text).toContain('intelli_mesh_wan_latency_seconds{node="gw-1",wan="wan"} 0.023');
      expect(text).toContain('intelli_mesh_wan_loss_ratio{node="gw-1",wan="lte"} 1');
      expect(text).toContain('intelli_mesh_nodes{online="true"} 1');
      expect(text).toMatch(/intelli_mesh_ingest_messages_total\{outcome="accepted"\} [1-9]/);
      const check = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect({ status: check.status, output: `${check.stdout}${check.stderr}` }).toEqual({
        status: 0,
        output: '',
      });
    });
  },
);
