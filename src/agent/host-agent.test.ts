import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hostPlatform } from '../cli/host-platform.ts';
import type { CommandRunner } from '../platform/linux/command-runner.ts';
import { VirtualScheduler } from '../core/virtual-scheduler.ts';
import { RecordingPlatform } from '../../test/agent/recording-platform.ts';
import { validateAgentConfig } from './agent-config.ts';
import { HostAgent } from './host-agent.ts';

const doc = (primary: 'wan1' | 'wan2') => ({
  node: 'n1',
  lanDevices: ['lan0'],
  zones: { lan: ['lan0'] },
  wans: ['wan1', 'wan2'].map((name) => ({
    name,
    device: name,
    gateway: '192.0.2.1',
    bandwidthDownKbit: 10_000,
    bandwidthUpKbit: 2_000,
    track: { targets: ['198.51.100.2'], intervalMs: 100, timeoutMs: 100, down: 3, up: 2 },
  })),
  policy: {
    members: [
      { name: 'a', wan: 'wan1', metric: primary === 'wan1' ? 1 : 2 },
      { name: 'b', wan: 'wan2', metric: primary === 'wan2' ? 1 : 2 },
    ],
    policies: [{ name: 'p', members: ['a', 'b'] }],
    rules: [{ name: 'default', srcZone: 'lan', policy: 'p' }],
  },
});

/** Runs virtual time in small steps, letting promises settle between them, until `p` settles. */
async function pump<T>(s: VirtualScheduler, p: Promise<T>): Promise<T> {
  let done = false;
  const out = p.finally(() => (done = true));
  while (!done) {
    s.advance(10);
    await new Promise((r) => setImmediate(r));
  }
  return out;
}

/** Runs virtual time for `ms`, letting the probes' promises settle on the way. */
async function runFor(s: VirtualScheduler, ms: number): Promise<void> {
  const end = s.now() + ms;
  while (s.now() < end) {
    s.advance(10);
    await new Promise((r) => setImmediate(r));
  }
}

function harness() {
  const s = new VirtualScheduler();
  const state = { reachable: true };
  const platforms: RecordingPlatform[] = [];
  const log: string[] = [];
  const host = new HostAgent({
    scheduler: s,
    onEvent: (e) => log.push(`${e.kind}:${e.subject}:${e.to}`),
    onWansLost: () => log.push('wans-lost'),
    platform: () => {
      const p = new RecordingPlatform(
        () => state.reachable,
        () => s.now(),
      );
      p.readCounters = async (devices: string[]) =>
        new Map(devices.map((d, i) => [d, { rxBytes: 1000 * (i + 1), txBytes: 10 * (i + 1) }]));
      platforms.push(p);
      return p;
    },
  });
  return { s, state, platforms, log, host };
}

