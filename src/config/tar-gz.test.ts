import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { tar, tarGz } from './tar-gz.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('tarGz', () => {
  const entries = [
    { path: 'etc/', mode: 0o755 },
    { path: 'etc/config/', mode: 0o755 },
    { path: 'etc/config/wireless', mode: 0o600, content: Buffer.from("config x 'y'\n") },
    { path: 'etc/config/dhcp', mode: 0o644, content: Buffer.alloc(1300, 'd') },
    { path: `etc/${'deep/'.repeat(25)}file`, mode: 0o640, content: Buffer.from('deep') },
  ];

  it('is read by GNU tar with the right names, modes, owners and contents', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tar-test-'));
    dirs.push(dir);
    const file = join(dir, 'files.tar.gz');
    writeFileSync(file, tarGz(entries));
    const listing = execFileSync('tar', ['-tvzf', file, '--numeric-owner']).toString();
    expect(listing).toMatch(/^-rw------- 0\/0 +\d+ .* etc\/config\/wireless$/m);
    expect(listing).toMatch(/^-rw-r--r-- 0\/0 +1300 .* etc\/config\/dhcp$/m);
    expect(listing).toMatch(/^drwxr-xr-x 0\/0 +0 .* etc\/config\/$/m);
    const out = join(dir, 'x');
    execFileSync('mkdir', [out]);
    execFileSync('tar', ['-xzf', file, '-C', out]);
    expect(readFileSync(join(out, 'etc/config/wireless'), 'utf8')).toBe("config x 'y'\n");
    expect(readFileSync(join(out, 'etc/config/dhcp'))).toEqual(Buffer.alloc(1300, 'd'));
    expect(statSync(join(out, 'etc/config/wireless')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(out, `etc/${'deep/'.repeat(25)}file`), 'utf8')).toBe('deep');
  });

  it('is deterministic and block-aligned', () => {
    expect(tarGz(entries).equals(tarGz(entries))).toBe(true);
    const raw = gunzipSync(tarGz(entries));
    expect(raw.equals(tar(entries))).toBe(true);
    expect(raw.length % 512).toBe(0);
  });

  it('refuses entries ustar cannot hold', () => {
    expect(() => tar([{ path: 'x'.repeat(120), mode: 0o644 }])).toThrow(
      expect.objectContaining({ name: 'ArchiveEntryError' }),
    );
    expect(() => tar([{ path: 'a', mode: 0o10000 }])).toThrow(
      expect.objectContaining({ name: 'ArchiveEntryError' }),
    );
  });
});
