/**
 * How long site validation and rendering take: the example site (6 nodes) and synthetic sites
 * of 100 and 500 nodes built from it. Prints a table and writes bench/results/config-render.json.
 *
 * @example
 * npx tsx bench/config-render.ts
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parse, stringify } from 'yaml';
import { parseSite, renderSite } from '../src/config/index.ts';

const exampleText = readFileSync(new URL('../examples/site.yaml', import.meta.url), 'utf8');

/** The example with its relay nodes repeated up to `count` nodes and wider subnets. */
function syntheticSite(count: number): string {
  const site = parse(exampleText);
  site.vlans.forEach((v: { subnet: string; dhcp: { start: number; limit: number } }, i: number) => {
    v.subnet = `10.${100 + i}.0.0/16`;
    v.dhcp = { ...v.dhcp, start: 2000, limit: 4000 };
  });
  const template = site.nodes[2];
  for (let i = site.nodes.length; i < count; i++) {
    site.nodes.push({ ...template, id: `relay-x${i}`, address: i + 1 });
  }
  return stringify(site, { aliasDuplicateObjects: false });
}

function measure(label: string, text: string, rounds: number) {
  let validateMs = 0;
  let renderMs = 0;
  let nodes = 0;
  let bytes = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    const result = parseSite(text, { env: {} });
    const t1 = performance.now();
    if (!result.ok) throw new Error(`${label}: ${JSON.stringify(result.issues.slice(0, 3))}`);
    const rendered = renderSite(result.site);
    const t2 = performance.now();
    validateMs += t1 - t0;
    renderMs += t2 - t1;
    nodes = rendered.length;
    bytes = rendered.reduce((sum, n) => sum + n.files.reduce((s, f) => s + f.content.length, 0), 0);
  }
  return {
    site: label,
    nodes,
    rounds,
    validateMs: +(validateMs / rounds).toFixed(2),
    renderMs: +(renderMs / rounds).toFixed(2),
    renderMsPerNode: +(renderMs / rounds / nodes).toFixed(3),
    renderedBytes: bytes,
  };
}

// Warm-up so the first measured round is not paying for JIT and module loading.
measure('warm-up', exampleText, 3);
const results = [
  measure('examples/site.yaml', exampleText, 20),
  measure('synthetic-100', syntheticSite(100), 5),
  measure('synthetic-500', syntheticSite(500), 3),
];
console.table(results);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('./results/config-render.json', import.meta.url),
  JSON.stringify(
    {
      measured: new Date().toISOString(),
      machine: `${cpus().length} cores, ${process.platform}, Node ${process.version}`,
      results,
    },
    null,
    2,
  ) + '\n',
);
