/**
 * Issue 15, several controllers on one PostgreSQL database, as an operator sees them: two real
 * `intelli-mesh controller` processes on one database and one Mosquitto. Each one's
 * `/api/health` `cluster` object and `/metrics` report its own share of the partitions (checked
 * against PostgreSQL's lock table), the shares add up to the total and exactly one leads; after a
 * SIGKILL the survivor reports every partition and the leadership. The `/metrics` exposition of a
 * clustered process passes `promtool check metrics`. Failed logins on one process count on the
 * other (the login throttle is in the database).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterHealth } from '../../src/controller/cluster/cluster-report.ts';
import { DEFAULT_PARTITIONS } from '../../src/controller/cluster/partition-key.ts';
import type { HealthReport } from '../../src/controller/http/health.ts';
import { startControllerProcess, type ControllerProcess } from '../cli/controller-process.ts';
import { mosquittoAvailable, removeDir, startMosquitto } from '../mqtt/mosquitto-process.ts';
import { waitFor } from '../openwrt/wait-for.ts';
import { partitionHolders } from './partition-holders.ts';
import { postgresUnavailable, startPostgres } from '../postgres/postgres-server.ts';

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

  it('counts failed logins on one process against the other (the throttle is in the database)', async () => {
    const login = (ctl: ControllerProcess, username: string, password: string) =>
      fetch(`${ctl.url}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
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