describe('HostAgent', () => {
  it('reports WAN health, shares and the announcement, and metrics with byte counters', async () => {
    const { s, host } = harness();
    await pump(s, host.start(validateAgentConfig(doc('wan1'), 'test')));
    await runFor(s, 500);
    const r = host.report();
    expect(r.wans.map((w) => [w.name, w.state, w.active, w.share])).toEqual([
      ['wan1', 'up', true, 1],
      ['wan2', 'up', false, 0],
    ]);
    expect(r.gateway).toMatchObject({ announcing: true, bandwidth_down_kbit: 20_000 });
    const m = await host.metrics();
    expect(m.wans.wan2).toMatchObject({ rx_bytes: 2000, tx_bytes: 20, loss: 0 });
    expect(m.rss_bytes).toBeGreaterThan(0);
  });

  it('replaces the agent on a new config: old platform closed, new one routing', async () => {
    const { s, host, platforms, log } = harness();
    await pump(s, host.start(validateAgentConfig(doc('wan1'), 'test')));
    await pump(s, host.replace(validateAgentConfig(doc('wan2'), 'test')));
    expect(platforms).toHaveLength(2);
    expect(platforms[0]!.calls.at(-1)!.op).toBe('close');
    expect(host.report().wans.find((w) => w.active)?.name).toBe('wan2');
    expect(log).not.toContain('wans-lost');
  });

  it('says every WAN was lost before a replace that kills them resolves', async () => {
    const { s, host, state, log } = harness();
    await pump(s, host.start(validateAgentConfig(doc('wan1'), 'test')));
    state.reachable = false;
    const replaced = host.replace(validateAgentConfig(doc('wan2'), 'test'));
    let lostBeforeResolve = false;
    await pump(
      s,
      replaced.then(() => (lostBeforeResolve = log.includes('wans-lost'))),
    );
    expect(lostBeforeResolve).toBe(true);
    expect(host.report().wans.every((w) => w.state === 'down')).toBe(true);
  });

  it('on OpenWrt, feeds batctl gwj to gateway selection and reports direct oj neighbours', async () => {
    const fixture = (name: string) =>
      readFileSync(new URL(`../../test/agent/fixtures/${name}`, import.meta.url), 'utf8');
    const calls: string[][] = [];
    const ok = (stdout = '') => ({ stdout, stderr: '', code: 0 });
    // Every ip/nft/conntrack call succeeds; batctl answers from the fixtures, ping answers.
    const run: CommandRunner = async (argv) => {
      calls.push(argv);
      if (argv[0] === 'batctl' && argv.at(-1) === 'gwj') return ok(fixture('batctl-gwj.json'));
      if (argv[0] === 'batctl' && argv.at(-1) === 'oj') return ok(fixture('batctl-oj.json'));
      if (argv[0] === 'ping') return ok('rtt min/avg/max/mdev = 2.0/2.0/2.0/0.0 ms');
      if (argv[0] === 'ubus' && argv[3] === 'status')
        return ok(
          readFileSync(
            new URL('../../test/platform/fixtures/ubus-wan-status.json', import.meta.url),
            'utf8',
          ),
        );
      return ok();
    };
    const s = new VirtualScheduler();
    const host = new HostAgent({
      scheduler: s,
      onEvent: () => undefined,
      platform: (c) => hostPlatform(c, { run }),
    });
    // Whole seconds and address rules, which mwan3 can express too; no gateway for wan1.
    const track = { targets: ['198.51.100.2'], intervalMs: 1000, timeoutMs: 1000, down: 3, up: 2 };
    const { gateway: _g, ...wan1 } = { ...doc('wan1').wans[0]!, track };
    const policy = doc('wan1').policy;
    const cfg = validateAgentConfig(
      {
        ...doc('wan1'),
        wans: [wan1, { ...doc('wan1').wans[1]!, track }],
        policy: { ...policy, rules: [{ name: 'default', destIp: '0.0.0.0/0', policy: 'p' }] },
        platform: 'openwrt',
        gatewayPollMs: 1000,
      },
      'test',
    );
    await pump(s, host.start(cfg));
    await runFor(s, 300);
    try {
      expect(calls).toContainEqual(['batctl', 'meshif', 'bat0', 'gwj']);
      expect(calls.some((a) => a.join(' ').startsWith('batctl meshif bat0 gw_mode server'))).toBe(
        true,
      );
      const r = host.report();
      // Default gw_sel_class 20 picks by TQ: the gateway at 231.
      expect(r.gateway.selected).toBe('02:ba:7a:00:00:02');
      expect(r.neighbours).toEqual([
        { node: '02:ba:7a:00:00:02', tq: 231, last_seen_ms: 120 },
        { node: '02:ba:7a:00:00:03', tq: 205, last_seen_ms: 0 },
      ]);
      expect(r.wans.map((w) => w.latency_ms)).toEqual([2, 2]);
      // netifd's lease (ubus status) gave wan1 its gateway, which the config left out.
      expect(calls).toContainEqual(['ubus', 'call', 'network.interface.wan1', 'status']);
      expect(calls).toContainEqual(
        expect.arrayContaining(['route', 'replace', 'default', 'via', '192.0.2.1', 'dev', 'eth1']),
      );
      // The running policy is written to /etc/config/mwan3 through uci.
      const batch = calls.findIndex((a) => a.join(' ') === 'uci batch');
      expect(batch).toBeGreaterThan(-1);
      expect(calls.slice(batch)).toContainEqual(['uci', 'commit', 'mwan3']);
    } finally {
      await pump(s, host.stop());
    }
  });
});
