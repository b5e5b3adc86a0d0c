/**
 * `intelli-mesh agent --config FILE`: runs one node's agent on this Linux or OpenWrt host (or
 * inside a network namespace with `--netns`), printing every decision as a JSON line. With an
 * `mqtt:` section in the config (or `--mqtt-url` and `--site`) it also reports to the controller
 * as the node (retained state, metrics, events, last will offline) and obeys its configuration
 * pushes: validate, apply, confirm, or roll back by itself; a confirmed push is written back to
 * FILE. `--dry-run` only validates the config and prints the first routing plan and ruleset;
 * `--cleanup` removes what an agent with this config installed (after a crash) and exits.
 *
 * @example
 * intelli-mesh agent --config /etc/intelli-mesh/agent.yaml --dry-run
 * INTELLI_MESH_MQTT_PASSWORD=… intelli-mesh agent --config agent.yaml --mqtt-url mqtt://10.0.0.1 --site lab
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import pino from 'pino';
import { IntelliMeshError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { RealScheduler } from '../../core/real-scheduler.ts';
import type { AgentConfig, AgentMqttConfig } from '../../agent/agent-config.ts';
import {
  checkPushedConfig,
  configVersion,
  pushableDocument,
  readAgentConfigFile,
  toAgentConfig,
  writeConfigFile,
} from '../../agent/agent-config-file.ts';
import { ConfigTransaction } from '../../agent/command/config-transaction.ts';
import { HostAgent } from '../../agent/host-agent.ts';
import type { AgentLinkTls } from '../../agent/mqtt/agent-link.ts';
import { NodeReporter } from '../../agent/mqtt/node-reporter.ts';
import { MultiWanPolicy } from '../../agent/policy/multi-wan-policy.ts';
import { toRoutingPlan } from '../../agent/routing-plan.ts';
import { renderNftRuleset } from '../../platform/linux/nft-ruleset.ts';
import { wanLayout } from '../../platform/linux/wan-layout.ts';
import { readDeviceInfo } from '../../platform/linux/device-info.ts';
import { hostPlatform, hostSystemUpgrade } from '../host-platform.ts';

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

/** The config file was given twice or not at all, or the MQTT settings are incomplete. */
export class AgentArgumentError extends IntelliMeshError {}

interface AgentFlags {
  config?: string;
  netns?: string;
  dryRun?: boolean;
  cleanup?: boolean;
  mqtt?: boolean;
  mqttUrl?: string;
  site?: string;
  mqttUsername?: string;
  mqttPasswordFile?: string;
}

interface MqttSettings {
  url: string;
  site: string;
  username: string;
  password: string;
  tls: AgentLinkTls | undefined;
  metricsIntervalMs: number;
  stateIntervalMs: number;
  confirmTimeoutS: number;
}

const MQTT_DEFAULTS = { metricsIntervalMs: 10_000, stateIntervalMs: 30_000, confirmTimeoutS: 60 };

async function readSecret(file: string, what: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
  } catch (e) {
    throw new AgentArgumentError(`${what}: cannot read ${file}: ${(e as Error).message}`);
  }
}

