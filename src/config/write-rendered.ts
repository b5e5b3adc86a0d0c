/**
 * Writes rendered nodes to disk, a folder per node:
 * `<out>/<node>/files/...` (the overlay), `files.tar.gz`, `packages.txt` and `build-image.sh`.
 *
 * @example
 * await writeRendered('out/site', renderSite(site));
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { RenderedNode } from './render/render-node.ts';

export async function writeRendered(
  outDir: string,
  nodes: readonly RenderedNode[],
): Promise<string[]> {
  const written: string[] = [];
  for (const n of nodes) {
    const root = join(outDir, n.nodeId);
    for (const d of n.directories) {
      const path = join(root, 'files', d.path);
      await mkdir(path, { recursive: true });
      await chmod(path, d.mode);
    }
    for (const f of n.files) {
      const path = join(root, 'files', f.path);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, f.content, { mode: f.mode });
      // writeFile's mode only applies on creation; re-rendering must fix modes too.
      await chmod(path, f.mode);
      written.push(path);
    }
    const extras: [string, string | Buffer, number][] = [
      ['files.tar.gz', n.archive, 0o600],
      ['packages.txt', n.image.packages.join('\n') + '\n', 0o644],
      ['build-image.sh', n.image.script, 0o755],
    ];
    for (const [name, content, mode] of extras) {
      const path = join(root, name);
      await writeFile(path, content, { mode });
      await chmod(path, mode);
      written.push(path);
    }
  }
  return written;
}
