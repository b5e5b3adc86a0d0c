/**
 * What the `intelli-mesh` package for OpenWrt holds: the bundled agent, the service files it shares
 * with `config render` (init script, UCI settings, first-boot script, sysupgrade keep list), an
 * example agent configuration, and the maintainer scripts in OpenWrt's style (the generic
 * `default_postinst`/`default_prerm` of /lib/functions.sh enable, start, stop and disable the
 * init script and run the first-boot script; ours adds handing multi-WAN back to mwan3 when the
 * package is removed). The bundle has no compiled code, so one package serves every architecture
 * OpenWrt's `node` is built for (aarch64, arm, x86_64).
 *
 * @example
 * const ipk = buildIpk(agentPackage({ bundle: readFileSync('agent.mjs'), version: '0.1.0-1' }));
 */
import {
  AGENT_BUNDLE_PATH,
  agentServiceFiles,
  ROUTER_NODE_FLAGS,
} from '../../config/render/agent-service.ts';
import type { IpkControl, IpkOptions } from './ipk.ts';

export const PACKAGE_NAME = 'intelli-mesh';

/**
 * OpenWrt packages the agent needs: node runs it; `ip` with JSON output and policy routing
 * (busybox ip has neither); conntrack moves flows off a dead WAN. nftables comes with fw4.
 */
export const PACKAGE_DEPENDS = ['node', 'ip-full', 'conntrack'];

const postinst = `#!/bin/sh
[ "\${IPKG_NO_SCRIPT}" = "1" ] && exit 0
[ -s "\${IPKG_INSTROOT}/lib/functions.sh" ] || exit 0
. "\${IPKG_INSTROOT}/lib/functions.sh"
default_postinst "$0" "$@"
`;

const prerm = `#!/bin/sh
[ -s "\${IPKG_INSTROOT}/lib/functions.sh" ] || exit 0
. "\${IPKG_INSTROOT}/lib/functions.sh"
default_prerm "$0" "$@"
`;

// After removal (not an upgrade), mwan3 takes over with the policy the agent kept in its config.
const postrm = `#!/bin/sh
[ -n "\${IPKG_INSTROOT}" ] && exit 0
[ "\${PKG_UPGRADE}" = "1" ] && exit 0
if [ -x /etc/init.d/mwan3 ]; then
	/etc/init.d/mwan3 enable
	/etc/init.d/mwan3 start
fi
exit 0
`;

/** An agent configuration to start from; `config render` writes the real one per node. */
export const EXAMPLE_AGENT_CONFIG = {
  node: 'node-1',
  platform: 'openwrt',
  role: 'gateway',
  lanDevices: ['br-lan'],
  zones: { lan: ['br-lan'] },
  wans: [
    {
      name: 'wan',
      device: 'wan',
      netifd: 'wan',
      bandwidthDownKbit: 100_000,
      bandwidthUpKbit: 20_000,
      track: { targets: ['1.1.1.1', '8.8.8.8'], intervalMs: 5000, timeoutMs: 2000 },
    },
  ],
  policy: {
    members: [{ name: 'wan_m1', wan: 'wan', metric: 1 }],
    policies: [{ name: 'default', members: ['wan_m1'] }],
    rules: [{ name: 'default_v4', destIp: '0.0.0.0/0', policy: 'default' }],
  },
  mqtt: {
    url: 'mqtts://controller.example.net:8883',
    site: 'example',
    passwordFile: 'mqtt-password',
    tls: { ca: 'ca.pem' },
  },
};

export interface AgentPackageOptions {
  bundle: Buffer;
  version: string;
  /** Seconds since the epoch on every archive entry. @default 0 */
  mtime?: number;
}

export function agentPackage(o: AgentPackageOptions): IpkOptions {
  const control: IpkControl = {
    package: PACKAGE_NAME,
    version: o.version,
    depends: PACKAGE_DEPENDS,
    architecture: 'all',
    maintainer: 'Intelli-Mesh developers',
    license: 'MIT',
    section: 'net',
    url: 'https://github.com/intelli-mesh/intelli-mesh',
    description: [
      'Intelli-Mesh node agent: self-healing multi-WAN and mesh gateway selection',
      'Watches every WAN (mwan3-compatible health checks, sub-second where asked),',
      'balances and fails over between them, falls back to a neighbour gateway over',
      'batman-adv, and reports to the Intelli-Mesh controller over MQTT(S).',
      `Runs as: node ${ROUTER_NODE_FLAGS.join(' ')} /${AGENT_BUNDLE_PATH}`,
    ].join('\n'),
  };
  return {
    control,
    files: [
      { path: AGENT_BUNDLE_PATH, mode: 0o644, content: o.bundle },
      ...agentServiceFiles(),
      {
        path: 'usr/share/intelli-mesh/agent.example.json',
        mode: 0o644,
        content: `${JSON.stringify(EXAMPLE_AGENT_CONFIG, null, 2)}\n`,
      },
    ],
    conffiles: ['/etc/config/intelli-mesh'],
    scripts: { postinst, prerm, postrm },
    mtime: o.mtime ?? 0,
  };
}
