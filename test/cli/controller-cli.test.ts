import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AgentLink } from '../../src/agent/mqtt/agent-link.ts';
import { RealScheduler } from '../../src/core/real-scheduler.ts';

const BIN = new URL('../../bin/intelli-mesh', import.meta.url).pathname;
const ROOT = new URL('../..', import.meta.url).pathname;

/** The command line as `bin/intelli-mesh` runs it (tsx), or compiled as `npm run build` makes it. */
interface Cli {
  command: string;
  args: string[];
}
const fromSources: Cli = { command: BIN, args: [] };
// Inside the checkout, so the compiled files find node_modules as a router's install would.
mkdirSync(join(ROOT, 'build'), { recursive: true });
const compiledOut = mkdtempSync(join(ROOT, 'build', 'cli-test-'));
const compiled: Cli = { command: process.execPath, args: [join(compiledOut, 'cli/main.js')] };

beforeAll(() => {
  const r = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', compiledOut], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}${r.stderr}`);
}, 120_000);
afterAll(() => rmSync(compiledOut, { recursive: true, force: true }));

// A failed assertion must not leave a controller running after the suite.
let running: ChildProcess | undefined;
afterEach(() => {
  if (running && running.exitCode === null) running.kill('SIGKILL');
  running = undefined;
});

describe.each([
  ['from the sources', fromSources],
  ['compiled', compiled],
])('intelli-mesh controller and mqtt-user, %s', (_how, cli: Cli) => {
  it('starts a controller with an embedded broker that a credentialed node can report to', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'im-cli-ctl-'));
    const entry = spawnSync(
      cli.command,
      [...cli.args, 'mqtt-user', 'node-1', '--role', 'node', '--header'],
      {
        env: { ...process.env, INTELLI_MESH_NEW_PASSWORD: 'node-1-pw' },
        encoding: 'utf8',
      },
    );
    expect(entry.status).toBe(0);
    expect(entry.stdout).toMatch(
      /^users:\n {2}- username: node-1\n {4}role: node\n {4}password_hash: scrypt\$/,
    );
    writeFileSync(join(dir, 'users.yaml'), entry.stdout);

    const child = spawn(
      cli.command,
      [
        ...cli.args,
        'controller',
        '--site',
        'lab',
        '--db',
        join(dir, 'c.db'),
        '--port',
        '0',
        '--mqtt-port',
        '0',
        '--credentials',
        join(dir, 'users.yaml'),
      ],
      { env: { ...process.env, INTELLI_MESH_PASSWORD: 'admin-pw', LOG_LEVEL: 'warn' } },
    );
    running = child;
    let out = '';
    const urls = await new Promise<{ http: string; mqtt: string }>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const http = /at (http:\/\/\S+)/.exec(out)?.[1];
        const mqtt = /MQTT broker: (mqtt:\/\/\S+)/.exec(out)?.[1];
        if (http && mqtt && out.includes('login: ')) resolve({ http, mqtt });
      });
      child.once('exit', (code) => reject(new Error(`controller exited ${code}: ${out}`)));
    });
    expect(out).toContain('login: admin (password from INTELLI_MESH_PASSWORD)');

    const scheduler = new RealScheduler();
    const link = await AgentLink.connect({
      url: urls.mqtt,
      site: 'lab',
      node: 'node-1',
      password: 'node-1-pw',
      clock: scheduler,
    });
    await expect(
      AgentLink.connect({
        url: urls.mqtt,
        site: 'lab',
        node: 'node-1',
        password: 'wrong',
        clock: scheduler,
        reconnectPeriodMs: 0,
      }),
    ).rejects.toThrow(/could not join/);
    await link.publishEvent({
      at: scheduler.now(),
      node: 'node-1',
      kind: 'hello',
      subject: 'x',
      from: null,
      to: null,
      reason: 'cli test',
    });

    const login = await fetch(`${urls.http}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'admin-pw' }),
    });
    const { token } = (await login.json()) as { token: string };
    // The event travels broker -> controller -> SQLite; ask until it is there (bounded by the test timeout).
    let reasons: string[] = [];
    while (!reasons.includes('cli test')) {
      const res = await fetch(`${urls.http}/api/events?node=node-1`, {
        headers: { authorization: `Bearer ${token}` },
      });
      reasons = ((await res.json()) as { reason: string }[]).map((e) => e.reason);
      if (!reasons.includes('cli test')) await new Promise((r) => setTimeout(r, 20));
    }
    await link.close();
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses bad flags with a message', () => {
    const r = spawnSync(cli.command, [...cli.args, 'controller', '--port', 'eighty'], {
      encoding: 'utf8',
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--port.*'eighty' is not an integer/);
    const u = spawnSync(cli.command, [...cli.args, 'mqtt-user', 'a/b'], { encoding: 'utf8' });
    expect(u.status).toBe(1);
    expect(u.stderr).toMatch(/node name 'a\/b'/);
  });

  it('validates an agent config and prints its first plan and nftables ruleset', () => {
    const file = join(ROOT, 'examples/agent.yaml');
    const r = spawnSync(cli.command, [...cli.args, 'agent', '--config', file, '--dry-run'], {
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const plan = JSON.parse(r.stdout.slice(0, r.stdout.indexOf('\n}\n') + 2)) as { node: string };
    expect(plan.node).toBe('node-1');
    expect(r.stdout).toContain('table inet');
  });
});
