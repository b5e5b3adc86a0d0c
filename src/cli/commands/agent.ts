/**
 * `intelli-mesh agent <config.yaml>`: runs one node's agent on this Linux host (or inside a
 * network namespace with `--netns`), printing every decision as a JSON line. `--dry-run` only
 * validates the config and prints the first routing plan and nftables ruleset.
 *
 * @example
 * intelli-mesh agent /etc/intelli-mesh/agent.yaml --dry-run
 * sudo intelli-mesh agent /etc/intelli-mesh/agent.yaml --netns node1
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { IntelliMeshError } from '../../core/errors.ts';
import { RealScheduler } from '../../core/real-scheduler.ts';
import { parseAgentConfig, type AgentConfig } from '../../agent/agent-config.ts';
import { NodeAgent } from '../../agent/node-agent.ts';
import { MultiWanPolicy } from '../../agent/policy/multi-wan-policy.ts';
import { toRoutingPlan } from '../../agent/routing-plan.ts';
import { LinuxPlatform } from '../../platform/linux/linux-platform.ts';
import { renderNftRuleset } from '../../platform/linux/nft-ruleset.ts';
import { wanLayout } from '../../platform/linux/wan-layout.ts';

function dryRun(cfg: AgentConfig): void {
  const usable = new Map(cfg.wans.map((w) => [w.name, w.tracker.initialState === 'online']));
  const policy = new MultiWanPolicy({
    node: cfg.node,
    config: cfg.policy,
    holdDownMs: cfg.holdDownMs,
  });
  const decision = policy.decide({ now: 0, usable, meshGateway: null });
  const plan = toRoutingPlan(
    cfg.policy,
    decision.state,
    { zones: cfg.zones, meshRoute: () => null },
    usable,
  );
  console.log(JSON.stringify({ node: cfg.node, plan }, null, 2));
  console.log(renderNftRuleset(wanLayout(cfg.wans), plan, { lanDevices: cfg.lanDevices }));
}

/** The config file was given twice, or not at all. */
export class AgentArgumentError extends IntelliMeshError {}

interface AgentFlags {
  config?: string;
  netns?: string;
  dryRun?: boolean;
}

export function registerAgent(program: Command): void {
  program
    .command('agent')
    .description(
      "run this node's agent: WAN health, multi-WAN policy, gateway choice, Linux routing",
    )
    .argument('[config]', 'agent config file (YAML); the same as --config')
    .option('--config <file>', 'agent config file (YAML)')
    .option('--netns <name>', 'act inside this network namespace')
    .option('--dry-run', 'validate the config and print the first plan, change nothing')
    .action(async (positional: string | undefined, opts: AgentFlags) => {
      if (positional && opts.config && positional !== opts.config) {
        throw new AgentArgumentError(
          `two config files given: ${positional} and --config ${opts.config}`,
        );
      }
      const file = opts.config ?? positional;
      if (!file) throw new AgentArgumentError('no config file: use --config FILE');
      const cfg = parseAgentConfig(await readFile(file, 'utf8'), file);

      if (opts.dryRun) {
        dryRun(cfg);
        return;
      }
      const agent = new NodeAgent({
        node: cfg.node,
        scheduler: new RealScheduler(),
        platform: new LinuxPlatform({
          netns: opts.netns,
          lanDevices: cfg.lanDevices,
          icmpStreamIntervalMs: cfg.icmpStreamIntervalMs,
          wans: cfg.wans,
        }),
        policy: cfg.policy,
        zones: cfg.zones,
        holdDownMs: cfg.holdDownMs,
        gwSelClass: cfg.gwSelClass,
        wans: cfg.wans.map((w) => ({
          name: w.name,
          device: w.device,
          bandwidthDownKbit: w.bandwidthDownKbit,
          bandwidthUpKbit: w.bandwidthUpKbit,
          tracker: w.tracker,
        })),
        onEvent: (e) => console.log(JSON.stringify(e)),
      });
      await agent.start();
      // Runs until a signal; then removes its rules, tables and nftables table. The scheduler's
      // timers do not hold the process open, so this interval does.
      const keepAlive = setInterval(() => undefined, 1 << 30);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      clearInterval(keepAlive);
      await agent.stop();
    });
}
