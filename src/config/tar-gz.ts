/**
 * A minimal ustar writer plus gzip: enough for a `files/` overlay of a few small config files,
 * byte-for-byte deterministic (fixed mtime, owner root) so rebuilt archives compare equal.
 *
 * @example
 * const gz = tarGz([{ path: 'etc/config/network', mode: 0o644, content: Buffer.from(text) }]);
 */
import { gzipSync } from 'node:zlib';
import { ArchiveEntryError } from './errors.ts';

export interface TarEntry {
  /** Relative path; directories end with '/' and have no content. */
  path: string;
  mode: number;
  content?: Buffer;
}

export interface TarOptions {
  /** Seconds since the epoch stamped on every entry. @default 0 */
  mtime?: number;
}

function octal(value: number, width: number): string {
  // width-1 octal digits and a NUL, as ustar numeric fields are written.
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(entry: TarEntry, size: number, mtime: number): Buffer {
  const h = Buffer.alloc(512);
  const isDir = entry.path.endsWith('/');
  let name = entry.path;
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', name.length - 2);
    prefix = name.slice(0, cut);
    name = name.slice(cut + 1);
    if (cut < 0 || Buffer.byteLength(name) > 100 || Buffer.byteLength(prefix) > 155) {
      throw new ArchiveEntryError(`path '${entry.path}' is too long for ustar`);
    }
  }
  if (!Number.isInteger(entry.mode) || entry.mode < 0 || entry.mode > 0o7777) {
    throw new ArchiveEntryError(`mode ${entry.mode} of '${entry.path}' is not a file mode`);
  }
  h.write(name, 0, 100, 'utf8');
  h.write(octal(entry.mode, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(mtime, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(isDir ? '5' : '0', 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write('root', 265, 'ascii');
  h.write('root', 297, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return h;
}

export function tar(entries: readonly TarEntry[], options: TarOptions = {}): Buffer {
  const mtime = options.mtime ?? 0;
  const parts: Buffer[] = [];
  for (const e of entries) {
    const content = e.path.endsWith('/') ? Buffer.alloc(0) : (e.content ?? Buffer.alloc(0));
    parts.push(header(e, content.length, mtime), content);
    const pad = (512 - (content.length % 512)) % 512;
    if (pad > 0) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export function tarGz(entries: readonly TarEntry[], options: TarOptions = {}): Buffer {
  return gzipSync(tar(entries, options), { level: 9 });
}
