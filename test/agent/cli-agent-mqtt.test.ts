/**
 * The real `intelli-mesh agent --config` process, acting in a network namespace lab, reporting to
 * and obeying a real controller through a real broker (embedded Aedes, and Mosquitto when
 * installed): online with state, metrics and events; a push applied and confirmed (client traffic
 * moves, the file is rewritten); a push that kills both WANs rolled back by the node itself; the
 * node marked offline when the process is killed; and no way to report as another node.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import mqtt from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RealScheduler } from '../../src/core/real-scheduler.ts';
import { startController, type RunningController } from '../../src/controller/controller.ts';
import { CredentialStore } from '../../src/mqtt/credential-store.ts';
import { startEmbeddedBroker } from '../../src/mqtt/embedded-broker.ts';
import { decodeMessage, type NodeMetrics } from '../../src/mqtt/messages.ts';
import { hashPassword } from '../../src/mqtt/password-hash.ts';
import { nodeTopic } from '../../src/mqtt/topics.ts';
import { mosquittoAvailable, startMosquittoBroker } from '../mqtt/mosquitto-process.ts';
import { labUnavailableReason, NetnsLab, PROBE_TARGETS } from '../platform/netns-lab.ts';

const skip = await labUnavailableReason();
const bin = new URL('../../bin/intelli-mesh', import.meta.url).pathname;
const SITE = 'lab';
const NODE = 'lab-node';
const USERS = [
  { username: 'controller', password: 'ctl-pw', role: 'controller' as const },
  { username: 'viewer', password: 'viewer-pw', role: 'viewer' as const },
  { username: NODE, password: 'lab-node-pw', role: 'node' as const },
  { username: 'node-b', password: 'node-b-pw', role: 'node' as const },
];

interface Broker {
  url: string;
  close(): Promise<void>;
}

const brokers: [string, () => Promise<Broker>][] = [
  [
    'embedded Aedes',
    async () => {
      const b = await startEmbeddedBroker({
        port: 0,
        credentials: CredentialStore.fromUsers(
          USERS.map((u) => ({
            username: u.username,
            role: u.role,
            password_hash: hashPassword(u.password),
          })),
        ),
      });
      return { url: b.url, close: () => b.close() };
    },
  ],
];
if (mosquittoAvailable()) {
  brokers.push(['Mosquitto', () => startMosquittoBroker(USERS)]);
}

/** Re-checks `probe` as things happen until it holds; fails after `timeoutMs`. */
async function until<T>(
  what: string,
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The agent config document (without mqtt), two WANs in failover; `primary` gets metric 1. */
function agentDocument(primary: 'wan1' | 'wan2', gatewaySuffix = 1): Record<string, unknown> {
  const track = {
    targets: [PROBE_TARGETS[0]],
    intervalMs: 200,
    timeoutMs: 200,
    down: 3,
    up: 2,
  };
  return {
    node: NODE,
    lanDevices: ['lan0'],
    zones: { lan: ['lan0'] },
    wans: [1, 2].map((n) => ({
      name: `wan${n}`,
      device: `wan${n}`,
      gateway: `10.9${n}.0.${gatewaySuffix}`,
      bandwidthDownKbit: 50_000,
      bandwidthUpKbit: 10_000,
      track,
    })),
    policy: {
      members: [
        { name: 'm1', wan: 'wan1', metric: primary === 'wan1' ? 1 : 2 },
        { name: 'm2', wan: 'wan2', metric: primary === 'wan2' ? 1 : 2 },
      ],
      policies: [{ name: 'failover', members: ['m1', 'm2'] }],
      rules: [{ name: 'default', srcZone: 'lan', policy: 'failover' }],
    },
  };
}

interface AgentProcess {
  child: ChildProcess;
  events: Record<string, unknown>[];
  stderr: string[];
  exited: Promise<number | null>;
}

function startAgent(args: string[]): AgentProcess {
  const child = spawn(bin, ['agent', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const events: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => {
    events.push(JSON.parse(l) as Record<string, unknown>);
  });
  createInterface({ input: child.stderr! }).on('line', (l) => stderr.push(l));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, events, stderr, exited };
}

describe.skipIf(skip !== null)(
  `intelli-mesh agent over MQTT${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    describe.each(brokers)('through %s', (_name, startBroker) => {
      let lab: NetnsLab;
      let broker: Broker;
      let ctl: RunningController;
      let dir: string;
      const agents: AgentProcess[] = [];

      beforeEach(async () => {
        dir = mkdtempSync(join(tmpdir(), 'im-agent-mqtt-'));
        lab = await NetnsLab.create();
        broker = await startBroker();
        ctl = await startController({
          site: SITE,
          dbPath: join(dir, 'controller.db'),
          mqttUrl: broker.url,
          mqttPassword: 'ctl-pw',
          scheduler: new RealScheduler(),
          port: 0,
          adminPassword: 'admin-pw',
        });
      }, 30_000);

      afterEach(async () => {
        for (const a of agents.splice(0)) {
          a.child.kill('SIGKILL');
          await a.exited;
        }
        await ctl?.close();
        await broker?.close();
        await lab?.destroy();
        rmSync(dir, { recursive: true, force: true });
      }, 30_000);

      function writeConfig(doc: Record<string, unknown>, mqttSection: object): string {
        const file = join(dir, 'agent.yaml');
        writeFileSync(file, JSON.stringify({ ...doc, mqtt: mqttSection }, null, 2));
        return file;
      }

      it('reports, applies and confirms a push, rolls back one that kills its WANs, dies offline', async () => {
        writeFileSync(join(dir, 'password'), 'lab-node-pw\n', { mode: 0o600 });
        const file = writeConfig(agentDocument('wan1'), {
          url: broker.url,
          site: SITE,
          passwordFile: 'password',
          metricsIntervalMs: 1000,
          // Long: the state seen below comes from the login, decisions and the confirmation.
          stateIntervalMs: 600_000,
        });
        // Raw metrics as the broker forwards them, to see the counters the store does not keep.
        const viewer = await mqtt.connectAsync(broker.url, {
          username: 'viewer',
          password: 'viewer-pw',
          clientId: 'viewer',
          reconnectPeriod: 0,
        });
        const metrics: NodeMetrics[] = [];
        viewer.on('message', (_t, payload) => {
          const m = decodeMessage('metrics', payload);
          if (m.ok) metrics.push(m.value);
        });
        await viewer.subscribeAsync(nodeTopic(SITE, NODE, 'metrics'), { qos: 0 });

        const agent = startAgent(['--config', file, '--netns', lab.node]);
        agents.push(agent);
        try {
          // Online, with its retained state: wan1 carries the traffic, both WANs up.
          const node = await until('the node online with its state', async () => {
            const n = await ctl.store.nodes.get(NODE);
            return n?.online && n.state?.wans.length === 2 && n.state.wans[0]!.state === 'up'
              ? n
              : undefined;
          });
          expect(node.state).toMatchObject({
            node: NODE,
            role: 'gateway',
            gateway: { announcing: true, bandwidth_down_kbit: 100_000, bandwidth_up_kbit: 20_000 },
            config_version: expect.stringMatching(/^local-[0-9a-f]{12}$/),
          });
          expect(node.state!.wans.map((w) => [w.name, w.active, w.share])).toEqual([
            ['wan1', true, 1],
            ['wan2', false, 0],
          ]);
          expect(await lab.carrierOfClientTraffic()).toBe(1);

          // Its decisions as events, and its WAN metrics in the controller's history.
          await until('the first routing decision stored', async () =>
            (await ctl.store.events.query({ node: NODE })).find((e) => e.kind === 'policy-route'),
          );
          const latency = await until('WAN latency history', async () => {
            const points = await ctl.store.metrics.query(
              NODE,
              'wan.wan1.latency_ms',
              Date.now() - 60_000,
              Date.now() + 1000,
              Date.now(),
            );
            return points.length > 0 ? points : undefined;
          });
          expect(latency[0]!.avg).toBeGreaterThanOrEqual(0);
          const counted = await until('two metrics with byte counters', () =>
            metrics.filter((m) => m.wans.wan1?.rx_bytes !== undefined).length >= 2
              ? metrics.filter((m) => m.wans.wan1?.rx_bytes !== undefined)
              : undefined,
          );
          const [first, second] = [counted.at(-2)!, counted.at(-1)!];
          // Probes run through wan1 all the time, so its counters grow between two reports.
          expect(second.wans.wan1!.rx_bytes!).toBeGreaterThan(first.wans.wan1!.rx_bytes!);
          expect(second.wans.wan1!.tx_bytes!).toBeGreaterThan(first.wans.wan1!.tx_bytes!);
          expect(second.rss_bytes).toBeGreaterThan(10 * 1024 * 1024);

          // A push that makes wan2 primary: applied, confirmed, traffic moves, file rewritten.
          const v2 = await ctl.pushes.push({
            node: NODE,
            version: 'v2',
            config: agentDocument('wan2'),
            requestedBy: 'test',
            confirmTimeoutS: 10,
          });
          await until(
            'v2 confirmed',
            async () => (await ctl.store.pushes.get(v2.id))?.status === 'confirmed',
          );
          expect(await lab.carrierOfClientTraffic()).toBe(2);
          await until('v2 written to the config file', () =>
            readFileSync(file, 'utf8').includes('version: v2'),
          );
          const saved = readFileSync(file, 'utf8');
          expect(saved).toContain('passwordFile: password');
          await until(
            'the state to name v2',
            async () => (await ctl.store.nodes.get(NODE))?.state?.config_version === 'v2',
          );

          // A push with gateways that do not exist: both WANs die, the node rolls back to v2.
          const v3 = await ctl.pushes.push({
            node: NODE,
            version: 'v3',
            config: agentDocument('wan1', 99),
            requestedBy: 'test',
            confirmTimeoutS: 10,
          });
          const rolled = await until('v3 rolled back', async () => {
            const p = await ctl.store.pushes.get(v3.id);
            return p?.status === 'rolled-back' ? p : undefined;
          });
          expect(rolled.reason).toMatch(/lost its wan/);
          expect(
            (await ctl.store.events.query({ node: NODE })).find(
              (e) => e.kind === 'config-rollback' && e.subject === 'v3',
            ),
          ).toBeDefined();
          expect(readFileSync(file, 'utf8')).toContain('version: v2');
          await until('traffic back on v2 (wan2)', async () =>
            (await lab.carrierOfClientTraffic()) === 2 ? true : undefined,
          );

          // Killed without a word: its last will marks it offline.
          agent.child.kill('SIGKILL');
          await agent.exited;
          await until(
            'the node offline',
            async () => (await ctl.store.nodes.get(NODE))?.online === false,
          );
        } finally {
          await viewer.endAsync();
        }
      }, 90_000);

      it('cannot report as another node with its own credentials', async () => {
        const file = writeConfig(
          { ...agentDocument('wan1'), node: 'node-b' },
          { url: broker.url, site: SITE, username: NODE, password: 'lab-node-pw' },
        );
        const agent = startAgent(['--config', file, '--netns', lab.node]);
        agents.push(agent);
        // Either the broker refused the login, or it took it and dropped what it published.
        await until('its first login attempt to finish', () =>
          agent.stderr.some((l) => /reporting to the broker|broker not joined/.test(l)),
        );
        // A marker from the real lab-node after that: once the controller has it, it has had
        // everything the broker forwarded before.
        const own = await mqtt.connectAsync(broker.url, {
          username: NODE,
          password: 'lab-node-pw',
          clientId: `${NODE}:marker`,
          reconnectPeriod: 0,
        });
        await own.publishAsync(
          nodeTopic(SITE, NODE, 'status'),
          JSON.stringify({ node: NODE, online: true, at: Date.now() }),
          { qos: 1 },
        );
        await own.endAsync();
        await until('the marker', async () => (await ctl.store.nodes.get(NODE))?.online === true);
        expect(await ctl.store.nodes.get('node-b')).toBeUndefined();
        expect(await ctl.store.events.query({ node: 'node-b' })).toEqual([]);
      }, 60_000);
    });
  },
);
