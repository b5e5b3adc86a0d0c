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
import { runScale } from '../../bench/scale-out/scale-run.ts';
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
    });
    expect(result.connectFailures).toBe(0);
    expect(result.lost).toBe(0);
    expect(result.acked.events).toBeGreaterThan(0);
    expect(result.problems).toEqual([]);
    expect(result.nodesOnline).toBe(nodes);
    expect(result.ingestLagMs.samples).toBeGreaterThan(0);
    expect(result.apiLatencyMs['/api/overview'].samples).toBeGreaterThan(0);
    expect(result.processes.map((p) => p.role).sort()).toEqual(['controller', 'generator']);

    const db = new Database(join(dir, 'scale-6.db'), { readonly: true });
    try {
      const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
      expect(
        count("SELECT count(*) AS n FROM events WHERE kind IN ('gateway-select', 'wan-state')"),
      ).toBe(result.acked.events);
      expect(result.eventsSeen).toBe(result.acked.events);
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
  }, 60_000);
});
