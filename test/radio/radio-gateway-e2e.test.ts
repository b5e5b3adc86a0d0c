/**
 * The radio mesh end to end: the seed's C pong node (its RF24 calls replaced by UDP, built with
 * gcc, as in test/interop) and TypeScript meshlink nodes on UDP behind a real `radio-gateway`
 * process and a second gateway, both reporting over real MQTT (the embedded broker, with
 * radio-gateway logins) to a real controller with a SQLite file. Through the REST API: the nodes
 * appear (a node both gateways hear is one entry), a ping returns the RTT, a scan the graph, a
 * send is acknowledged; killing the C node raises the unreachable event and then the alert, and
 * bringing it back closes the alert.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startController, type RunningController } from '../../src/controller/controller.ts';
import type { LiveChange } from '../../src/controller/ingest.ts';
import type {
  RadioGatewayView,
  RadioMessageView,
  RadioNodeView,
} from '../../src/controller/radio/radio-records.ts';
import type { Alert, StoredEvent } from '../../src/controller/store/records.ts';
import { seededRandom } from '../../src/core/random.ts';
import { RealScheduler } from '../../src/core/real-scheduler.ts';
import { MeshlinkHost } from '../../src/meshlink/meshlink-host.ts';
import { CredentialStore } from '../../src/mqtt/credential-store.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/mqtt/embedded-broker.ts';
import { hashPassword } from '../../src/mqtt/password-hash.ts';
import { GatewayMqttLink } from '../../src/radio-gateway/gateway-mqtt-link.ts';
import { RadioGateway } from '../../src/radio-gateway/radio-gateway.ts';
import { openUdpMedium, type UdpMedium } from '../../src/transport/udp-medium.ts';
import { BIN, freeUdpPorts, startProcess, type RunningProcess } from '../meshlink/cli-process.ts';
import { waitFor } from '../openwrt/wait-for.ts';

const C_SRC = fileURLToPath(new URL('../interop/c/seed-pong.c', import.meta.url));
const SITE = 'lab';
const NETWORK = 'field';

/** A JSON answer of the API, read field by field with the record types of the radio API. */
type Body = Record<string, unknown>;
interface NodeDetail {
  node: RadioNodeView;
  rtt_history: { at: number; rtt_ms: number }[];
  messages: RadioMessageView[];
  neighbours: number[];
}
interface Problem {
  error: string;
  issues: string[];
}
interface ScanAnswer {
  ok: boolean;
  graph: { type: string; nodes: { id: string }[]; links: { source: string; target: string }[] };
}

