import { execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

import { labUnavailableReason, NetnsLab, PROBE_TARGETS } from '../platform/netns-lab.ts';

const run = promisify(execFile);
const skip = await labUnavailableReason();

/** The agent applies its first plan right after printing it; wait until the nft table exists. */
async function agentSettled(lab: NetnsLab): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const { stdout } = await run('ip', ['netns', 'exec', lab.node, 'nft', 'list', 'tables']);
    if (stdout.includes('intelli_mesh')) {
      const rules = await run('ip', [
        'netns',
        'exec',
        lab.node,
        'nft',
        'list',
        'chain',
        'inet',
        'intelli_mesh',
        'prerouting',
      ]);
      if (rules.stdout.includes('goto rule_0')) return;
    }
  }
  throw new Error('the agent never installed its first plan');
}
const bin = new URL('../../bin/intelli-mesh', import.meta.url).pathname;
const example = new URL('./fixtures/agent.yaml', import.meta.url).pathname;

describe('intelli-mesh agent', () => {
  it('--dry-run prints the first plan and the nftables ruleset without touching the host', async () => {
    const { stdout } = await run(bin, ['agent', example, '--dry-run']);
    expect(stdout).toContain('"node": "node-1"');
    expect(stdout).toContain('iifname { "br-lan" } goto rule_0 comment "default"');
    expect(stdout).toContain('meta mark set 0x100');
  }, 30_000);

  it('takes the file as --config FILE too, and refuses none or two', async () => {
    const { stdout } = await run(bin, ['agent', '--config', example, '--dry-run']);
    expect(stdout).toContain('"node": "node-1"');
    const none = await run(bin, ['agent', '--dry-run']).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(none).toMatchObject({ code: 1 });
    expect((none as { stderr: string }).stderr).toMatch(
      /^error: no config file: use --config FILE/m,
    );
    const two = await run(bin, [
      'agent',
      example,
      '--config',
      '/tmp/other.yaml',
      '--dry-run',
    ]).catch((e: { code: number; stderr: string }) => e);
    expect((two as { stderr: string }).stderr).toMatch(/two config files given/);
  }, 30_000);

  it('exits 1 with the file and every field and reason of a bad config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'im-agent-'));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'node: n\nlanDevices: []\nwans: []\npolicy: {}\n');
    const err = await run(bin, ['agent', bad, '--dry-run']).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(err).toMatchObject({ code: 1 });
    // Every problem of the file in one run, each with its path.
    const stderr = (err as { stderr: string }).stderr;
    expect(stderr).toMatch(/^error: .*bad\.yaml: 4 errors:$/m);
    for (const line of [
      'lanDevices: needs at least 1 item',
      'policy.members: required',
      'policy.policies: required',
      'policy.rules: required',
    ])
      expect(stderr).toContain(`  ${line}\n`);
  }, 30_000);
  it('checks the MQTT settings before touching the host, naming the flag or field', async () => {
    const exampleWithMqtt = new URL('../../examples/agent.yaml', import.meta.url).pathname;
    const { INTELLI_MESH_MQTT_PASSWORD: _unset, ...env } = process.env;
    const fail = (args: string[]) =>
      run(bin, ['agent', ...args], { env }).catch((e: { code: number; stderr: string }) => e);
    const badUrl = await fail(['--config', example, '--mqtt-url', 'http://broker']);
    expect(badUrl).toMatchObject({ code: 1 });
    expect((badUrl as { stderr: string }).stderr).toMatch(
      /--mqtt-url http:\/\/broker: expected mqtt/,
    );
    const noSite = await fail(['--config', example, '--mqtt-url', 'mqtt://127.0.0.1:1']);
    expect((noSite as { stderr: string }).stderr).toMatch(/no MQTT site: add --site NAME/);
    const noPassword = await fail([
      '--config',
      example,
      '--mqtt-url',
      'mqtt://127.0.0.1:1',
      '--site',
      'lab',
    ]);
    expect((noPassword as { stderr: string }).stderr).toMatch(/no MQTT password/);
    const missingFile = await fail(['--config', exampleWithMqtt]);
    expect((missingFile as { stderr: string }).stderr).toMatch(
      /agent\.yaml: mqtt\.passwordFile: cannot read .*mqtt-password/,
    );
  }, 60_000);
});

