/**
 * Golden files of the example site's rendering, one folder per node under test/config/golden.
 * After an intended change, regenerate with:
 *   UPDATE_GOLDEN=1 npx vitest run test/config/golden.test.ts
 * and review the diff of test/config/golden in git. Each file is stored with a `.golden` suffix
 * so that formatters (prettier reformats JSON) leave the bytes exactly as rendered.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseSite, renderSite, type RenderedNode } from '../../src/config/index.ts';
import { agentServiceFiles } from '../../src/config/render/agent-service.ts';
import { exampleText } from './example-site.ts';

const goldenDir = fileURLToPath(new URL('./golden', import.meta.url));
const update = process.env.UPDATE_GOLDEN === '1';

/** The agent's service files are the same on every node; test/config/agent-service.test.ts checks them. */
const shared = new Set(agentServiceFiles().map((f) => f.path));

function goldenFiles(n: RenderedNode): Map<string, string> {
  const files = new Map(
    n.files.filter((f) => !shared.has(f.path)).map((f) => [`${f.path}.golden`, f.content]),
  );
  files.set('packages.txt.golden', n.image.packages.join('\n') + '\n');
  files.set('build-image.sh.golden', n.image.script);
  return files;
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(dir, join(prefix, e.name)) : [join(prefix, e.name)],
  );
}

describe('golden rendering of examples/site.yaml', () => {
  const r = parseSite(exampleText, { env: {} });
  if (!r.ok) throw new Error(`example site is invalid: ${JSON.stringify(r.issues)}`);
  const nodes = renderSite(r.site);

  it('renders the six nodes', () => {
    expect(nodes.map((n) => n.nodeId)).toEqual([
      'gw-north',
      'gw-south',
      'relay-1',
      'relay-2',
      'relay-3',
      'relay-4',
    ]);
  });

  for (const n of nodes) {
    it(`matches the golden files of ${n.nodeId}`, () => {
      const files = goldenFiles(n);
      const root = join(goldenDir, n.nodeId);
      if (update) {
        for (const [path, content] of files) {
          mkdirSync(dirname(join(root, path)), { recursive: true });
          writeFileSync(join(root, path), content);
        }
      }
      expect(listFiles(root).sort()).toEqual([...files.keys()].sort());
      for (const [path, content] of files) {
        expect(content, `${n.nodeId}/${path}`).toBe(readFileSync(join(root, path), 'utf8'));
      }
    });
  }
});