/** The config's mqtt section with the command line's overrides; undefined means no reporting. */
async function mqttSettings(
  cfg: AgentConfig,
  file: string,
  flags: AgentFlags,
): Promise<MqttSettings | undefined> {
  if (flags.mqtt === false) return undefined;
  const m: Partial<AgentMqttConfig> = cfg.mqtt ?? {};
  const url = flags.mqttUrl ?? m.url;
  const site = flags.site ?? m.site;
  if (url === undefined) {
    if (flags.site !== undefined || flags.mqttUsername !== undefined || flags.mqttPasswordFile)
      throw new AgentArgumentError('MQTT flags given without a broker: add --mqtt-url URL');
    return undefined;
  }
  if (!/^(mqtts?|wss?):\/\/[^/\s]+/.test(url))
    throw new AgentArgumentError(`--mqtt-url ${url}: expected mqtt://, mqtts://, ws:// or wss://`);
  if (site === undefined)
    throw new AgentArgumentError(`no MQTT site: add --site NAME or mqtt.site to ${file}`);
  const base = dirname(resolve(file));
  let password: string | undefined;
  if (flags.mqttPasswordFile)
    password = await readSecret(flags.mqttPasswordFile, '--mqtt-password-file');
  else if (m.password !== undefined) password = m.password;
  else if (m.passwordFile !== undefined)
    password = await readSecret(resolve(base, m.passwordFile), `${file}: mqtt.passwordFile`);
  else password = process.env.INTELLI_MESH_MQTT_PASSWORD;
  if (!password)
    throw new AgentArgumentError(
      `no MQTT password for ${url}: set mqtt.password or mqtt.passwordFile in ${file}, ` +
        '--mqtt-password-file FILE, or INTELLI_MESH_MQTT_PASSWORD',
    );
  let tls: AgentLinkTls | undefined;
  if (m.tls) {
    const pem = (f: string | undefined, field: string) =>
      f === undefined ? undefined : readSecret(resolve(base, f), `${file}: mqtt.tls.${field}`);
    tls = {
      ca: await pem(m.tls.ca, 'ca'),
      cert: await pem(m.tls.cert, 'cert'),
      key: await pem(m.tls.key, 'key'),
      rejectUnauthorized: m.tls.rejectUnauthorized,
    };
  }
  return {
    url,
    site,
    username: flags.mqttUsername ?? m.username ?? cfg.node,
    password,
    tls,
    metricsIntervalMs: m.metricsIntervalMs ?? MQTT_DEFAULTS.metricsIntervalMs,
    stateIntervalMs: m.stateIntervalMs ?? MQTT_DEFAULTS.stateIntervalMs,
    confirmTimeoutS: m.confirmTimeoutS ?? MQTT_DEFAULTS.confirmTimeoutS,
  };
}

/** Logs in, and keeps trying with backoff while the broker is unreachable or refuses. */
function keepConnecting(reporter: NodeReporter<unknown>, log: Logger, stopped: () => boolean) {
  let delay = 1_000;
  const attempt = async (): Promise<void> => {
    while (!stopped()) {
      try {
        await reporter.connect();
        // Stopped while logging in: leave again rather than stay online after the agent is gone.
        if (stopped()) await reporter.disconnect();
        else log.info('reporting to the broker');
        return;
      } catch (err) {
        log.warn({ err: (err as Error).message, retryInMs: delay }, 'broker not joined');
        await new Promise((r) => setTimeout(r, delay).unref());
        delay = Math.min(delay * 2, 30_000);
      }
    }
  };
  return attempt();
}

