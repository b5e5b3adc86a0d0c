/**
 * Issue 15, item 4: the scale bench's load generator against the real controller process. A few
 * simulated nodes (each its own MQTT login) run for a few short periods; then what the broker
 * acknowledged must be in the controller's SQLite file, counted there: every event once, one
 * metrics sample per acknowledged metrics message, every node known and online. The node
 * traffic itself is checked against the controller's message schemas.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeMessage } from '../../src/mqtt/messages.ts';
import { mulberry32, SimulatedNode } from '../../bench/scale-out/node-traffic.ts';
import {
  commandLabel,
  machineShare,
  parseStat,
  processTree,
  type ProcessEntry,
  type ProcessSnapshot,
} from '../../bench/scale-out/machine-share.ts';
import {
  defaultLoginCache,
  DEFAULT_LOGIN_CACHE,
  nodeLogins,
} from '../../bench/scale-out/node-logins.ts';
import { runScale } from '../../bench/scale-out/scale-run.ts';
import { renderMosquittoConfig } from '../../src/mqtt/mosquitto-config.ts';
import { verifyPassword } from '../../src/mqtt/password-hash.ts';
import { parseDbOption, ScaleOptionError } from '../../bench/scale-out/store-target.ts';

const dir = mkdtempSync(join(tmpdir(), 'im-scale-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scale-out node traffic', () => {
  it('is valid under the controller schemas, with decisions of both kinds', () => {
    const nodes = [0, 1, 7, 20, 99].map(
      (index) =>
        new SimulatedNode({ index, nodes: 100, random: mulberry32(index), decisionRate: 0.5 }),
    );
    const kinds = new Set<string>();
    let t = 1_700_000_000_000;
    for (const node of nodes) {
      const out = [...node.connected(t), node.lastWill(t)];
      for (let i = 0; i < 20; i++) out.push(...node.tick((t += 10_000)));
      for (const p of out) {
        const decoded = decodeMessage(p.channel, JSON.stringify(p.payload));
        expect(decoded.ok ? '' : decoded.error).toBe('');
        if (p.channel === 'events') kinds.add(String(p.payload.kind));
      }
    }
    expect([...kinds].sort()).toEqual(['gateway-select', 'wan-state']);
  });
});

describe('scale-out --db', () => {
  it('says what it expected for a URL of another database', () => {
    expect(() => parseDbOption('mysql://x/y')).toThrow(ScaleOptionError);
    expect(() => parseDbOption('mysql://x/y')).toThrow(/postgres:\/\/ URL/);
    expect(parseDbOption('postgresql://u@h/db')).toEqual({
      kind: 'postgres',
      url: 'postgresql://u@h/db',
    });
    expect(parseDbOption(undefined)).toEqual({ kind: 'sqlite' });
  });
});

describe('scale-out machine share', () => {
  const entry = (ppid: number, ticks: number, comm: string, label = comm): ProcessEntry => ({
    ppid,
    ticks,
    comm,
    label,
  });
  const snap = (atMs: number, entries: [number, ProcessEntry][]): ProcessSnapshot => ({
    atMs,
    processes: new Map(entries),
  });

  it('reads /proc stat lines whose command name holds spaces and parentheses', () => {
    const stat = '4242 (tsx (x) y) S 17 4242 4242 0 -1 4194560 1 0 0 0 250 50 0 0 20 0 11 0';
    expect(parseStat(stat)).toEqual({ comm: 'tsx (x) y', ppid: 17, ticks: 300 });
  });

  it('labels a node process by its script, anything else by its program', () => {
    const node = ['/usr/bin/node', '--import', 'file:///x/node_modules/tsx/dist/loader.mjs'];
    expect(
      commandLabel([...node, 'bench/sim-speed.ts', '--one', '250', 'x'].join('\0'), 'node'),
    ).toBe('bench/sim-speed.ts --one 250');
    expect(commandLabel('/usr/sbin/mosquitto\0-c\0/tmp/m.conf\0', 'mosquitto')).toBe(
      'mosquitto -c',
    );
    expect(commandLabel('', 'kworker/0:1')).toBe('kworker/0:1');
    expect(commandLabel('node\0/w/bin/intelli-mesh\0controller\0--db\0x.db', 'node')).toBe(
      'intelli-mesh controller',
    );
  });

  it("splits CPU into the bench's tree (its PostgreSQL apart) and everything else", () => {
    const bench = 100;
    const before = snap(0, [
      [bench, entry(1, 0, 'node')],
      [101, entry(bench, 0, 'node', 'intelli-mesh controller')],
      [102, entry(101, 10, 'postgres')],
      [200, entry(1, 100, 'node', 'bench/sim-speed.ts')],
      [300, entry(1, 50, 'tsc')],
    ]);
    // 10 s later: the controller used 2 s, its database 3 s, the other bench 8 s, tsc 1 s, and a
    // new process started under the other bench 2 s.
    const after = snap(10_000, [
      [bench, entry(1, 0, 'node')],
      [101, entry(bench, 200, 'node', 'intelli-mesh controller')],
      [102, entry(101, 310, 'postgres')],
      [103, entry(102, 0, 'postgres')],
      [200, entry(1, 900, 'node', 'bench/sim-speed.ts')],
      [201, entry(200, 200, 'node', 'bench/sim-speed.ts')],
      [300, entry(1, 150, 'tsc')],
    ]);
    expect([...processTree(after, bench)].sort()).toEqual([100, 101, 102, 103]);
    expect(machineShare(before, after, bench)).toEqual({
      otherCpuPercent: 110,
      others: 'bench/sim-speed.ts 100%; tsc 10%',
      databaseCpuPercent: 30,
    });
  });

  it('counts a reused pid of another program from zero', () => {
    const before = snap(0, [[7, entry(1, 500, 'old')]]);
    const after = snap(1000, [[7, entry(1, 20, 'new')]]);
    expect(machineShare(before, after, 99).otherCpuPercent).toBe(20);
  });
});

describe('scale-out login costs', () => {
  it('keeps a cheaper cost in its own cache, beside the default one', async () => {
    expect(defaultLoginCache()).toBe(DEFAULT_LOGIN_CACHE);
    expect(defaultLoginCache(1024)).not.toBe(DEFAULT_LOGIN_CACHE);
    const file = join(dir, 'cost.json');
    const cheap = await nodeLogins(3, file, undefined, { N: 1024, r: 8, p: 1 });
    expect(cheap.map((l) => l.hash.split('$')[1])).toEqual(['1024', '1024', '1024']);
    expect(verifyPassword(cheap[2]!.password, cheap[2]!.hash)).toBe(true);
    // The same file asked for another cost is not taken as it is: its logins are hashed again.
    const dearer = await nodeLogins(3, file, undefined, { N: 2048, r: 8, p: 1 });
    expect(dearer.map((l) => l.hash.split('$')[1])).toEqual(['2048', '2048', '2048']);
  });

  it("renders Mosquitto's password lines at the iterations asked, the default otherwise", () => {
    const render = (passwordIterations?: number) =>
      renderMosquittoConfig({
        configDir: dir,
        dataDir: dir,
        port: 1883,
        users: [{ username: 'n1', password: 'pw', role: 'node' }],
        passwordIterations,
      }).passwd.split('$')[2];
    expect(render(1000)).toBe('1000');
    expect(render()).toBe('210000');
  });
});

describe('scale-out against a real controller', () => {
  it('delivers every acknowledged message of a few nodes to the store', async () => {
    const nodes = 6;
    const result = await runScale({
      nodes,
      durationMs: 1500,
      periodMs: 1000,
      decisionRate: 0.5,
      procs: 1,
      connectPerSecond: 50,
      target: { kind: 'sqlite', path: join(dir, 'scale.db') },
      controllers: 1,
      workDir: dir,
      loginCache: join(dir, 'logins.json'),
      nodeHashCost: 1024,
    });
    expect(result.connectFailures).toBe(0);
    expect(result.lost).toBe(0);
    expect(result.acked.events).toBeGreaterThan(0);
    expect(result.problems).toEqual([]);
    expect(result.nodesOnline).toBe(nodes);
    expect(result.ingestLagMs.samples).toBeGreaterThan(0);
    expect(result.apiLatencyMs['/api/overview'].samples).toBeGreaterThan(0);
    expect(result.processes.map((p) => p.role).sort()).toEqual(['controller', 'generator']);
    expect(result.nodeHashCost).toBe(1024);

    const db = new Database(join(dir, 'scale-6.db'), { readonly: true });
    try {
      const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
      expect(
        count("SELECT count(*) AS n FROM events WHERE kind IN ('gateway-select', 'wan-state')"),
      ).toBe(result.acked.events);
      expect(result.eventsSeen).toBe(result.acked.events);
      // The bench's own count of what was stored agrees with the database.
      expect(result.eventsStored).toBe(result.acked.events);
      expect(result.eventsStoredDistinct).toBe(result.acked.events);
      // Every metrics message records cpu_percent once.
      expect(
        count(
          "SELECT coalesce(sum(count), 0) AS n FROM metrics WHERE series = 'cpu_percent' AND resolution = 10000",
        ),
      ).toBe(result.acked.metrics);
      expect(count('SELECT count(*) AS n FROM nodes')).toBe(nodes);
    } finally {
      db.close();
    }
  }, 120_000);
});
