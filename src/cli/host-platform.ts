/**
 * The one place that decides which platform a real node's agent acts through: plain Linux, or
 * OpenWrt (netifd, batman-adv, uci on top of the same kernel parts), as the agent config says.
 * The agent itself sees only the platform contract.
 *
 * @example
 * const host = new HostAgent({ scheduler, onEvent, platform: (cfg) => hostPlatform(cfg, { netns: 'node1' }) });
 */
import type { AgentConfig } from '../agent/agent-config.ts';
import type { GatewaySelClass } from '../agent/policy/gateway-select.ts';
import type { Logger } from '../core/logger.ts';
import type { CommandRunner } from '../platform/linux/command-runner.ts';
import { LinuxPlatform } from '../platform/linux/linux-platform.ts';
import { OpenWrtPlatform } from '../platform/openwrt/openwrt-platform.ts';
import type { Platform } from '../platform/platform.ts';

export interface HostPlatformOptions {
  /** Act inside this network namespace (`ip netns exec`). */
  netns?: string | undefined;
  /** Runs the platform's commands; defaults to spawning them (in `netns`). */
  run?: CommandRunner | undefined;
  logger?: Logger | undefined;
}

/** batman-adv's numbers for the named selection classes. */
function batmanSelClass(c: GatewaySelClass): number {
  return c === 'fast' ? 1 : c === 'stable' ? 2 : c === 'fast-switch' ? 3 : c;
}

export function hostPlatform(cfg: AgentConfig, o: HostPlatformOptions = {}): Platform {
  const common = {
    netns: o.netns,
    lanDevices: cfg.lanDevices,
    icmpStreamIntervalMs: cfg.icmpStreamIntervalMs,
    ...(o.run ? { run: o.run } : {}),
  };
  if (cfg.platform === 'openwrt') {
    const wans = cfg.wans.map((w) => ({ ...w, netifd: w.netifd ?? w.name }));
    return new OpenWrtPlatform({
      ...common,
      meshIf: cfg.meshIf,
      meshPollMs: cfg.gatewayPollMs,
      gwSelClass: batmanSelClass(cfg.gwSelClass),
      wans,
      mwan3: cfg.syncMwan3
        ? {
            policy: cfg.policy,
            interfaces: wans.map((w) => ({ name: w.netifd, tracker: w.tracker })),
          }
        : undefined,
      ...(o.logger ? { logger: o.logger } : {}),
    });
  }
  return new LinuxPlatform({ ...common, wans: cfg.wans });
}
