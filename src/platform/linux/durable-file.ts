/**
 * Small files that must survive a power cut the moment they are written (the pending-upgrade
 * journal): written to a temporary file beside the target, fsynced, renamed over it, and the
 * directory fsynced so the rename itself is on disk.
 *
 * @example
 * await writeDurably('/etc/intelli-mesh/upgrade-pending.json', JSON.stringify(pending));
 * await readIfPresent('/etc/intelli-mesh/upgrade-pending.json'); // the text, or undefined
 */
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

async function syncPath(path: string, flags: string): Promise<void> {
  const fh = await open(path, flags);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function writeDurably(path: string, text: string, mode = 0o600): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  await writeFile(tmp, text, { mode });
  await syncPath(tmp, 'r+');
  await rename(tmp, path);
  await syncPath(dir, 'r');
}

/** The file's text, or undefined when it does not exist. */
export async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Removes the file durably; one already gone is fine. */
export async function removeDurably(path: string): Promise<void> {
  await rm(path, { force: true });
  await syncPath(dirname(path), 'r').catch(() => undefined);
}
