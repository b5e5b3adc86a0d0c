/**
 * Issue 15, several controllers on one PostgreSQL database, as an operator sees them: two real
 * `intelli-mesh controller` processes on one database and one Mosquitto. Each one's
 * `/api/health` `cluster` object and `/metrics` report its own share of the partitions (checked
 * against PostgreSQL's lock table), the shares add up to the total and exactly one leads; after a
 * SIGKILL the survivor reports every partition and the leadership. The `/metrics` exposition of a
 * clustered process passes `promtool check metrics`. Failed logins on one process count on the
 * other (the login throttle is in the database). A live-feed ticket issued by one process opens
 * the feed on the other (a proxy may send the two requests to different processes), and an alert
 * acknowledged through one process reaches the other's live feed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ClusterHealth } from '../../src/controller/cluster/cluster-report.ts';
import { DEFAULT_PARTITIONS } from '../../src/controller/cluster/partition-key.ts';
import type { HealthReport } from '../../src/controller/http/health.ts';
import { startControllerProcess, type ControllerProcess } from '../cli/controller-process.ts';
import { mosquittoAvailable, removeDir, startMosquitto } from '../mqtt/mosquitto-process.ts';
import { waitFor } from '../openwrt/wait-for.ts';
import { partitionHolders } from './partition-holders.ts';
import { postgresUnavailable, startPostgres } from '../postgres/postgres-server.ts';
import { loginToken, postLogin } from './api-login.ts';

const PROMTOOL = '/usr/bin/promtool';
const skip = postgresUnavailable() ?? (mosquittoAvailable() ? undefined : 'no mosquitto');

const cleanups: (() => Promise<unknown> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function healthOf(
  ctl: ControllerProcess,
): Promise<HealthReport & { cluster: ClusterHealth }> {
  const res = await fetch(`${ctl.url}/api/health`);
  expect(res.status).toBe(200);
  return (await res.json()) as HealthReport & { cluster: ClusterHealth };
}

async function metricsOf(ctl: ControllerProcess): Promise<string> {
  const res = await fetch(`${ctl.url}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

/** The value of an unlabelled series in an exposition. */
function sample(text: string, name: string): number {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  if (!m) throw new Error(`${name} missing from /metrics`);
  return Number(m[1]);
}