function hasGcc(): boolean {
  try {
    execFileSync('gcc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const gcc = hasGcc();
if (!gcc) console.warn('test/radio: gcc not found, skipping the radio gateway end-to-end test');

describe.skipIf(!gcc)('radio gateway end to end: C pong node and meshlink nodes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'im-radio-'));
  const pongBin = join(dir, 'seed-pong');
  const scheduler = new RealScheduler();
  let broker: EmbeddedBroker;
  let controller: RunningController;
  let pong: RunningProcess;
  let gatewayA: RunningProcess;
  const media: UdpMedium[] = [];
  const hosts = new Map<number, MeshlinkHost>();
  let gatewayB: { gateway: RadioGateway; link: GatewayMqttLink } | undefined;
  let ports: Record<'c' | 'a' | 'b' | 'n2' | 'n3', number>;
  const received: string[] = [];
  let operatorToken = '';
  /** Every change the dashboards' live feed carried. */
  const live: LiveChange[] = [];
  let ws: WebSocket | undefined;
  let viewerToken = '';

  const api = async <T = Body>(
    path: string,
    init: { method?: string; body?: unknown; token?: string } = {},
  ): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${controller.url}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${init.token ?? operatorToken}`,
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  const login = async (username: string, password: string): Promise<string> => {
    const res = await fetch(`${controller.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    return ((await res.json()) as { token: string }).token;
  };
  const startPong = () => {
    pong = startProcess(pongBin, [String(ports.c)]);
    return pong.waitFor(/Starting main loop/);
  };
  const udpHost = async (address: number, port: number, peers: number[]) => {
    const medium = await openUdpMedium({
      bind: `127.0.0.1:${port}`,
      peers: peers.map((p) => `127.0.0.1:${p}`),
    });
    media.push(medium);
    const host = new MeshlinkHost({
      address,
      medium,
      scheduler,
      random: seededRandom(address),
      pingTimeoutMs: 1000,
      scanWindowMs: 150,
    });
    hosts.set(address, host);
    return host;
  };

  beforeAll(async () => {
    execFileSync('gcc', ['-O2', '-Wall', '-Werror', '-o', pongBin, C_SRC]);
    const [c, a, b, p2, p3] = await freeUdpPorts(5);
    ports = { c: c!, a: a!, b: b!, n2: p2!, n3: p3! };
    const credentials = CredentialStore.fromUsers([
      { username: 'controller', role: 'controller', password_hash: hashPassword('ctl-pw') },
      {
        username: 'gw-a',
        role: 'radio-gateway',
        network: NETWORK,
        password_hash: hashPassword('a-pw'),
      },
      {
        username: 'gw-b',
        role: 'radio-gateway',
        network: NETWORK,
        password_hash: hashPassword('b-pw'),
      },
    ]);
    broker = await startEmbeddedBroker({ credentials, site: SITE, port: 0 });
    controller = await startController({
      site: SITE,
      dbPath: join(dir, 'controller.db'),
      mqttUrl: broker.url,
      mqttPassword: 'ctl-pw',
      scheduler,
      port: 0,
      adminPassword: 'admin-password-1',
      radio: { liveness: { unreachableAfterMs: 3000, alertAfterMs: 2000 }, sweepMs: 200 },
    });
    await controller.store.users.create('watcher', 'viewer', 'viewer-password-1', scheduler.now());
    operatorToken = await login('admin', 'admin-password-1');
    viewerToken = await login('watcher', 'viewer-password-1');
    ws = new WebSocket(`${controller.url.replace('http', 'ws')}/api/live`, {
      headers: { authorization: `Bearer ${viewerToken}` },
    });
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { changes?: LiveChange[] };
      live.push(...(msg.changes ?? []));
    });
    await new Promise((resolve) => ws!.once('message', resolve));

    // The radio "air": C(69) - gw-a(100) - 2 - 3, and gw-b(101) - 2.
    await startPong();
    const n2 = await udpHost(2, ports.n2, [ports.a, ports.b, ports.n3]);
    const n3 = await udpHost(3, ports.n3, [ports.n2]);
    n3.on('message', (_from, data) => received.push(Buffer.from(data).toString()));
    n2.on('connection', (s) => s.pipe(s));

    const passwordFile = join(dir, 'gw-a.password');
    writeFileSync(passwordFile, 'a-pw\n', { mode: 0o600 });
    gatewayA = startProcess(BIN, [
      'radio-gateway',
      '--mqtt-url',
      broker.url,
      '--site',
      SITE,
      '--username',
      'gw-a',
      '--password-file',
      passwordFile,
      '--network',
      NETWORK,
      '--address',
      '100',
      '--udp',
      `127.0.0.1:${ports.a}`,
      '--peer',
      `127.0.0.1:${ports.c}`,
      '--peer',
      `127.0.0.1:${ports.n2}`,
      '--ping-interval',
      '700',
      '--ping-timeout',
      '600',
      '--scan-interval',
      '4000',
      '--scan-depth',
      '3',
    ]);
    await gatewayA.waitFor(/radio gateway gw-a \(address 100\)/, 30_000);

    const hostB = await udpHost(101, ports.b, [ports.n2]);
    const linkB = await GatewayMqttLink.connect({
      url: broker.url,
      site: SITE,
      network: NETWORK,
      gateway: 'gw-b',
      password: 'b-pw',
      clock: scheduler,
      address: 101,
    });
    const gwB = new RadioGateway({
      site: SITE,
      network: NETWORK,
      gateway: 'gw-b',
      host: hostB,
      scheduler,
      publisher: linkB,
      pingIntervalMs: 700,
      scanIntervalMs: 4000,
      scanDepth: 3,
    });
    linkB.onCommand((p) => gwB.command(p));
    gwB.start();
    gatewayB = { gateway: gwB, link: linkB };
  }, 60_000);

  afterAll(async () => {
    ws?.close();
    await gatewayB?.gateway.stop();
    await gatewayB?.link.close();
    for (const p of [gatewayA, pong]) {
      if (p && p.child.exitCode === null) {
        p.child.kill('SIGTERM');
        await p.exited;
      }
    }
    for (const h of hosts.values()) h.close();
    await Promise.all(media.map((m) => m.close()));
    await controller?.close();
    await broker?.close();
  });

  it('lists every radio node once, with the gateways that hear it, its hops and RTT', async () => {
    const nodes = await waitFor(
      'radio nodes 2, 3 and 69 with both gateways on node 2',
      async () => {
        const { body } = await api<{ nodes: RadioNodeView[] }>('/api/radio/nodes', {
          token: viewerToken,
        });
        const list = body.nodes;
        const by = new Map(list.map((n) => [n.address, n]));
        const ok =
          by.get(69)?.rtt_ms != null &&
          by.get(2)?.gateways.length === 2 &&
          by.get(3)?.gateways.length === 2 &&
          by.get(3)?.rtt_ms != null;
        return ok ? list : null;
      },
      20_000,
    );
    const by = new Map(nodes.map((n) => [n.address, n] as const));
    expect(nodes.filter((n) => n.address === 2)).toHaveLength(1);
    expect(by.get(2)).toMatchObject({
      network: NETWORK,
      gateways: ['gw-a', 'gw-b'],
      status: 'reachable',
      hops: 0,
    });
    // gw-b reaches the C node too, through gw-a (its pongs go to whoever it heard last): one
    // entry, with the shortest path's hops.
    expect(by.get(69)).toMatchObject({ status: 'reachable', hops: 0 });
    const c69 = by.get(69)!;
    expect(c69.gateways).toContain('gw-a');
    expect(by.get(3)).toMatchObject({ hops: 1 });
    expect(c69.link_quality).toBeGreaterThan(0);
    expect(Date.parse(c69.last_heard!)).toBe(c69.last_heard_ms);
    // The dashboards heard of it live.
    expect(
      live.some((c) => c.type === 'radio-node' && c.node.address === 69 && c.node.rtt_ms !== null),
    ).toBe(true);
    const gws = await api('/api/radio/gateways');
    expect((gws.body.gateways as RadioGatewayView[]).map((g) => [g.id, g.online])).toEqual([
      ['gw-a', true],
      ['gw-b', true],
    ]);
  });

  it('pings a radio node from the API and returns its RTT (operators only)', async () => {
    const denied = await api('/api/radio/nodes/69/ping', { method: 'POST', token: viewerToken });
    expect(denied.status).toBe(403);
    const r = await api('/api/radio/nodes/69/ping', { method: 'POST' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: true, gateway: 'gw-a' });
    expect(r.body.rtt_ms).toBeGreaterThan(0);
    expect(pong.output()).toMatch(/Sending Pong/);
    const detail = await api<NodeDetail>('/api/radio/nodes/69');
    expect(detail.body.rtt_history.length).toBeGreaterThan(0);
    expect(detail.body.rtt_history.at(-1)!.rtt_ms).toBeGreaterThan(0);
  });

  it('scans from a radio node and returns the graph as NetJSON', async () => {
    const r = await api<ScanAnswer>('/api/radio/nodes/2/scan', {
      method: 'POST',
      body: { depth: 1 },
    });
    expect(r.status).toBe(200);
    expect(r.body.ok).toBe(true);
    expect(r.body.graph).toMatchObject({ type: 'NetworkGraph', protocol: 'meshlink' });
    const links = (r.body.graph.links as { source: string; target: string }[]).map(
      (l) => `${l.source}-${l.target}`,
    );
    expect(links).toEqual(expect.arrayContaining(['2-3', '2-100', '2-101']));
    const graph = await api<ScanAnswer['graph']>('/api/radio/graph', { token: viewerToken });
    const ids = (graph.body.nodes as { id: string }[]).map((n) => n.id);
    expect(ids).toEqual(expect.arrayContaining(['2', '3', '69', '100', '101']));
  });

  it('sends text to a radio node, acknowledged end to end, and keeps it in the messages', async () => {
    const r = await api('/api/radio/nodes/3/send', { method: 'POST', body: { text: 'hello 3' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: true, acked: true });
    expect(received).toContain('hello 3');
    // A message from node 3 to a gateway comes back the other way.
    await hosts.get(3)!.send(101, Buffer.from('temp=21'));
    const m = await waitFor(
      'the message from node 3',
      async () => {
        const { body } = await api('/api/radio/messages?node=3');
        return (body.messages as RadioMessageView[]).find((x) => x.direction === 'from-node');
      },
      5000,
    );
    expect(m).toMatchObject({
      text: 'temp=21',
      gateway: 'gw-b',
      size: 7,
      bytes_hex: '74656d703d3231',
    });
    await waitFor(
      'the message on the live feed',
      () => live.some((c) => c.type === 'radio-message' && c.message.text === 'temp=21'),
      5000,
    );
    const detail = await api<NodeDetail>('/api/radio/nodes/3');
    expect((detail.body.messages as RadioMessageView[]).map((x) => x.direction)).toEqual([
      'from-node',
      'to-node',
    ]);
    expect(detail.body.neighbours).toEqual([2]);
  });

  it('opens a stream to a radio node and returns its answer', async () => {
    const r = await api<{ ok: boolean; text: string | null; gateway: string }>(
      '/api/radio/nodes/2/stream',
      { method: 'POST', body: { text: 'echo me', window_ms: 3000 } },
    );
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: true, text: 'echo me' });
  });

  it('answers bad input with 400 and where, an unknown node with 404', async () => {
    const bad = await api<Problem>('/api/radio/nodes/0/ping', { method: 'POST' });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.join()).toMatch(/address/);
    const depth = await api<Problem>('/api/radio/nodes/2/scan', {
      method: 'POST',
      body: { depth: 99 },
    });
    expect(depth.status).toBe(400);
    expect(depth.body.issues.join()).toMatch(/depth/);
    const send = await api<Problem>('/api/radio/nodes/2/send', {
      method: 'POST',
      body: { bytes_hex: 'zz' },
    });
    expect(send.status).toBe(400);
    expect(send.body.issues.join()).toMatch(/bytes_hex/);
    const unknown = await api('/api/radio/nodes/4242');
    expect(unknown.status).toBe(404);
  });

  it('reports a killed node unreachable, then alerts, and closes the alert when it is back', async () => {
    pong.child.kill('SIGKILL');
    await pong.exited;
    const killedAt = Date.now();
    const event = await waitFor(
      'the radio-node-unreachable event',
      async () => {
        const { body } = await api('/api/events?kind=radio-node-unreachable');
        return (body as unknown as StoredEvent[]).find((e) => e.subject === '69');
      },
      10_000,
    );
    expect(event).toMatchObject({
      node: 'radio:field/69',
      to: 'unreachable',
      source: 'controller',
    });
    const down = await api<NodeDetail>('/api/radio/nodes/69');
    expect(down.body.node.status).toBe('unreachable');
    await waitFor(
      'node 69 unreachable on the live feed',
      () =>
        live.some(
          (c) =>
            c.type === 'radio-node' && c.node.address === 69 && c.node.status === 'unreachable',
        ),
      5000,
    );
    const alert = await waitFor(
      'the radio-node-unreachable alert',
      async () => {
        const { body } = await api('/api/alerts');
        return (body as unknown as Alert[]).find(
          (a) => a.kind === 'radio-node-unreachable' && a.closed_at === null,
        );
      },
      10_000,
    );
    // Not before both thresholds of silence (3 s + 2 s), counted from the last time it was heard.
    expect(Date.now() - killedAt).toBeGreaterThan(3000);
    expect(alert.subject).toBe('69');
    const timeout = await api('/api/radio/nodes/69/ping', { method: 'POST' });
    expect([502, 504]).toContain(timeout.status);
    expect(timeout.body.ok).toBe(false);

    await startPong();
    await waitFor(
      'node 69 reachable again with its alert closed',
      async () => {
        const { body } = await api<NodeDetail>('/api/radio/nodes/69');
        const alerts = (await api('/api/alerts')).body as unknown as Alert[];
        return (
          body.node.status === 'reachable' &&
          !alerts.some((a) => a.kind === 'radio-node-unreachable' && a.closed_at === null)
        );
      },
      10_000,
    );
    const back = await api('/api/events?kind=radio-node-reachable');
    expect((back.body as unknown as StoredEvent[]).some((e) => e.subject === '69')).toBe(true);
  });
});
