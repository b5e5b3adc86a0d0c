/**
 * Stand-in packages for a harness node: OpenWrt packages whose programs the host already gives
 * every node (its root is laid over the host's `/`), registered with opkg so that an .ipk which
 * `Depends:` on them installs as on a router. `node` gets a /usr/bin/node that runs the host's
 * Node.js (bound into the node at `hostNodeInNode`); `ip-full` and `conntrack` are the host's
 * `ip` and `conntrack` and carry no files. Built with the project's own ipk writer.
 *
 * @example
 * for (const ipk of standInIpks()) await writeFile(join(node.shareDir, ipk.file), ipk.bytes);
 */
import { buildIpk, ipkFileName, type IpkFile } from '../../src/packaging/openwrt/ipk.ts';

/** Where the harness binds the host's `node` executable inside a node. */
export const hostNodeInNode = '/usr/libexec/intelli-mesh-harness/host-node';

/** A harness package: no maintainer scripts, nothing to keep across upgrades. */
export function harnessIpk(o: {
  name: string;
  version: string;
  depends?: string[];
  description: string;
  files: IpkFile[];
  scripts?: Record<string, string>;
}): Buffer {
  return buildIpk({
    control: {
      package: o.name,
      version: o.version,
      depends: o.depends ?? [],
      architecture: 'all',
      maintainer: 'Intelli-Mesh harness',
      license: 'MIT',
      section: 'utils',
      url: '',
      description: o.description,
    },
    files: o.files,
    conffiles: [],
    scripts: o.scripts,
  });
}

/** The stand-ins, each with the file name opkg expects. */
export function standInIpks(
  nodeVersion = process.versions.node,
): { file: string; bytes: Buffer }[] {
  const made = [
    {
      name: 'node',
      version: `${nodeVersion}-1`,
      description:
        "Stand-in for OpenWrt's lang/node: runs the host's Node.js (Intelli-Mesh harness)",
      files: [
        {
          path: 'usr/bin/node',
          mode: 0o755,
          content: `#!/bin/sh\nexec ${hostNodeInNode} "$@"\n`,
        },
      ],
    },
    {
      name: 'ip-full',
      version: '6.1.0-1',
      description: "Stand-in for OpenWrt's ip-full: the host's iproute2 (Intelli-Mesh harness)",
      files: [],
    },
    {
      name: 'conntrack',
      version: '1.4.7-1',
      description:
        "Stand-in for OpenWrt's conntrack: the host's conntrack-tools (Intelli-Mesh harness)",
      files: [],
    },
  ];
  return made.map((p) => ({
    file: ipkFileName({ package: p.name, version: p.version, architecture: 'all' }),
    bytes: harnessIpk(p),
  }));
}
