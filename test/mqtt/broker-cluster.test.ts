/**
 * The node agent's MQTT link and the real controller, unchanged, against a clustered broker: two
 * NATS servers (Debian's nats-server 2.9, MQTT over JetStream) on private ports, started once for
 * this file with the configuration and per-user rights we render (src/mqtt/nats-config.ts). The
 * node talks to server 1 and the controller to server 2 (each is given both addresses, its own
 * first): state, status and commands cross the cluster at QoS 1, retained messages are the same
 * on both servers, a persistent session resumes on the other server, a node cannot publish as
 * another, and with one of two servers stopped the cluster refuses MQTT until it is back (the
 * JetStream metadata group needs a majority: 2 of 2), after which both clients return on their
 * own and what the node published meanwhile arrives. With three servers, stopping the node's own
 * moves it to the next address it was given and nothing stops. See docs/broker-cluster.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentLink } from '../../src/agent/mqtt/agent-link.ts';
import type { Command } from '../../src/mqtt/messages.ts';
import { RealScheduler } from '../../src/core/real-scheduler.ts';
import { startController, type RunningController } from '../../src/controller/controller.ts';
import { BatchingSession, type InboundMessage } from '../../src/mqtt/batching-session.ts';
import type { NatsUser } from '../../src/mqtt/nats-config.ts';
import { nodeTopic, siteFilter } from '../../src/mqtt/topics.ts';
import { natsUnavailable, startNatsCluster, type NatsCluster } from './nats-cluster.ts';

const SITE = 'lab';
const USERS: NatsUser[] = [
  { username: 'controller', password: 'ctl-pw', role: 'controller' },
  { username: 'viewer', password: 'viewer-pw', role: 'viewer' },
  { username: 'node-3', password: 'node-3-pw', role: 'node' },
  { username: 'node-4', password: 'node-4-pw', role: 'node' },
];
const passwordOf = (user: string) => USERS.find((u) => u.username === user)!.password;
const scheduler = new RealScheduler();
const skip = natsUnavailable();

/** Re-checks `probe` until it holds; fails after `ms` saying what it waited for. */
async function until<T>(
  what: string,
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  ms = 15_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function state(node: string, uptime: number) {
  return {
    node,
    at: scheduler.now(),
    uptime_s: uptime,
    role: 'gateway' as const,
    wans: [],
    gateway: { announcing: true, bandwidth_down_kbit: 1, bandwidth_up_kbit: 1, selected: null },
    neighbours: [],
  };
}

describe.skipIf(skip !== undefined)(
  `NATS cluster of two servers${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let cluster: NatsCluster;
    let ctl: RunningController;
    let agent: AgentLink;
    let dir: string;
    const clients: MqttClient[] = [];
    const sessions: BatchingSession[] = [];
    const links: AgentLink[] = [];
    /** Server 1 first (the node's), or server 2 first (the controller's). */
    const both = (first: 0 | 1) => [cluster.urls[first]!, cluster.urls[1 - first]!].join(',');

    /** A plain MQTT client; resolves at CONNACK, rejects at the broker's refusal. */
    const connect = (url: string, username: string | undefined, extra: IClientOptions = {}) => {
      const client = mqtt.connect(url, {
        username,
        password: username ? passwordOf(username) : undefined,
        clientId: `${username ?? 'anonymous'}:t${clients.length}`,
        reconnectPeriod: 0,
        connectTimeout: 5_000,
        ...extra,
      });
      clients.push(client);
      return new Promise<MqttClient>((resolve, reject) => {
        client.once('connect', () => resolve(client));
        client.once('error', reject);
        client.once('close', () => reject(new Error('closed before CONNACK')));
      });
    };
    const received = (client: MqttClient) => {
      const seen: { topic: string; payload: string; retain: boolean }[] = [];
      client.on('message', (topic, payload, packet) =>
        seen.push({ topic, payload: payload.toString(), retain: packet.retain }),
      );
      return seen;
    };

    beforeAll(async () => {
      cluster = await startNatsCluster(USERS, { site: SITE });
      dir = mkdtempSync(join(tmpdir(), 'im-broker-cluster-'));
      ctl = await startController({
        site: SITE,
        dbPath: join(dir, 'c.db'),
        mqttUrl: both(1),
        mqttPassword: passwordOf('controller'),
        scheduler,
        port: 0,
        adminPassword: 'admin-pw',
      });
      agent = await AgentLink.connect({
        url: both(0),
        site: SITE,
        node: 'node-3',
        password: passwordOf('node-3'),
        clock: scheduler,
        reconnectPeriodMs: 200,
      });
      links.push(agent);
    }, 30_000);
    afterAll(async () => {
      await Promise.all(clients.map((c) => c.endAsync(true)));
      await Promise.all(sessions.map((s) => s.close()));
      await Promise.all(links.map((l) => l.close().catch(() => undefined)));
      await ctl?.close();
      await cluster?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('refuses anonymous clients and wrong passwords', async () => {
      await expect(connect(cluster.urls[0]!, undefined)).rejects.toThrow();
      await expect(connect(cluster.urls[1]!, 'node-3', { password: 'wrong' })).rejects.toThrow();
    });

    it("carries the node's QoS 1 status and state from server 1 to the controller on server 2", async () => {
      await agent.publishState(state('node-3', 42));
      const stored = await until('node-3 online with its state', async () => {
        const n = await ctl.store.nodes.get('node-3');
        return n?.online && n.state?.uptime_s === 42 ? n : undefined;
      });
      expect(stored.site).toBe(SITE);
    });

    it('keeps one retained state for the whole cluster: a new subscriber on either server gets it', async () => {
      await agent.publishState(state('node-3', 43));
      const topic = nodeTopic(SITE, 'node-3', 'state');
      for (const url of cluster.urls) {
        const viewer = await connect(url, 'viewer');
        const seen = received(viewer);
        await viewer.subscribeAsync(topic, { qos: 1 });
        const got = await until(`the retained state on ${url}`, () =>
          seen.find((m) => (JSON.parse(m.payload) as { uptime_s: number }).uptime_s === 43),
        );
        expect(got.retain).toBe(true);
      }
    });

    it('delivers a command from the controller on server 2 to the node on server 1', async () => {
      const commands: Command[] = [];
      agent.onCommand((c) => commands.push(c));
      await ctl.link.sendCommand('node-3', { id: 'cluster-ping', kind: 'ping' });
      await until('the ping at the node', () => commands.some((c) => c.id === 'cluster-ping'));
    });

    it('does not let one node publish as another, nor read its commands', async () => {
      const watcher = await connect(cluster.urls[1]!, 'controller');
      const seen = received(watcher);
      await watcher.subscribeAsync(siteFilter(SITE), { qos: 1 });
      const intruder = await connect(cluster.urls[0]!, 'node-4');
      // NATS acknowledges a forbidden QoS 1 publish (it logs "Publish Violation") and drops it.
      await intruder.publishAsync(nodeTopic(SITE, 'node-3', 'state'), 'spoofed', { qos: 1 });
      await intruder.publishAsync(nodeTopic(SITE, 'node-3', 'command'), 'reboot', { qos: 1 });
      // mqtt.js rejects a SUBACK that grants nothing (0x80).
      await expect(
        intruder.subscribeAsync(nodeTopic(SITE, 'node-3', 'command'), { qos: 1 }),
      ).rejects.toThrow(/Subscribe error/);
      // node-4's own message, sent after the others, arrives after anything let through.
      await intruder.publishAsync(nodeTopic(SITE, 'node-4', 'events'), 'marker', { qos: 1 });
      await until('the marker', () => seen.some((m) => m.payload === 'marker'));
      expect(seen.map((m) => m.payload)).not.toContain('spoofed');
      expect(seen.map((m) => m.payload)).not.toContain('reboot');
      const n3 = await ctl.store.nodes.get('node-3');
      expect(n3?.state?.uptime_s).toBe(43);
    });

    it('resumes a persistent session on the other server with what was queued meanwhile', async () => {
      // The controller's own session class, as it connects: away from server 2, back on server 1.
      const got: InboundMessage[] = [];
      const open = (url: string) =>
        BatchingSession.connect({
          url,
          clientId: 'controller:resume',
          username: 'controller',
          password: passwordOf('controller'),
          scheduler,
          subscriptions: [{ topic: siteFilter(SITE), qos: 1 }],
          onBatch: (batch) => {
            got.push(...batch);
          },
        });
      await (await open(cluster.urls[1]!)).close();
      const away = { at: 1, node: 'node-3', kind: 'test', subject: 's', from: null, to: null };
      for (const reason of ['while-away-1', 'while-away-2'])
        await agent.publishEvent({ ...away, reason });
      const back = await open(cluster.urls[0]!);
      sessions.push(back);
      const reasons = () =>
        got
          .filter((m) => m.topic === nodeTopic(SITE, 'node-3', 'events'))
          .map((m) => (JSON.parse(m.payload.toString()) as { reason: string }).reason);
      await until('both queued events', () => reasons().length >= 2);
      expect(reasons()).toEqual(['while-away-1', 'while-away-2']);

      // The agent's session too: a command queued while node-4 was away reaches it on the other server.
      const node4 = await AgentLink.connect({
        url: cluster.urls[0]!,
        site: SITE,
        node: 'node-4',
        password: passwordOf('node-4'),
        clock: scheduler,
      });
      await node4.close();
      await ctl.link.sendCommand('node-4', { id: 'queued-ping', kind: 'ping' });
      const commands: Command[] = [];
      const node4Back = await AgentLink.connect({
        url: cluster.urls[1]!,
        site: SITE,
        node: 'node-4',
        password: passwordOf('node-4'),
        clock: scheduler,
      });
      links.push(node4Back);
      node4Back.onCommand((c) => commands.push(c));
      await until('the queued ping', () => commands.some((c) => c.id === 'queued-ping'));
    });

    it('with one of two servers stopped refuses MQTT on the other; both clients return when it is back', async () => {
      await cluster.stop(0);
      await until('the agent offline', () => !agent.connected);
      // The survivor cannot reach a JetStream majority (1 of 2): it turns MQTT logins away.
      const refusal = await connect(cluster.urls[1]!, 'viewer').then(
        () => 'accepted',
        (err: Error) => err.message,
      );
      expect(refusal).not.toBe('accepted');
      // What the node publishes meanwhile waits in its client (QoS 1) ...
      const pending = agent.publishState(state('node-3', 99));
      await cluster.restart(0);
      // ... and reaches the controller once the cluster is whole again.
      await pending;
      await until(
        'the state sent during the outage',
        async () => (await ctl.store.nodes.get('node-3'))?.state?.uptime_s === 99,
        20_000,
      );
      expect(agent.connected).toBe(true);
      expect(ctl.link.connected).toBe(true);
    }, 40_000);
  },
);

describe.skipIf(skip !== undefined)(
  `NATS cluster of three servers${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let cluster: NatsCluster;
    let ingest: BatchingSession;
    let agent: AgentLink;
    const got: InboundMessage[] = [];

    beforeAll(async () => {
      cluster = await startNatsCluster(USERS, { site: SITE, servers: 3 });
      const [n1, n2, n3] = cluster.urls;
      // The controller's session class (the controller itself is shown above; its start costs 5 s).
      ingest = await BatchingSession.connect({
        url: [n2, n3, n1].join(','),
        clientId: 'controller:ingest',
        username: 'controller',
        password: passwordOf('controller'),
        scheduler,
        subscriptions: [{ topic: siteFilter(SITE), qos: 1 }],
        onBatch: (batch) => {
          got.push(...batch);
        },
      });
      agent = await AgentLink.connect({
        url: [n1, n2, n3].join(','),
        site: SITE,
        node: 'node-3',
        password: passwordOf('node-3'),
        clock: scheduler,
        reconnectPeriodMs: 200,
      });
    }, 30_000);
    afterAll(async () => {
      await agent?.close().catch(() => undefined);
      await ingest?.close();
      await cluster?.close();
    });

    const heardUptime = (uptime: number) =>
      got.some(
        (m) =>
          m.topic === nodeTopic(SITE, 'node-3', 'state') &&
          (JSON.parse(m.payload.toString()) as { uptime_s: number }).uptime_s === uptime,
      );

    it('moves the node to another server when its own stops; the ingest session keeps hearing it', async () => {
      await agent.publishState(state('node-3', 7));
      await until('the first state', () => heardUptime(7));
      await cluster.stop(0);
      await until('the agent off server 1', () => !agent.connected);
      // Two of three keep a majority: the agent's next address takes it in.
      await agent.publishState(state('node-3', 8));
      await until('the state sent through another server', () => heardUptime(8), 20_000);
      expect(agent.connected).toBe(true);
      expect(ingest.connected).toBe(true);
    }, 40_000);
  },
);
