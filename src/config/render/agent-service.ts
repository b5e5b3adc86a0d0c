/**
 * The files that make the agent an OpenWrt service, shared by the `.ipk` (`npm run
 * package:openwrt`) and each node's `files/` overlay (`config render`), so a router gets the same
 * service whether it was installed by `opkg` or built into its image:
 * - `/usr/bin/intelli-mesh`: the command, OpenWrt's `node` running the bundled agent;
 * - `/etc/init.d/intelli-mesh`: a procd service (respawned, restarted by `reload` when its
 *   config changed, and `stop` removes its routing tables, rules and nftables table even after a
 *   crash);
 * - `/etc/config/intelli-mesh`: the service switch and its settings (UCI);
 * - `/etc/uci-defaults/90-intelli-mesh`: first boot (mwan3 handed over to the agent, secrets
 *   private, the service enabled);
 * - `/lib/upgrade/keep.d/intelli-mesh`: what `sysupgrade` keeps (the node's identity).
 * The agent's own configuration is `/etc/intelli-mesh/agent.json` (JSON, the agent's format).
 *
 * @example
 * for (const f of agentServiceFiles()) writeFileSync(join(root, f.path), f.content, { mode: f.mode });
 */

/** Where the bundled agent lives on the router. */
export const AGENT_BUNDLE_PATH = 'usr/lib/intelli-mesh/agent.mjs';
/** The agent's configuration on the router (the overlay path, without the leading slash). */
export const AGENT_CONFIG_PATH = 'etc/intelli-mesh/agent.json';
/** Its MQTT password, beside it (the config names it relative to itself). */
export const AGENT_PASSWORD_FILE = 'mqtt-password';
/** The CA that signed the controller's broker certificate, for `mqtts://`. */
export const AGENT_CA_FILE = 'ca.pem';

/**
 * V8 settings for a router with little memory, measured in `bench/agent-idle.ts` (docs/agent.md):
 * `--lite-mode` (no optimising compiler, feedback allocated lazily) took the idle agent from
 * 61 to 52 MiB resident at the same CPU, since it spends its time waiting for probes; a small
 * young generation made it worse, `--jitless` saved less. The old-space cap, four times the
 * agent's heap, bounds a leak: the process ends and procd starts it again.
 */
export const ROUTER_NODE_FLAGS = ['--lite-mode', '--max-old-space-size=48'];

export interface ServiceFile {
  /** Relative to the root of the router's filesystem. */
  path: string;
  mode: number;
  content: string;
}

const wrapper = `#!/bin/sh
# The Intelli-Mesh node agent, bundled into one file and run by OpenWrt's node package.
# Usage: intelli-mesh agent --config /etc/intelli-mesh/agent.json [--dry-run] (see --help)
exec /usr/bin/node ${ROUTER_NODE_FLAGS.join(' ')} /${AGENT_BUNDLE_PATH} "$@"
`;

const initScript = `#!/bin/sh /etc/rc.common
# Intelli-Mesh node agent: WAN health, multi-WAN failover and balance, mesh gateway choice,
# reports to the controller. Settings in /etc/config/intelli-mesh; the agent's own
# configuration in /etc/intelli-mesh/agent.json.

START=95
STOP=05
USE_PROCD=1

NAME=intelli-mesh
BUNDLE=/${AGENT_BUNDLE_PATH}

agent_config() {
	config_load "$NAME"
	config_get CONFIG agent config /${AGENT_CONFIG_PATH}
	config_get_bool ENABLED agent enabled 1
	config_get RESPAWN_THRESHOLD agent respawn_threshold 3600
	config_get RESPAWN_TIMEOUT agent respawn_timeout 5
	config_get RESPAWN_RETRY agent respawn_retry 0
}

start_service() {
	agent_config
	[ "$ENABLED" = 1 ] || return 0
	if [ ! -s "$CONFIG" ]; then
		logger -t "$NAME" "not started: $CONFIG is missing (render it with intelli-mesh config render)"
		return 1
	fi
	procd_open_instance agent
	procd_set_param command /usr/bin/node ${ROUTER_NODE_FLAGS.join(' ')} "$BUNDLE" agent --config "$CONFIG"
	# Respawned whenever it exits; retry 0 means without limit: a router must never stay unmanaged.
	procd_set_param respawn "$RESPAWN_THRESHOLD" "$RESPAWN_TIMEOUT" "$RESPAWN_RETRY"
	# A reload restarts the agent only when one of these changed.
	procd_set_param file "$CONFIG" /etc/config/$NAME
	procd_set_param stdout 1
	procd_set_param stderr 1
	# Time to say offline to the controller and remove its routing state before SIGKILL.
	procd_set_param term_timeout 15
	procd_close_instance
}

service_triggers() {
	procd_add_reload_trigger "$NAME"
}

# Runs after procd has been told to stop the agent: wait for it to finish its own cleanup, then
# remove whatever a crashed or killed agent left behind (rules, tables, nftables table).
service_stopped() {
	agent_config
	local i=0
	while pgrep -f "$BUNDLE agent" >/dev/null 2>&1 && [ $i -lt 80 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	[ -s "$CONFIG" ] && /usr/bin/node "$BUNDLE" agent --config "$CONFIG" --cleanup
	return 0
}
`;

const uciConfig = `# The Intelli-Mesh agent service (/etc/init.d/intelli-mesh). The agent's own configuration
# (identity, WANs, policy, controller) is the JSON file named here.
config agent 'agent'
	option enabled '1'
	option config '/${AGENT_CONFIG_PATH}'
	# procd respawn: threshold (s), timeout (s), retries (0 = without limit)
	option respawn_threshold '3600'
	option respawn_timeout '5'
	option respawn_retry '0'
`;

const uciDefaults = `#!/bin/sh
# First boot (or first install) of the Intelli-Mesh agent. Runs once; deleted when it succeeds.

# The agent enforces the multi-WAN policy itself (sub-second health checks, mesh fallback) and
# keeps /etc/config/mwan3 in step with it; mwan3's own rules would fight its routing tables.
if [ -x /etc/init.d/mwan3 ]; then
	/etc/init.d/mwan3 stop >/dev/null 2>&1
	/etc/init.d/mwan3 disable
fi

# The node's identity and secrets are readable by root only.
[ -d /etc/intelli-mesh ] && chmod 700 /etc/intelli-mesh
for f in /${AGENT_CONFIG_PATH} /etc/intelli-mesh/${AGENT_PASSWORD_FILE}; do
	[ -f "$f" ] && chmod 600 "$f"
done

/etc/init.d/intelli-mesh enable
exit 0
`;

const keep = `# Kept by sysupgrade: the node's identity, credentials and confirmed configuration.
/etc/intelli-mesh/
`;

export function agentServiceFiles(): ServiceFile[] {
  return [
    { path: 'usr/bin/intelli-mesh', mode: 0o755, content: wrapper },
    { path: 'etc/init.d/intelli-mesh', mode: 0o755, content: initScript },
    { path: 'etc/config/intelli-mesh', mode: 0o644, content: uciConfig },
    { path: 'etc/uci-defaults/90-intelli-mesh', mode: 0o755, content: uciDefaults },
    { path: 'lib/upgrade/keep.d/intelli-mesh', mode: 0o644, content: keep },
  ];
}