describe.skipIf(skip !== undefined)('two controllers on PostgreSQL, as operators see them', () => {
  let a: ControllerProcess;
  let b: ControllerProcess;
  let db: pg.Client;

  beforeAll(async () => {
    const postgres = await startPostgres();
    cleanups.push(() => postgres.stop());
    const dbUrl = await postgres.newDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'im-cluster-ops-'));
    cleanups.push(() => removeDir(dir));
    const broker = await startMosquitto(
      [
        { username: 'controller-a', password: 'ctl-pw', role: 'controller' },
        { username: 'controller-b', password: 'ctl-pw', role: 'controller' },
      ],
      dir,
    );
    cleanups.push(() => broker.stop());
    const start = async (login: string) => {
      const ctl = await startControllerProcess(
        [
          ...['--site', 'lab', '--port', '0', '--db', dbUrl, '--public-metrics'],
          ...['--mqtt-url', broker.url, '--mqtt-username', login],
        ],
        {
          env: { INTELLI_MESH_MQTT_PASSWORD: 'ctl-pw', INTELLI_MESH_PASSWORD: 'admin-pw' },
          timeoutMs: 30_000,
        },
      );
      cleanups.push(() => ctl.stop());
      return ctl;
    };
    // One after the other: the first creates the schema and the admin.
    a = await start('controller-a');
    b = await start('controller-b');
    db = new pg.Client({ connectionString: dbUrl });
    await db.connect();
    cleanups.push(() => db.end());
  }, 90_000);

  it('opens the live feed on one process with a ticket from the other, and shows there an alert acknowledged through the first', async () => {
    const token = await loginToken(a.url, 'admin', 'admin-pw');
    const auth = { authorization: `Bearer ${token}` };
    const issued = await fetch(`${a.url}/api/live/ticket`, { method: 'POST', headers: auth });
    expect(issued.status).toBe(200);
    const { ticket } = (await issued.json()) as { ticket: string };

    const messages: {
      type: string;
      changes?: { type: string; alert?: Record<string, unknown> }[];
    }[] = [];
    const ws = new WebSocket(`${b.url.replace('http', 'ws')}/api/live?ticket=${ticket}`);
    ws.on('message', (d: Buffer) => messages.push(JSON.parse(d.toString())));
    ws.on('error', () => undefined);
    let refused: number | undefined;
    ws.once('unexpected-response', (_req, res) => (refused = res.statusCode ?? 0));
    try {
      await waitFor(
        'the hello on b',
        () => refused !== undefined || messages.some((m) => m.type === 'hello'),
        10_000,
      );
      expect(refused, 'b refused the ticket a issued').toBeUndefined();

      const { rows } = await db.query<{ id: number }>(
        `INSERT INTO alerts (key, node, kind, subject, severity, message, opened_at)
         VALUES ('node-offline:gw-9', 'gw-9', 'node-offline', 'gw-9', 'critical', 'gw-9 is offline', 1)
         RETURNING id`,
      );
      const id = Number(rows[0]!.id);
      const acked = await fetch(`${a.url}/api/alerts/${id}/ack`, { method: 'POST', headers: auth });
      expect(acked.status).toBe(200);
      const change = await waitFor(
        "the acknowledgement on b's live feed",
        () =>
          messages
            .flatMap((m) => m.changes ?? [])
            .find((c) => c.type === 'alert' && Number(c.alert?.id) === id),
        10_000,
      );
      expect(change!.alert).toMatchObject({ acked_by: 'admin', key: 'node-offline:gw-9' });
    } finally {
      ws.close();
    }
    // Used once: neither process takes the ticket again.
    for (const ctl of [a, b]) {
      const again = new WebSocket(`${ctl.url.replace('http', 'ws')}/api/live?ticket=${ticket}`);
      // Terminating a refused handshake reports an error of its own: expected here.
      again.on('error', () => undefined);
      const status = await new Promise<number>((resolve) => {
        again.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        again.once('open', () => resolve(101));
      });
      again.terminate();
      expect(status).toBe(401);
    }
  });

  it('counts failed logins on one process against the other (the throttle is in the database)', async () => {
    const login = (ctl: ControllerProcess, username: string, password: string) =>
      postLogin(ctl.url, username, password);
    // Five wrong passwords for one username, spread over both processes: the budget is spent.
    for (const ctl of [a, b, a, b, a])
      expect((await login(ctl, 'admin', 'guess')).status).toBe(401);
    for (const ctl of [b, a]) {
      const refused = await login(ctl, 'admin', 'guess');
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // Even the right password waits now, on either process; another username may still try.
    expect((await login(b, 'admin', 'admin-pw')).status).toBe(429);
    expect((await login(b, 'nobody', 'guess')).status).toBe(401);
  });

  it('each reports its own share in /api/health and /metrics; one leads; the survivor of a SIGKILL reports all', async () => {
    // Each process's report, once the two have split the partitions and one leads.
    const [ha, hb] = await waitFor(
      'both processes to report an even split and one leader',
      async () => {
        const hs = [await healthOf(a), await healthOf(b)];
        const held = hs.map((h) => h.cluster.partitions.held);
        const leaders = hs.filter((h) => h.cluster.leader).length;
        return held.every((n) => n === DEFAULT_PARTITIONS / 2) && leaders === 1 ? hs : undefined;
      },
      15_000,
    );
    for (const h of [ha!, hb!]) {
      expect(h.ok).toBe(true);
      expect(h.cluster).toMatchObject({
        enabled: true,
        ok: true,
        members: 2,
        partitions: { total: DEFAULT_PARTITIONS },
      });
      expect(h.cluster.lastClaimAt).toEqual(expect.any(Number));
    }
    // The member ids are the lock connections' pids, and each holds in PostgreSQL what it reports.
    const holders = await partitionHolders(db);
    expect(holders.get(ha!.cluster.member!)).toBe(ha!.cluster.partitions.held);
    expect(holders.get(hb!.cluster.member!)).toBe(hb!.cluster.partitions.held);

    const [ma, mb] = [await metricsOf(a), await metricsOf(b)];
    for (const [m, h] of [
      [ma, ha!],
      [mb, hb!],
    ] as const) {
      expect(sample(m, 'intelli_mesh_cluster_partitions_held')).toBe(h.cluster.partitions.held);
      expect(sample(m, 'intelli_mesh_cluster_partitions')).toBe(DEFAULT_PARTITIONS);
      expect(sample(m, 'intelli_mesh_cluster_leader')).toBe(h.cluster.leader ? 1 : 0);
      expect(sample(m, 'intelli_mesh_cluster_members')).toBe(2);
    }
    expect(
      sample(ma, 'intelli_mesh_cluster_partitions_held') +
        sample(mb, 'intelli_mesh_cluster_partitions_held'),
    ).toBe(DEFAULT_PARTITIONS);
    expect(
      sample(ma, 'intelli_mesh_cluster_leader') + sample(mb, 'intelli_mesh_cluster_leader'),
    ).toBe(1);
    if (existsSync(PROMTOOL)) {
      const check = spawnSync(PROMTOOL, ['check', 'metrics'], { input: ma, encoding: 'utf8' });
      expect({ status: check.status, output: `${check.stdout}${check.stderr}` }).toEqual({
        status: 0,
        output: '',
      });
    }

    // a dies as a crash would end it; b's report takes everything over.
    const exited = new Promise((resolve) => a.child.once('exit', resolve));
    a.child.kill('SIGKILL');
    await exited;
    const survivor = await waitFor(
      'the survivor to report every partition and the leadership',
      async () => {
        const h = await healthOf(b);
        return h.cluster.partitions.held === DEFAULT_PARTITIONS && h.cluster.leader ? h : undefined;
      },
      15_000,
    );
    expect(survivor.cluster).toMatchObject({ ok: true, members: 1, member: hb!.cluster.member });
    const after = await metricsOf(b);
    expect(sample(after, 'intelli_mesh_cluster_partitions_held')).toBe(DEFAULT_PARTITIONS);
    expect(sample(after, 'intelli_mesh_cluster_leader')).toBe(1);
    expect(sample(after, 'intelli_mesh_cluster_members')).toBe(1);
    expect([...(await partitionHolders(db))]).toEqual([[hb!.cluster.member, DEFAULT_PARTITIONS]]);
  }, 60_000);
});
