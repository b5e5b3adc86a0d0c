/**
 * Fetches a firmware image over http/https into a file, bounded in size and time, hashing it
 * while it arrives: the declared length and the free space of the target file system are
 * checked before the first byte is written, the running count after every chunk, and a
 * partial file is removed on any failure. Used by the OpenWrt system upgrade (the file goes to
 * /tmp, which is RAM on a router: the free-space check is what keeps it from filling memory).
 * Node's own HTTP client, not fetch: fetch parses HTTP with WebAssembly, which the router's V8
 * flags leave out (`--lite-mode`), and the agent would die at its first download.
 *
 * @example
 * const image = await downloadImage({ url: 'https://fw.example/img.bin', path: '/tmp/im.img',
 *   maxBytes: 64 << 20, timeoutMs: 600_000 });
 * image.sha256; // 'e3b0c442…'
 */
import { createHash } from 'node:crypto';
import { open, rm, statfs } from 'node:fs/promises';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
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

function describe(err: unknown, timeoutMs: number, signal: AbortSignal): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  // Aborted by the deadline: the error is the socket's ("aborted"), the cause is the signal's.
  if (signal.aborted || e.name === 'TimeoutError' || e.name === 'AbortError')
    return `timed out after ${timeoutMs / 1000} s`;
  return e.cause?.message ?? e.cause?.code ?? e.message;
}

const MAX_REDIRECTS = 5;

/** One GET, following redirects to http(s) URLs; resolves with the final response. */
function get(url: URL, signal: AbortSignal, redirects = MAX_REDIRECTS): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsGet : httpGet;
    const req = send(url, { signal }, (res) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status < 300 || status >= 400 || location === undefined) return resolve(res);
      res.resume();
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        return reject(new Error(`redirected to '${location}', not a URL`));
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:')
        return reject(new Error(`redirected to ${next.protocol}// (only http and https)`));
      if (redirects === 0) return reject(new Error(`more than ${MAX_REDIRECTS} redirects`));
      get(next, signal, redirects - 1).then(resolve, reject);
    });
    req.once('error', reject);
  });
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
  let body: IncomingMessage;
  try {
    body = await get(url, signal);
  } catch (err) {
    throw new DownloadFailedError(`${url.href}: ${describe(err, o.timeoutMs, signal)}`, {
      cause: err,
    });
  }
  const status = body.statusCode ?? 0;
  if (status < 200 || status >= 300) {
    body.destroy();
    throw new DownloadFailedError(`${url.href}: HTTP ${status} ${body.statusMessage ?? ''}`.trim());
  }
  const declared = Number(body.headers['content-length'] ?? NaN);
  const dir = dirname(o.path);
  const free = await freeBytes(dir);
  const refuse = async (message: string) => {
    body.destroy();
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
  try {
    for await (const chunk of body) {
      const value = chunk as Buffer;
      bytes += value.byteLength;
      if (bytes > o.maxBytes)
        throw new ImageTooLargeError(`${url.href}: more than the limit of ${o.maxBytes} bytes`);
      hash.update(value);
      await file.write(value);
    }
    await file.close();
  } catch (err) {
    body.destroy();
    await file.close().catch(() => undefined);
    await rm(o.path, { force: true });
    if (err instanceof IntelliMeshError) throw err;
    if ((err as { code?: string }).code === 'ENOSPC')
      throw new ImageTooLargeError(`${url.href}: ${dir} is full after ${bytes} bytes`);
    throw new DownloadFailedError(
      `${url.href}: ${describe(err, o.timeoutMs, signal)} after ${bytes} bytes`,
      {
        cause: err,
      },
    );
  }
  return { path: o.path, bytes, sha256: hash.digest('hex') };
}