/** Two WANs in failover in the lab's node namespace, probed every 200 ms. */
function labConfig(): string {
  return [
    'node: lab-node',
    'lanDevices: [lan0]',
    'zones: { lan: [lan0] }',
    'wans:',
    `  - { name: wan1, device: wan1, gateway: 10.91.0.1, track: { targets: [${PROBE_TARGETS[0]}], intervalMs: 200, timeoutMs: 200 } }`,
    `  - { name: wan2, device: wan2, gateway: 10.92.0.1, track: { targets: [${PROBE_TARGETS[0]}], intervalMs: 200, timeoutMs: 200 } }`,
    'policy:',
    '  members: [{ name: a, wan: wan1, metric: 1 }, { name: b, wan: wan2, metric: 2 }]',
    '  policies: [{ name: p, members: [a, b] }]',
    '  rules: [{ name: default, srcZone: lan, policy: p }]',
    '',
  ].join('\n');
}

describe.skipIf(skip !== null)(
  `intelli-mesh agent in a namespace${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    it('decides, acts, and removes everything it installed on SIGTERM', async () => {
      const lab = await NetnsLab.create();
      const dir = mkdtempSync(join(tmpdir(), 'im-agent-'));
      const cfg = join(dir, 'agent.yaml');
      writeFileSync(cfg, labConfig());
      const child = spawn(bin, ['agent', cfg, '--netns', lab.node], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      try {
        const lines: string[] = [];
        // Waits for the first decision line, which the agent prints once it has acted on it.
        await new Promise<void>((resolve, reject) => {
          createInterface({ input: child.stdout }).on('line', (line) => {
            lines.push(line);
            if (line.includes('"kind":"gateway-announce"')) resolve();
          });
          child.once('exit', (code) => reject(new Error(`agent exited early with ${code}`)));
        });
        expect(JSON.parse(lines[0]!)).toMatchObject({
          node: 'lab-node',
          kind: 'policy-route',
          subject: 'default',
          to: 'wan1 100% (metric 1)',
        });
        const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
        await agentSettled(lab);
        expect(await lab.carrierOfClientTraffic()).toBe(1);
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
        const { stdout } = await run('ip', ['netns', 'exec', lab.node, 'nft', 'list', 'tables']);
        expect(stdout).not.toContain('intelli_mesh');
      } finally {
        child.kill('SIGKILL');
        await lab.destroy();
      }
    }, 60_000);

    it('--cleanup removes what a killed agent left: rules, tables and the nftables table', async () => {
      const lab = await NetnsLab.create();
      const dir = mkdtempSync(join(tmpdir(), 'im-agent-'));
      const cfg = join(dir, 'agent.yaml');
      writeFileSync(cfg, labConfig());
      const inNode = async (...argv: string[]) =>
        (await run('ip', ['netns', 'exec', lab.node, ...argv])).stdout;
      const child = spawn(bin, ['agent', cfg, '--netns', lab.node], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      try {
        await new Promise<void>((resolve, reject) => {
          createInterface({ input: child.stdout }).on('line', (line) => {
            if (line.includes('"kind":"gateway-announce"')) resolve();
          });
          child.once('exit', (code) => reject(new Error(`agent exited early with ${code}`)));
        });
        await agentSettled(lab);
        const killed = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await killed;
        expect(await inNode('nft', 'list', 'tables')).toContain('intelli_mesh');
        expect(await inNode('ip', 'rule', 'show')).toContain('lookup 101');
        const cleaned = await run(bin, ['agent', cfg, '--netns', lab.node, '--cleanup']);
        expect(cleaned.stderr).toBe('');
        expect(await inNode('nft', 'list', 'tables')).not.toContain('intelli_mesh');
        expect(await inNode('ip', 'rule', 'show')).not.toMatch(/lookup (10[0-9]|350)\b/);
        expect(await inNode('ip', 'route', 'show', 'table', '101')).toBe('');
        // Idempotent: nothing left to remove is no error.
        await run(bin, ['agent', cfg, '--netns', lab.node, '--cleanup']);
      } finally {
        child.kill('SIGKILL');
        await lab.destroy();
      }
    }, 60_000);
  },
);
