/**
 * The `intelli-mesh controller` flags that set the embedded broker's limits (packet sizes,
 * retained bytes, per-client inflight and queue, the auth-failure throttle). Each defaults to DEFAULT_BROKER_LIMITS, named in
 * its help; docs/deployment.md ("MQTT security") explains them.
 *
 * @example
 * for (const option of brokerLimitOptions()) controllerCommand.addOption(option);
 * // later, in the action:
 * startBrokerThread({ credentials, limits: brokerLimitsFromFlags(flags) });
 */
import { Option } from 'commander';
import { DEFAULT_BROKER_LIMITS, type BrokerLimitsOptions } from '../mqtt/broker-limits.ts';
import { integerIn } from './options.ts';

export interface BrokerLimitFlags {
  mqttMaxConnectBytes?: number;
  mqttMaxPacketBytes?: number;
  mqttMaxRetainedPerClient?: number;
  mqttMaxRetainedTotal?: number;
  mqttMaxInflightMessages?: number;
  mqttMaxQueuedMessages?: number;
  mqttMaxQueuedBytes?: number;
  mqttAuthFailures?: number;
  mqttAuthWindow?: number;
  mqttAuthBlock?: number;
}

/** MQTT allows packets up to 256 MiB; below 64 bytes no CONNECT with a password fits. */
const bytes = integerIn(64, 268_435_460);

export function brokerLimitOptions(): Option[] {
  const d = DEFAULT_BROKER_LIMITS;
  const option = (flags: string, help: string, parse: (value: string) => number) =>
    new Option(flags, `embedded broker: ${help}`).argParser(parse);
  return [
    option(
      '--mqtt-max-connect-bytes <n>',
      `largest CONNECT, read before the login is checked (default ${d.maxConnectBytes})`,
      bytes,
    ),
    option(
      '--mqtt-max-packet-bytes <n>',
      `largest packet; larger closes the connection (default ${d.maxPacketBytes})`,
      bytes,
    ),
    option(
      '--mqtt-max-retained-per-client <bytes>',
      `retained bytes one login may keep (default ${d.maxRetainedBytesPerClient})`,
      integerIn(0, Number.MAX_SAFE_INTEGER),
    ),
    option(
      '--mqtt-max-retained-total <bytes>',
      `retained bytes all logins may keep (default ${d.maxRetainedBytesTotal})`,
      integerIn(0, Number.MAX_SAFE_INTEGER),
    ),
    option(
      '--mqtt-max-inflight-messages <n>',
      `messages on their way to one client (unacknowledged QoS 1/2, or unread) at once; not the controller's own login (default ${d.maxInflightMessages})`,
      integerIn(1, 65_535),
    ),
    option(
      '--mqtt-max-queued-messages <n>',
      `messages queued for one client behind those; more are dropped and counted (default ${d.maxQueuedMessages})`,
      integerIn(0, 100_000_000),
    ),
    option(
      '--mqtt-max-queued-bytes <bytes>',
      `bytes queued for one client behind those (default ${d.maxQueuedBytes})`,
      integerIn(0, Number.MAX_SAFE_INTEGER),
    ),
    option(
      '--mqtt-auth-failures <n>',
      `failed logins from one address that block it (default ${d.authFailures})`,
      integerIn(1, 1_000_000),
    ),
    option(
      '--mqtt-auth-window <seconds>',
      `the period those failures are counted over (default ${d.authFailureWindowMs / 1000})`,
      integerIn(1, 86_400),
    ),
    option(
      '--mqtt-auth-block <seconds>',
      `first block of an address, doubling after each, to 15 min (default ${d.authBlockMs / 1000})`,
      integerIn(1, 86_400),
    ),
  ];
}

export function brokerLimitsFromFlags(flags: BrokerLimitFlags): BrokerLimitsOptions {
  const ms = (s: number | undefined) => (s === undefined ? undefined : s * 1000);
  return {
    maxConnectBytes: flags.mqttMaxConnectBytes,
    maxPacketBytes: flags.mqttMaxPacketBytes,
    maxRetainedBytesPerClient: flags.mqttMaxRetainedPerClient,
    maxRetainedBytesTotal: flags.mqttMaxRetainedTotal,
    maxInflightMessages: flags.mqttMaxInflightMessages,
    maxQueuedMessages: flags.mqttMaxQueuedMessages,
    maxQueuedBytes: flags.mqttMaxQueuedBytes,
    authFailures: flags.mqttAuthFailures,
    authFailureWindowMs: ms(flags.mqttAuthWindow),
    authBlockMs: ms(flags.mqttAuthBlock),
  };
}
