import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAgentConfigJson } from './agent-config.ts';
import { parseAgentConfig } from './agent-config-yaml.ts';

const text = readFileSync(new URL('../../test/agent/fixtures/agent.yaml', import.meta.url), 'utf8');

describe('parseAgentConfig', () => {
  it('reads the example with tracker defaults filled in', () => {
    const cfg = parseAgentConfig(text, 'agent.yaml');
    expect(cfg.node).toBe('node-1');
    expect(cfg.wans.map((w) => [w.name, w.tracker.intervalMs, w.tracker.down])).toEqual([
      ['wan', 50, 12],
      ['lte', 10_000, 5],
    ]);
    expect(cfg.policy.rules[0]).toMatchObject({
      name: 'default',
      srcZone: 'lan',
      policy: 'failover',
    });
  });

  it.each([
    [text.replace('node: node-1', 'node: [unclosed'), 'line 3'],
    [text.replace('down: 12', 'down: 0'), 'wans[0].track.down'],
    [text.replace('srcZone: lan', 'srcZone: guest'), 'policy.rules[0].srcZone'],
    [text.replace('wan: lte, metric: 2', 'wan: dsl, metric: 2'), 'policy.members[1].wan'],
    [text.replace('policy: failover }', 'policy: nope }'), 'policy.rules[0].policy'],
    [text.replace('holdDownMs: 30000', 'holdDownMs: soon'), 'holdDownMs'],
  ])('names the place of a mistake (%#: %s)', (bad, path) => {
    expect(() => parseAgentConfig(bad, 'agent.yaml')).toThrow(
      expect.objectContaining({ name: 'AgentConfigError', path }),
    );
  });

  it('reads an mqtt section and checks it', () => {
    const base = `${text}mqtt:\n  url: mqtts://broker:8883\n  site: lab\n`;
    const cfg = parseAgentConfig(`${base}  password: pw\n  tls: { ca: ca.pem }\n`, 'a.yaml');
    expect(cfg.mqtt).toMatchObject({
      url: 'mqtts://broker:8883',
      site: 'lab',
      metricsIntervalMs: 10_000,
      tls: { ca: 'ca.pem', rejectUnauthorized: true },
    });
    expect(cfg.platform).toBe('linux');
    for (const [bad, path] of [
      [`${base}  password: a\n  passwordFile: b\n`, 'mqtt.passwordFile'],
      [base.replace('mqtts://broker:8883', 'http://broker'), 'mqtt.url'],
      [`${base.replace('mqtts:', 'mqtt:')}  tls: { ca: ca.pem }\n`, 'mqtt.tls'],
      [`${base}  tls: { cert: c.pem }\n`, 'mqtt.tls'],
      [`${base}  site: a/b\n`.replace('  site: lab\n', ''), 'mqtt.site'],
      [text.replace('node: node-1', 'node: node-1\nplatform: vxworks'), 'platform'],
    ] as const) {
      expect(() => parseAgentConfig(bad, 'a.yaml')).toThrow(
        expect.objectContaining({ name: 'AgentConfigError', path }),
      );
    }
  });

  it('leaves a WAN gateway to netifd on OpenWrt only', () => {
    const noGateway = text.replace('    gateway: 198.51.100.1\n', '');
    expect(() => parseAgentConfig(noGateway, 'a.yaml')).toThrow(
      expect.objectContaining({ name: 'AgentConfigError', path: 'wans[1].gateway' }),
    );
    const cfg = parseAgentConfig(`${noGateway}platform: openwrt\n`, 'a.yaml');
    expect(cfg.wans[1]!.gateway).toBeUndefined();
    expect(cfg).toMatchObject({ role: 'gateway', logLevel: 'info', syncMwan3: true });
  });

  it('reads a JSON config, naming the line of a syntax error', () => {
    const json = JSON.stringify(parseAgentConfig(text, 'a.yaml').document, null, 2);
    expect(parseAgentConfigJson(json, 'agent.json').wans.map((w) => w.name)).toEqual([
      'wan',
      'lte',
    ]);
    const broken = json.replace('"lanDevices"', '"lanDevices" "oops"');
    expect(() => parseAgentConfigJson(broken, 'agent.json')).toThrow(
      expect.objectContaining({
        name: 'AgentConfigError',
        path: expect.stringMatching(/^line \d+$/),
      }),
    );
  });
});
