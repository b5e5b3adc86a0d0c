import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/sim/scenario.ts';

const base = `
duration_s: 30
topology: { kind: line, nodes: 3 }
`;

function error(text: string): Error {
  try {
    parseScenario(text, 'bad.yaml');
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a ScenarioError');
}

describe('scenario files', () => {
  it('loads the three example scenarios', () => {
    for (const f of ['line-5-lossy', 'grid-25-node-failure', 'random-250-chaos']) {
      const s = parseScenario(readFileSync(`scenarios/${f}.yaml`, 'utf8'), `${f}.yaml`);
      expect(s.name).toBe(f);
    }
  });

  it('accepts the documented example', () => {
    const doc = readFileSync('docs/simulator-and-routing.md', 'utf8');
    const yaml = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(yaml).toBeDefined();
    const s = parseScenario(yaml!, 'docs example');
    expect(s.faults.map((f) => f.kind)).toEqual(['node-crash', 'link-cut', 'wan-blackhole']);
    expect(s.traffic.random_flows?.via).toBe('meshlink');
  });

  it('fills defaults', () => {
    const s = parseScenario(base);
    expect(s.seed).toBe(1);
    expect(s.link).toEqual({ latency_ms: 2, bandwidth_kbps: 0, loss: 0 });
    expect(s.check_interval_ms).toBe(100);
  });

  it('names the file and the path of schema errors', () => {
    const e = error(`${base}\nlink: { loss: 1.5 }`);
    expect(e.name).toBe('ScenarioError');
    expect(e.message).toBe('bad.yaml: link.loss: must be at most 1');
    expect(
      error(
        `${base}\nfaults: [{ at_s: 5, kind: node-crash, target: n1 }, { at_s: 5, kind: explode, target: n1 }]`,
      ).message,
    ).toMatch(/^bad\.yaml: faults\[1\]\.kind: /);
    expect(error('duration_s: 30\ntopology: { kind: line, nodes: 3, extra: 1 }').message).toBe(
      'bad.yaml: topology.extra: unknown key',
    );
    expect(error('topology: { kind: line, nodes: 3 }').message).toMatch(/^bad\.yaml: duration_s: /);
  });

  it('reports every error of a file in one run, unknown keys with a likely meant one', () => {
    const e = error(
      'duration_s: -1\ntopology: { kind: line, nodes: 3 }\nlink: { loss: 2, latncy_ms: 5 }\nsed: 3',
    ) as Error & { issues: { path: string; message: string }[] };
    expect(e.issues).toEqual(
      expect.arrayContaining([
        { path: 'duration_s', message: 'must be greater than 0' },
        { path: 'link.loss', message: 'must be at most 1' },
        { path: 'link.latncy_ms', message: "unknown key (did you mean 'latency_ms'?)" },
        { path: 'sed', message: "unknown key (did you mean 'seed'?)" },
      ]),
    );
    expect(e.message).toMatch(/^bad\.yaml: 4 errors:\n/);
    const refs = error(
      `${base}\nfaults: [{ at_s: 5, kind: node-crash, target: n9 }, { at_s: 5, kind: link-cut, target: n0-n2 }]`,
    ) as Error & { issues: unknown[] };
    expect(refs.issues).toHaveLength(2);
  });

  it('names the path of unknown targets', () => {
    expect(error(`${base}\nfaults: [{ at_s: 5, kind: node-crash, target: n9 }]`).message).toBe(
      "bad.yaml: faults[0].target: unknown node 'n9'",
    );
    expect(error(`${base}\nfaults: [{ at_s: 5, kind: link-cut, target: n0-n2 }]`).message).toMatch(
      /^bad\.yaml: faults\[0\]\.target: unknown link 'n0-n2'/,
    );
    expect(error(`${base}\ntraffic: { flows: [{ from: n0, to: x, rate_pps: 1 }] }`).message).toBe(
      "bad.yaml: traffic.flows[0].to: unknown node 'x'",
    );
    expect(error(`${base}\nfaults: [{ at_s: 99, kind: node-crash, target: n1 }]`).message).toMatch(
      /faults\[0\]\.at_s: 99 is after/,
    );
  });

  it('reports YAML syntax errors with line and column', () => {
    expect(error('duration_s: [1, 2\ntopology: {').message).toMatch(
      /^bad\.yaml: line \d+, column \d+: not valid YAML/,
    );
  });

  it('validates explicit topologies', () => {
    const explicit = (links: string): string => `duration_s: 10
topology:
  kind: explicit
  nodes: [{ name: a }, { name: b }]
  links: ${links}`;
    expect(
      parseScenario(explicit('[{ a: a, b: b, loss: 0.2, back: { loss: 0.5 } }]')).topology.kind,
    ).toBe('explicit');
    expect(error(explicit('[{ a: a, b: c }]')).message).toBe(
      "bad.yaml: topology.links[0].b: unknown node 'c'",
    );
    expect(error(explicit('[{ a: a, b: b }, { a: b, b: a }]')).message).toBe(
      'bad.yaml: topology.links[1]: duplicate link a-b',
    );
  });
});
