/**
 * `intelli-mesh radio-gateway`: joins a meshlink radio network (UDP, or a serial radio dongle)
 * as a node with its own address and bridges it to the controller over MQTT with its own
 * `radio-gateway` login: it reports every radio node it learns of, relays messages addressed to
 * it and runs the controller's ping, scan, send and stream commands. See docs/radio-gateway.md.
 *
 * @example
 * INTELLI_MESH_MQTT_PASSWORD=… intelli-mesh radio-gateway --mqtt-url mqtt://10.0.0.1 --site lab \
 *   --username gw-1 --network field --address 100 --udp 0.0.0.0:4000 --peer 10.0.0.7:4000
 * intelli-mesh radio-gateway … --serial /dev/ttyUSB0 --baud 115200 --mtu 32
 */
import { randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import pino from 'pino';
import { IntelliMeshError } from '../../core/errors.ts';
import type { Medium } from '../../core/medium.ts';
import { seededRandom } from '../../core/random.ts';
import { RealScheduler } from '../../core/real-scheduler.ts';
import { MeshlinkHost } from '../../meshlink/meshlink-host.ts';
import { assertNetworkName } from '../../mqtt/radio-topics.ts';
import { assertTopicName } from '../../mqtt/topics.ts';
import { GatewayMqttLink } from '../../radio-gateway/gateway-mqtt-link.ts';
import { RadioGateway } from '../../radio-gateway/radio-gateway.ts';
import { openSerialMedium } from '../../transport/serial-medium.ts';
import { openUdpMedium } from '../../transport/udp-medium.ts';
import { collect, integerIn, parseHostPort } from '../options.ts';

/** Flags that do not fit together, or a secret that cannot be read. */
export class RadioGatewayFlagError extends IntelliMeshError {}

interface RadioGatewayFlags {
  mqttUrl: string;
  site: string;
  username: string;
  passwordFile?: string;
  ca?: string;
  network: string;
  address: number;
  udp?: string;
  peer?: string[];
  serial?: string;
  baud: number;
  mtu?: number;
  hopLimit: number;
  requireCrc?: boolean;
  seed?: number;
  pingInterval: number;
  scanInterval: number;
  scanDepth: number;
  pingTimeout: number;
}

const hostPort = (value: string): string => {
  parseHostPort(value);
  return value.trim();
};

async function readSecret(file: string, flag: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
  } catch (e) {
    throw new RadioGatewayFlagError(`${flag}: cannot read ${file}: ${(e as Error).message}`);
  }
}

const DONGLE_MTU = 32;

async function openMedium(f: RadioGatewayFlags): Promise<{ medium: Medium; where: string }> {
  if (f.udp !== undefined) {
    const udp = await openUdpMedium({ bind: f.udp, peers: f.peer ?? [], mtu: f.mtu ?? 255 });
    return { medium: udp, where: `udp ${udp.address}` };
  }
  if (f.peer !== undefined) throw new RadioGatewayFlagError('--peer is for --udp only');
  const serial = await openSerialMedium({
    path: f.serial!,
    baudRate: f.baud,
    // The dongle of firmware/ carries one frame per nRF24 packet: 32 bytes at most.
    mtu: f.mtu ?? DONGLE_MTU,
  });
  return { medium: serial, where: `serial ${f.serial}` };
}

