/**
 * One load-generator process of bench/scale-out.ts: its share of the simulated nodes, each a real
 * MQTT client with its own login, connected at a steady rate (every login is a scrypt check in
 * the broker), then publishing its traffic (node-traffic.ts) at QoS 1 on its own 10 s phase, as
 * the node agent does (persistent session, retained status with a last will). Each node connects
 * from its own loopback address (127.10.x.y), as real routers come from their own addresses:
 * the broker bounds the logins checked at once per address, and 10,000 nodes behind one address
 * would be refused as a burst. It reports what
 * the broker acknowledged over IPC once a second, and stops when told.
 *
 * Messages from the parent: `{ type: 'start', ...WorkerPlan }`, then `{ type: 'stop' }`.
 * Messages to it: `{ type: 'progress', ...WorkerProgress }` and a last one with `final: true`.
 */
import { createConnection } from 'node:net';
import { MqttClient } from 'mqtt';
import { nodeTopic } from '../../src/mqtt/topics.ts';
import { mulberry32, SimulatedNode, type NodePublish } from './node-traffic.ts';

export interface WorkerPlan {
  url: string;
  site: string;
  /** Total nodes in the run (the grid and gateways depend on it). */
  nodes: number;
  /** This process's nodes: index and password. */
  logins: { index: number; password: string }[];
  /** New connections per second from this process. */
  connectPerSecond: number;
  /**
   * Logins of this process waiting for their CONNACK at most: the broker checks each with
   * scrypt, and on a busy machine a fixed rate alone outruns it until logins time out.
   */
  connectingAtMost: number;
  /** State and metrics period. */
  periodMs: number;
  decisionRate: number;
  seed: number;
}

export interface WorkerProgress {
  connected: number;
  /** Connections refused or failed (with the first reason). */
  failed: number;
  firstError?: string;
  /** Publishes the broker acknowledged (PUBACK), per channel. */
  acked: Record<NodePublish['channel'], number>;
  /** Publishes that failed (the client closed under them, or an error). */
  lost: number;
  final?: boolean;
}

const progress: WorkerProgress = {
  connected: 0,
  failed: 0,
  acked: { status: 0, state: 0, metrics: 0, events: 0 },
  lost: 0,
};
const clients: MqttClient[] = [];
const timers: NodeJS.Timeout[] = [];
let stopping = false;

function publish(client: MqttClient, site: string, node: string, p: NodePublish): void {
  client.publish(
    nodeTopic(site, node, p.channel),
    JSON.stringify(p.payload),
    { qos: 1, retain: p.retain },
    (err) => {
      if (err) progress.lost++;
      else progress.acked[p.channel]++;
    },
  );
}

/** 127.10.0.0 onwards: every address of 127.0.0.0/8 is the loopback on Linux. */
function sourceAddress(index: number): string {
  return `127.${10 + (index >> 16)}.${(index >> 8) & 255}.${index & 255}`;
}

/** Resolves when the node's login is answered (accepted or not). */
function startNode(plan: WorkerPlan, login: { index: number; password: string }): Promise<void> {
  const node = new SimulatedNode({
    index: login.index,
    nodes: plan.nodes,
    random: mulberry32(plan.seed * 1_000_003 + login.index),
    decisionRate: plan.decisionRate,
  });
  const will = node.lastWill(Date.now());
  const broker = new URL(plan.url);
  const stream = () =>
    createConnection({
      host: broker.hostname,
      port: Number(broker.port || 1883),
      localAddress: sourceAddress(login.index),
    });
  const client = new MqttClient(stream, {
    clientId: `${node.name}:agent`,
    username: node.name,
    password: login.password,
    clean: false,
    keepalive: 30,
    reconnectPeriod: 0,
    // A login waits its turn for a scrypt check; on a busy machine that takes a while.
    connectTimeout: 120_000,
    queueQoSZero: false,
    // Else mqtt-packet pre-builds 6 MB of message-id buffers per client at its first write.
    writeCache: false,
    will: {
      topic: nodeTopic(plan.site, node.name, 'status'),
      payload: Buffer.from(JSON.stringify(will.payload)),
      qos: 1,
      retain: true,
    },
  });
  clients.push(client);
  let up = false;
  let answered: () => void = () => {};
  const done = new Promise<void>((resolve) => (answered = resolve));
  client.once('connect', () => {
    answered();
    up = true;
    progress.connected++;
    for (const p of node.connected(Date.now())) publish(client, plan.site, node.name, p);
    // Each node on its own phase within the period, as real nodes booted at different times.
    const phase = Math.floor(Math.random() * plan.periodMs);
    const first = setTimeout(() => {
      const tick = () => {
        if (!stopping)
          for (const p of node.tick(Date.now())) publish(client, plan.site, node.name, p);
      };
      tick();
      timers.push(setInterval(tick, plan.periodMs));
    }, phase);
    timers.push(first);
  });
  const refused = (why: string) => {
    answered();
    if (up || stopping) return;
    up = true; // counted once
    progress.failed++;
    progress.firstError ??= `${node.name}: ${why}`;
    client.end(true);
  };
  // Kept for the client's whole life: an error without a listener would end the process.
  client.on('error', (err) => refused(err.message));
  client.once('close', () => refused('connection closed before CONNACK'));
  return done;
}

function report(final = false): void {
  process.send!({ type: 'progress', ...progress, ...(final ? { final: true } : {}) });
}

async function run(plan: WorkerPlan): Promise<void> {
  const reporter = setInterval(() => report(), 1000);
  // A steady connect rate: a login costs the broker a scrypt check on its thread pool.
  const gapMs = 1000 / plan.connectPerSecond;
  const t0 = performance.now();
  const pending = new Set<Promise<void>>();
  for (let i = 0; i < plan.logins.length && !stopping; i++) {
    const due = t0 + i * gapMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    while (pending.size >= plan.connectingAtMost) await Promise.race(pending);
    const p: Promise<void> = startNode(plan, plan.logins[i]!).then(() => void pending.delete(p));
    pending.add(p);
  }
  await new Promise<void>((resolve) => process.once('message', () => resolve()));
  stopping = true;
  for (const t of timers) clearTimeout(t);
  // A clean DISCONNECT: no last will, the session's in-flight acks settle first.
  // A client whose connection is already gone may never settle its end: forced after 10 s.
  await Promise.all(
    clients.map((c) =>
      Promise.race([
        c.endAsync().catch(() => undefined),
        new Promise<void>((resolve) =>
          setTimeout(() => {
            c.end(true);
            resolve();
          }, 10_000).unref(),
        ),
      ]),
    ),
  );
  clearInterval(reporter);
  report(true);
  process.disconnect();
}

// The bench stopped (or died): a generator must not keep its nodes publishing on its own.
process.once('disconnect', () => {
  if (!stopping) process.exit(1);
});

process.once('message', (msg: { type: string } & WorkerPlan) => {
  if (msg.type === 'start') void run(msg);
});
