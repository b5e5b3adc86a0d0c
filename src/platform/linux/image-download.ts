/**
 * Fetches a firmware image over http/https into a file, bounded in size and time, hashing it
 * while it arrives: the declared length and the free space of the target file system are
 * checked before the first byte is written, the running count after every chunk, and a
 * partial file is removed on any failure. Used by the OpenWrt system upgrade (the file goes to
 * /tmp, which is RAM on a router: the free-space check is what keeps it from filling memory).
 *
 * @example
 * const image = await downloadImage({ url: 'https://fw.example/img.bin', path: '/tmp/im.img',
 *   maxBytes: 64 << 20, timeoutMs: 600_000 });
 * image.sha256; // 'e3b0c442…'
 */
import { createHash } from 'node:crypto';
import { open, rm, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { IntelliMeshError } from '../../core/errors.ts';
import { DownloadFailedError, ImageTooLargeError } from '../errors.ts';
import type { DownloadedImage, ImageRequest } from '../system-upgrade.ts';

export interface ImageDownloadOptions extends ImageRequest {
  /** The file to create (replaced if a previous attempt left it). */
  path: string;
}

/** Bytes the file system holding `dir` can still take, or undefined when it cannot say. */
async function freeBytes(dir: string): Promise<number | undefined> {
  try {
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

function describe(err: unknown, timeoutMs: number): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError')
    return `timed out after ${timeoutMs / 1000} s`;
  return e.cause?.message ?? e.cause?.code ?? e.message;
}

export async function downloadImage(o: ImageDownloadOptions): Promise<DownloadedImage> {
  let url: URL;
  try {
    url = new URL(o.url);
  } catch {
    throw new DownloadFailedError(`image_url ${o.url}: not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new DownloadFailedError(`image_url ${o.url}: only http:// and https:// are fetched`);
  const signal = AbortSignal.timeout(o.timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, { signal, redirect: 'follow' });
  } catch (err) {
    throw new DownloadFailedError(`${url.href}: ${describe(err, o.timeoutMs)}`, { cause: err });
  }
  const body = response.body;
  if (!response.ok || !body) {
    await body?.cancel().catch(() => undefined);
    throw new DownloadFailedError(
      `${url.href}: HTTP ${response.status} ${response.statusText}`.trim(),
    );
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  const dir = dirname(o.path);
  const free = await freeBytes(dir);
  const refuse = async (message: string) => {
    await body.cancel().catch(() => undefined);
    throw new ImageTooLargeError(message);
  };
  if (Number.isFinite(declared) && declared > o.maxBytes)
    await refuse(`${url.href}: ${declared} bytes, more than the limit of ${o.maxBytes}`);
  if (Number.isFinite(declared) && free !== undefined && declared > free)
    await refuse(`${url.href}: ${declared} bytes, but only ${free} bytes are free in ${dir}`);

  await rm(o.path, { force: true });
  const file = await open(o.path, 'wx', 0o600);
  const hash = createHash('sha256');
  let bytes = 0;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      if (bytes > o.maxBytes)
        throw new ImageTooLargeError(`${url.href}: more than the limit of ${o.maxBytes} bytes`);
      hash.update(value);
      await file.write(value);
    }
    await file.close();
  } catch (err) {
    await reader.cancel().catch(() => undefined);
    await file.close().catch(() => undefined);
    await rm(o.path, { force: true });
    if (err instanceof IntelliMeshError) throw err;
    if ((err as { code?: string }).code === 'ENOSPC')
      throw new ImageTooLargeError(`${url.href}: ${dir} is full after ${bytes} bytes`);
    throw new DownloadFailedError(
      `${url.href}: ${describe(err, o.timeoutMs)} after ${bytes} bytes`,
      {
        cause: err,
      },
    );
  }
  return { path: o.path, bytes, sha256: hash.digest('hex') };
}
