import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildIpk, ipkFileName, type IpkControl, type IpkOptions } from './ipk.ts';

const control: IpkControl = {
  package: 'hello',
  version: '1.0-1',
  depends: ['node'],
  architecture: 'all',
  maintainer: 'Test',
  license: 'MIT',
  section: 'utils',
  url: 'https://example.org',
  description: 'Says hello\nand nothing else.\n\nReally.',
};

/** Lists or reads an archive with the system's tar, as an operator would check a package. */
function tar(args: string[], archive: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'ipk-'));
  const file = join(dir, 'a.tgz');
  writeFileSync(file, archive);
  return execFileSync('tar', [...args, file], { encoding: 'utf8' });
}
const member = (ipk: Buffer, name: string): Buffer => {
  const dir = mkdtempSync(join(tmpdir(), 'ipk-'));
  writeFileSync(join(dir, 'p.ipk'), ipk);
  return execFileSync('tar', ['-xzOf', join(dir, 'p.ipk'), name]);
};

describe('buildIpk', () => {
  const ipk = buildIpk({
    control,
    files: [
      { path: 'usr/bin/hello', mode: 0o755, content: '#!/bin/sh\necho hello\n' },
      { path: 'etc/config/hello', mode: 0o644, content: "config hello 'main'\n" },
    ],
    conffiles: ['/etc/config/hello'],
    scripts: { postinst: '#!/bin/sh\nexit 0\n' },
    mtime: 1_700_000_000,
  });

  it('is the gzip tar of debian-binary, data and control that opkg-lede reads', () => {
    expect(tar(['-tzf'], ipk).trim().split('\n')).toEqual([
      './debian-binary',
      './data.tar.gz',
      './control.tar.gz',
    ]);
    expect(member(ipk, './debian-binary').toString()).toBe('2.0\n');
    expect(ipkFileName(control)).toBe('hello_1.0-1_all.ipk');
  });

  it('holds the files with their modes and parents, owned by root', () => {
    const listing = tar(['-tvzf'], member(ipk, './data.tar.gz'));
    expect(listing).toMatch(/^-rwxr-xr-x root\/root\s+\d+ 2023-11-14 \S+ \.\/usr\/bin\/hello$/m);
    expect(listing).toMatch(/^drwxr-xr-x root\/root\s+0 \S+ \S+ \.\/usr\/bin\/$/m);
    expect(listing).toMatch(/^-rw-r--r-- root\/root .* \.\/etc\/config\/hello$/m);
  });

  it('writes the control fields, conffiles and scripts', () => {
    const c = member(ipk, './control.tar.gz');
    expect(tar(['-tzf'], c).trim().split('\n')).toEqual([
      './',
      './control',
      './conffiles',
      './postinst',
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'ipk-'));
    writeFileSync(join(dir, 'c.tgz'), c);
    const text = execFileSync('tar', ['-xzOf', join(dir, 'c.tgz'), './control'], {
      encoding: 'utf8',
    });
    expect(text).toBe(
      [
        'Package: hello',
        'Version: 1.0-1',
        'Depends: node',
        'License: MIT',
        'Section: utils',
        'URL: https://example.org',
        'Maintainer: Test',
        'Architecture: all',
        `Installed-Size: ${'#!/bin/sh\necho hello\n'.length + "config hello 'main'\n".length}`,
        'Description: Says hello',
        ' and nothing else.',
        ' .',
        ' Really.',
        '',
      ].join('\n'),
    );
    expect(
      execFileSync('tar', ['-xzOf', join(dir, 'c.tgz'), './conffiles'], { encoding: 'utf8' }),
    ).toBe('/etc/config/hello\n');
  });

  it('is the same bytes when built again from the same input', () => {
    const again = buildIpk({
      control,
      files: [
        { path: 'etc/config/hello', mode: 0o644, content: "config hello 'main'\n" },
        { path: 'usr/bin/hello', mode: 0o755, content: '#!/bin/sh\necho hello\n' },
      ],
      conffiles: ['/etc/config/hello'],
      scripts: { postinst: '#!/bin/sh\nexit 0\n' },
      mtime: 1_700_000_000,
    });
    expect(again.equals(ipk)).toBe(true);
  });

  it('refuses what opkg would refuse, naming it', () => {
    const base: IpkOptions = { control, files: [], conffiles: [] };
    const cases: [IpkOptions, RegExp][] = [
      [{ ...base, control: { ...control, package: 'Hello World' } }, /package name 'Hello World'/],
      [{ ...base, control: { ...control, version: 'latest' } }, /version 'latest'/],
      [{ ...base, control: { ...control, depends: ['node,evil'] } }, /dependency 'node,evil'/],
      [{ ...base, files: [{ path: '../etc/passwd', mode: 0o644, content: '' }] }, /stay inside/],
      [{ ...base, conffiles: ['/etc/config/missing'] }, /conffile '\/etc\/config\/missing'/],
    ];
    for (const [o, message] of cases) {
      expect(() => buildIpk(o)).toThrow(
        expect.objectContaining({ name: 'PackageError', message: expect.stringMatching(message) }),
      );
    }
  });
});
