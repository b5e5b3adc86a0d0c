/**
 * Bad input never crashes the loader: random text, and the example site with random values
 * put at random places, always give either a valid site (which then renders) or issues.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSite, renderSite } from '../../src/config/index.ts';
import { exampleObject, type Loose } from './example-site.ts';

type Path = (string | number)[];

function paths(value: Loose, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [prefix];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [prefix, ...keys.flatMap((k) => paths(value[k], [...prefix, k]))];
}

function setAt(root: Loose, path: Path, v: unknown): void {
  if (path.length === 0) return;
  let node = root;
  for (const k of path.slice(0, -1)) {
    node = node?.[k];
    // An earlier mutation replaced a parent with a scalar: nothing left to set here.
    if (node === null || typeof node !== 'object') return;
  }
  node[path[path.length - 1] as string | number] = v;
}

const allPaths = paths(exampleObject()).filter((p) => p.length > 0);
const values = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom('', 'lan1', 'wan', '10.0.0.0/8', 'user', 'fiber', '${env:NOPE}', 0, -1, 4095),
  // Names the renderer also uses for sections, to look for clashes.
  fc.constantFrom('mesh', 'vlan_user', 'bat0_guest', 'globals', 'odhcpd', 'lte_m1_w1', 'balanced'),
);

describe('site loader robustness', () => {
  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const r = parseSite(text, { env: {} });
        expect(r.ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('gives issues or a renderable site for any mutation of the example', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(allPaths.length - 1), values), { minLength: 1, maxLength: 3 }),
        (mutations) => {
          const site = exampleObject();
          for (const [i, v] of mutations) setAt(site, allPaths[i] ?? [], v);
          const r = parseSite(JSON.stringify(site), { env: {} });
          if (r.ok) {
            expect(renderSite(r.site)).toHaveLength(r.site.nodes.length);
          } else {
            expect(r.issues.length).toBeGreaterThan(0);
            for (const i of r.issues) {
              expect(i.rule).toMatch(/^[a-z0-9-]+$/);
              expect(i.message.length).toBeGreaterThan(0);
            }
          }
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 150) },
    );
  });
});