export function registerAgent(program: Command): void {
  program
    .command('agent')
    .description(
      "run this node's agent: WAN health, multi-WAN policy, gateway choice, routing, and MQTT reports",
    )
    .argument('[config]', 'agent config file (YAML); the same as --config')
    .option('--config <file>', 'agent config file (YAML)')
    .option('--netns <name>', 'act inside this network namespace')
    .option('--dry-run', 'validate the config and print the first plan, change nothing')
    .option(
      '--cleanup',
      "remove the routing rules, tables and nftables table an agent with this config installs, and exit (the service's stop runs it after a crash)",
    )
    .option(
      '--mqtt-url <url>',
      'broker to report to, or a cluster’s addresses comma-separated (overrides mqtt.url)',
    )
    .option('--site <name>', 'site name, the MQTT topic level (overrides mqtt.site)')
    .option('--mqtt-username <name>', 'MQTT user (overrides mqtt.username; default the node name)')
    .option('--mqtt-password-file <file>', 'file holding the MQTT password (overrides the config)')
    .option('--no-mqtt', 'do not report over MQTT even if the config has an mqtt section')
    .action(async (positional: string | undefined, opts: AgentFlags) => {
      if (positional && opts.config && positional !== opts.config) {
        throw new AgentArgumentError(
          `two config files given: ${positional} and --config ${opts.config}`,
        );
      }
      const file = opts.config ?? positional;
      if (!file) throw new AgentArgumentError('no config file: use --config FILE');
      const cfg = await readAgentConfigFile(file);
      if (opts.dryRun) {
        dryRun(cfg);
        return;
      }
      if (opts.cleanup) {
        // Closing a platform that was never set up removes what an earlier agent left.
        await hostPlatform(cfg, { netns: opts.netns }).close();
        return;
      }
      const mqtt = await mqttSettings(cfg, file, opts);
      const log: Logger = pino(
        { level: process.env.LOG_LEVEL ?? cfg.logLevel, base: { node: cfg.node } },
        pino.destination({ dest: 2, sync: true }),
      );
      if (mqtt?.tls?.rejectUnauthorized === false)
        log.warn(
          { url: mqtt.url },
          "mqtt.tls.rejectUnauthorized is false: the broker's certificate is not verified, anyone on the path can pose as the broker",
        );
      const scheduler = new RealScheduler();
      let reporter: NodeReporter<Record<string, unknown>> | undefined;
      const print = (e: object) => console.log(JSON.stringify(e));
      const host = new HostAgent({
        scheduler,
        platform: (c) => hostPlatform(c, { netns: opts.netns, logger: log }),
        logger: log,
        onEvent: (e) => {
          print(e);
          reporter?.publishEvent(e);
        },
        onWansLost: () => reporter?.wanLost(),
      });

      let stopped = false;
      const timers: NodeJS.Timeout[] = [];
      // What the node is (IP, MAC, board) for the dashboard's inventory; in a netns the
      // process still sees the host's interfaces, so only the model is reported there.
      const device = mqtt ? await readDeviceInfo() : {};
      if (opts.netns) {
        delete device.ip;
        delete device.mac;
      }
      if (mqtt) {
        reporter = new NodeReporter<Record<string, unknown>>({
          url: mqtt.url,
          site: mqtt.site,
          node: cfg.node,
          username: mqtt.username,
          password: mqtt.password,
          tls: mqtt.tls,
          scheduler,
          logger: log,
          transaction: new ConfigTransaction<Record<string, unknown>>({
            node: cfg.node,
            validate: (input) => checkPushedConfig(input, cfg),
            initial: { version: configVersion(cfg), config: pushableDocument(cfg) },
            defaultConfirmTimeoutMs: mqtt.confirmTimeoutS * 1000,
          }),
          apply: async (doc, version, rollback) => {
            const source = rollback ? `confirmed config ${version}` : `pushed config ${version}`;
            await host.replace(toAgentConfig(doc, cfg, source, version));
          },
          onConfirmed: (version, doc) => {
            writeConfigFile(file, cfg, version, doc).then(
              () => log.info({ version, file }, 'confirmed configuration saved'),
              (err: Error) => log.error({ err: err.message, file }, 'confirmed config not saved'),
            );
          },
          onEvent: print,
          upgrade: hostSystemUpgrade(cfg),
          backlog: 1_000,
          report: () => ({ ...host.report(), ...device }),
          metrics: () => host.metrics(),
        });
      }
      // Started after the reporter exists, so the first decisions wait in its backlog.
      await host.start(cfg);
      if (reporter) {
        const r = reporter;
        void keepConnecting(r as NodeReporter<unknown>, log, () => stopped);
        const warn = (what: string) => (err: Error) => log.warn({ err: err.message }, what);
        timers.push(
          setInterval(
            () => r.publishMetrics().catch(warn('metrics lost')),
            mqtt!.metricsIntervalMs,
          ),
          setInterval(() => r.publishState().catch(warn('state lost')), mqtt!.stateIntervalMs),
        );
      }
      // Runs until a signal; then says offline and removes its rules, tables and nftables table.
      // The scheduler's timers do not hold the process open, so this interval does.
      const keepAlive = setInterval(() => undefined, 1 << 30);
      await new Promise<void>((done) => {
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
      });
      stopped = true;
      clearInterval(keepAlive);
      for (const t of timers) clearInterval(t);
      await reporter?.disconnect();
      await host.stop();
      // A login still in flight to an unreachable broker must not hold the exit for its timeout.
      setTimeout(() => process.exit(0), 2_000).unref();
    });
}
