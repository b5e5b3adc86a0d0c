/**
 * Real-time smoke test of `intelli-mesh start`: the real process with its broker, controller and
 * simulated mesh; logs in through the API, waits for the mesh to report, cuts a gateway's WANs
 * through the fault API and sees the alert and the withdrawn announcement, then stops it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultRuntimeConfig } from '../../src/demo/node-runtime-config.ts';
import { BIN } from '../meshlink/cli-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'im-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Polls `probe` until it returns a value, or fails after `timeoutMs` with the last one seen. */
async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('intelli-mesh start', () => {
  it('serves a live mesh of >= 20 nodes and 4 gateways, and a fault raises an alert', async () => {
    const child = spawn(BIN, ['start', '--port', '0', '--db', join(dir, 'demo.db')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, INTELLI_MESH_PASSWORD: 'smoke-pw' },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const url = await until(
        async () => /dashboard: (http:\/\/\S+)/.exec(out)?.[1],
        `the URL in the output:\n${out}`,
        30_000,
      );
      const login = await fetch(`${url}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: 'smoke-pw' }),
      });
      expect(login.status).toBe(200);
      const { token } = (await login.json()) as { token: string };
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const get = async <T>(path: string) =>
        (await (await fetch(`${url}${path}`, { headers })).json()) as T;

      type Overview = { nodes_online: number; gateways_announcing: number };
      const overview = await until(async () => {
        const o = await get<Overview>('/api/overview');
        return o.nodes_online >= 20 && o.gateways_announcing === 4 ? o : undefined;
      }, 'nodes online and gateways announcing');
      expect(overview.nodes_online).toBeGreaterThanOrEqual(20);

      const faults = await get<{ targets: { wans: { node: string; wan: string }[] } }>(
        '/api/demo/faults',
      );
      const victim = 'n5';
      const wans = faults.targets.wans.filter((w) => w.node === victim);
      expect(wans.length).toBeGreaterThan(0);
      for (const w of wans) {
        const r = await fetch(`${url}/api/demo/faults`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ action: 'cut-wan', node: w.node, wan: w.wan }),
        });
        expect(r.status).toBe(202);
      }
      type Alert = { node: string; kind: string };
      const alerts = await until(async () => {
        const a = await get<Alert[]>('/api/alerts?state=open');
        return a.some((x) => x.node === victim && x.kind === 'wan-down') ? a : undefined;
      }, 'a wan-down alert for the victim');
      expect(alerts).toContainEqual(expect.objectContaining({ node: victim, kind: 'wan-down' }));
      type NodeRow = { node: string; state: { gateway: { announcing: boolean } } | null };
      await until(async () => {
        const n = await get<NodeRow>(`/api/nodes/${victim}`);
        return n.state?.gateway.announcing === false ? true : undefined;
      }, 'the victim to stop announcing');

      // A killed node drops off the broker: the controller raises node-offline; restored, it returns.
      const post = (body: object) =>
        fetch(`${url}/api/demo/faults`, { method: 'POST', headers, body: JSON.stringify(body) });
      expect((await post({ action: 'kill-node', node: 'n8' })).status).toBe(202);
      await until(async () => {
        const a = await get<Alert[]>('/api/alerts?state=open');
        return a.some((x) => x.node === 'n8' && x.kind === 'node-offline') ? true : undefined;
      }, 'a node-offline alert for n8');
      expect((await post({ action: 'restore-node', node: 'n8' })).status).toBe(202);
      await until(async () => {
        const n = await get<{ online: boolean }>('/api/nodes/n8');
        return n.online ? true : undefined;
      }, 'n8 back online');

      // A configuration pushed from the controller really changes a node's agent.
      const cfg = defaultRuntimeConfig([
        { name: 'wan', kind: 'ethernet', latencyMs: 0, bandwidthDownKbit: 0, bandwidthUpKbit: 0 },
        { name: 'lte', kind: 'modem', latencyMs: 0, bandwidthDownKbit: 0, bandwidthUpKbit: 0 },
      ]);
      cfg.policy.members[1]!.weight = 3;
      const push = await fetch(`${url}/api/config/push`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ node: 'n0', version: 'even-split', config: cfg }),
      });
      expect(push.status).toBe(202);
      await until(async () => {
        const p = await get<{ version: string; status: string }[]>('/api/config/pushes?node=n0');
        return p.some((x) => x.version === 'even-split' && x.status === 'confirmed')
          ? true
          : undefined;
      }, 'the push to be confirmed');
      type Wans = { state: { wans: { name: string; share?: number }[] } | null };
      await until(async () => {
        const n = await get<Wans>('/api/nodes/n0');
        return n.state?.wans.find((w) => w.name === 'lte')?.share === 0.5 ? true : undefined;
      }, 'n0 to split its flows evenly');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 90_000);
});
