/**
 * Builds .ipk packages the way OpenWrt's ipkg-build does, which is the format opkg-lede reads:
 * a gzip'd tar of ./debian-binary, ./data.tar.gz and ./control.tar.gz (an ar(1) archive, as
 * Debian's .deb, is refused with "Malformed package file"). Also the stand-in `node` package
 * for nodes whose packages `Depends: node`.
 *
 * @example
 * const ipk = buildIpk({ name: 'hello', version: '1.0-1', files: [{ path: 'usr/bin/hello', mode: 0o755, content: '#!/bin/sh\necho hi\n' }] });
 * await writeFile(join(node.shareDir, 'hello_1.0-1_all.ipk'), ipk);
 */
import { tarGz, type TarEntry } from '../../src/config/tar-gz.ts';

export interface IpkFile {
  /** Path below the root, without a leading '/', e.g. 'usr/bin/hello'. */
  path: string;
  /** @default 0o644 */
  mode?: number;
  content: string | Buffer;
}

export interface IpkSpec {
  name: string;
  /** e.g. '1.0-1' */
  version: string;
  /** @default 'all' */
  architecture?: string;
  depends?: string[];
  /** @default `${name} (Intelli-Mesh harness package)` */
  description?: string;
  files: IpkFile[];
  /** Maintainer scripts (postinst, prerm, postrm, preinst): shell, run by opkg in the node. */
  scripts?: Partial<Record<'preinst' | 'postinst' | 'prerm' | 'postrm', string>>;
  /** Configuration files opkg keeps on upgrade, e.g. ['/etc/config/x']. */
  conffiles?: string[];
}

/** Every directory above `paths`, parents first, as tar entries ('./usr/', './usr/bin/'). */
function dirsOf(paths: readonly string[]): TarEntry[] {
  const dirs = new Set<string>();
  for (const p of paths) {
    const parts = p.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  return [...dirs].sort().map((d) => ({ path: `./${d}/`, mode: 0o755 }));
}

export function buildIpk(spec: IpkSpec): Buffer {
  const data = tarGz([
    { path: './', mode: 0o755 },
    ...dirsOf(spec.files.map((f) => f.path)),
    ...spec.files.map((f) => ({
      path: `./${f.path}`,
      mode: f.mode ?? 0o644,
      content: Buffer.from(f.content),
    })),
  ]);
  const control = [
    `Package: ${spec.name}`,
    `Version: ${spec.version}`,
    ...(spec.depends && spec.depends.length > 0 ? [`Depends: ${spec.depends.join(', ')}`] : []),
    'Source: intelli-mesh-harness',
    'Section: utils',
    `Architecture: ${spec.architecture ?? 'all'}`,
    `Installed-Size: ${data.length}`,
    `Description: ${spec.description ?? `${spec.name} (Intelli-Mesh harness package)`}`,
    '',
  ].join('\n');
  const controlEntries: TarEntry[] = [
    { path: './', mode: 0o755 },
    { path: './control', mode: 0o644, content: Buffer.from(control) },
    ...Object.entries(spec.scripts ?? {}).map(([name, body]) => ({
      path: `./${name}`,
      mode: 0o755,
      content: Buffer.from(body),
    })),
    ...(spec.conffiles && spec.conffiles.length > 0
      ? [
          {
            path: './conffiles',
            mode: 0o644,
            content: Buffer.from(spec.conffiles.join('\n') + '\n'),
          },
        ]
      : []),
  ];
  return tarGz([
    { path: './debian-binary', mode: 0o644, content: Buffer.from('2.0\n') },
    { path: './data.tar.gz', mode: 0o644, content: data },
    { path: './control.tar.gz', mode: 0o644, content: tarGz(controlEntries) },
  ]);
}

/** Where the harness binds the host's `node` executable inside a node. */
export const hostNodeInNode = '/usr/libexec/intelli-mesh-harness/host-node';

/**
 * A package named `node` whose /usr/bin/node runs the host's Node.js (bound into the node at
 * `hostNodeInNode`), so packages that `Depends: node` install as on OpenWrt with lang/node.
 * `version` is the host's Node.js version (OpenWrt's node package versions look the same).
 */
export function nodeStandInIpk(version = process.versions.node): Buffer {
  return buildIpk({
    name: 'node',
    version: `${version}-1`,
    description: "Stand-in for OpenWrt's lang/node: runs the host's Node.js (Intelli-Mesh harness)",
    files: [
      {
        path: 'usr/bin/node',
        mode: 0o755,
        content: `#!/bin/sh\nexec ${hostNodeInNode} "$@"\n`,
      },
    ],
  });
}