export function registerRadioGateway(program: Command): void {
  program
    .command('radio-gateway')
    .description('bridge a meshlink radio network to the controller over MQTT')
    .requiredOption(
      '--mqtt-url <url>',
      'the controller’s broker (mqtt://, mqtts://, ws://, wss://)',
    )
    .requiredOption('--site <name>', 'the site: the MQTT topic level')
    .requiredOption('--username <name>', 'this gateway’s MQTT user (role radio-gateway): its id')
    .option(
      '--password-file <file>',
      'file holding the MQTT password (default: INTELLI_MESH_MQTT_PASSWORD)',
    )
    .option('--ca <file>', 'CA certificate (PEM) that signed an mqtts:// or wss:// broker')
    .requiredOption('--network <name>', 'the radio network this gateway serves')
    .requiredOption(
      '--address <n>',
      'this gateway’s meshlink address (1..65535)',
      integerIn(1, 65535),
    )
    .addOption(
      new Option('--udp <host:port>', 'join over UDP, bound here')
        .argParser(hostPort)
        .conflicts('serial'),
    )
    .option('--peer <host:port>', 'UDP peer in radio reach (repeatable)', collect(hostPort))
    .option('--serial <path>', 'join through a serial radio dongle, e.g. /dev/ttyUSB0')
    .option('--baud <rate>', 'serial baud rate', integerIn(1, 10_000_000), 115_200)
    .option(
      '--mtu <bytes>',
      'largest frame (default 255 on UDP, 32 on serial: the nRF24 dongle)',
      integerIn(17, 255),
    )
    .addOption(
      new Option('--hop-limit <n>', 'relays a frame may cross')
        .argParser(integerIn(1, 255))
        .default(7),
    )
    .option('--require-crc', 'reject frames without CRC (the seed’s C code sends crc = 0)')
    .option('--seed <n>', 'seed for sequences and jitter (default: random)', integerIn(0, 2 ** 31))
    .addOption(
      new Option('--ping-interval <ms>', 'time between ping rounds over every known node')
        .argParser(integerIn(100, 3_600_000))
        .default(10_000),
    )
    .addOption(
      new Option('--ping-timeout <ms>', 'wait for each pong')
        .argParser(integerIn(10, 60_000))
        .default(2_000),
    )
    .addOption(
      new Option('--scan-interval <ms>', 'time between recursive scans (0: only on command)')
        .argParser(integerIn(0, 86_400_000))
        .default(60_000),
    )
    .addOption(
      new Option('--scan-depth <n>', 'levels of the periodic scan')
        .argParser(integerIn(1, 16))
        .default(3),
    )
    .action(async (flags: RadioGatewayFlags, cmd: Command) => {
      if ((flags.udp === undefined) === (flags.serial === undefined))
        cmd.error('error: give one medium: --udp <host:port> or --serial <path>');
      if (!/^(mqtts?|wss?):\/\/[^/\s]+/.test(flags.mqttUrl))
        throw new RadioGatewayFlagError(
          `--mqtt-url ${flags.mqttUrl}: expected mqtt://, mqtts://, ws:// or wss://`,
        );
      assertTopicName('site', flags.site);
      assertTopicName('node', flags.username);
      assertNetworkName(flags.network);
      const password = flags.passwordFile
        ? await readSecret(flags.passwordFile, '--password-file')
        : process.env.INTELLI_MESH_MQTT_PASSWORD;
      if (!password)
        throw new RadioGatewayFlagError(
          'no MQTT password: give --password-file FILE or set INTELLI_MESH_MQTT_PASSWORD',
        );
      const ca = flags.ca === undefined ? undefined : await readSecret(flags.ca, '--ca');
      await runGateway(flags, password, ca);
    });
}

async function runGateway(flags: RadioGatewayFlags, password: string, ca?: string): Promise<void> {
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' }, pino.destination(2));
  const scheduler = new RealScheduler();
  const { medium, where } = await openMedium(flags);
  const host = new MeshlinkHost({
    address: flags.address,
    medium,
    scheduler,
    random: seededRandom(flags.seed ?? randomInt(2 ** 31)),
    requireCrc: flags.requireCrc === true,
    hopLimit: flags.hopLimit,
    pingTimeoutMs: flags.pingTimeout,
  });
  let link: GatewayMqttLink;
  try {
    link = await GatewayMqttLink.connect({
      url: flags.mqttUrl,
      site: flags.site,
      network: flags.network,
      gateway: flags.username,
      password,
      tls: ca === undefined ? undefined : { ca },
      clock: scheduler,
      address: flags.address,
      logger,
    });
  } catch (err) {
    host.close();
    await medium.close();
    throw err;
  }
  const gateway = new RadioGateway({
    site: flags.site,
    network: flags.network,
    gateway: flags.username,
    host,
    scheduler,
    publisher: link,
    pingIntervalMs: flags.pingInterval,
    scanIntervalMs: flags.scanInterval,
    scanDepth: flags.scanDepth,
    logger,
  });
  link.onCommand((payload) => gateway.command(payload));
  link.onReconnect(() => gateway.announce());
  gateway.start();
  console.log(
    `radio gateway ${flags.username} (address ${flags.address}) on ${where}: network ${flags.network} of site ${flags.site} → ${flags.mqttUrl}`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await gateway.stop();
  await link.close();
  host.close();
  await medium.close();
}
