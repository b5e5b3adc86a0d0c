/**
 * The controller's embedded-broker flags turned into listeners, and the startup lines that list
 * every URL nodes can use.
 *
 * The choice about plain MQTT: without TLS files, mqtt:// (and ws:// with `--mqtt-ws-port`)
 * listen on every `--mqtt-host`, as before. With `--mqtt-tls-cert` and `--mqtt-tls-key`,
 * mqtts:// (and wss:// with `--mqtts-ws-port`) listen on every `--mqtt-host`, and the plain
 * listeners move to the loopback: the controller's own session (which speaks mqtt:// only) and
 * local tools use them, and nothing unencrypted leaves the machine. `--mqtt-plain-host` puts
 * them elsewhere on purpose (a migration with both, say). `--mqtt-port 0` still means "a free
 * port", never "off".
 *
 * @example
 * const plan = brokerListenPlan(flags, given, Date.now());
 * const broker = await startBrokerThread({ credentials, ...plan.options });
 * for (const line of brokerBanner(broker.listeners, plan, networkInterfaces())) console.log(line);
 */
import { isIP } from 'node:net';
import type { NetworkInterfaceInfo } from 'node:os';
import { IntelliMeshError } from '../core/errors.ts';
import { isWildcard, urlHost } from '../core/net-address.ts';
import type { BrokerListener, EmbeddedBrokerOptions } from '../mqtt/embedded-broker.ts';
import { reachableAddresses } from './listen-addresses.ts';
import { loadServerTls, type ServerTls } from './tls-files.ts';

/** Embedded-broker flags that contradict each other or the rest of the command line. */
export class BrokerFlagError extends IntelliMeshError {}

export interface BrokerFlags {
  mqttUrl?: string | undefined;
  mqttHost?: string[] | undefined;
  mqttPlainHost?: string[] | undefined;
  mqttPort: number;
  mqttWsPort?: number | undefined;
  mqttTlsCert?: string | undefined;
  mqttTlsKey?: string | undefined;
  mqttTlsCa?: string | undefined;
  mqttsPort?: number | undefined;
  mqttsWsPort?: number | undefined;
  credentials?: string | undefined;
}

/** Flags that configure the embedded broker, by their option key. */
const EMBEDDED_ONLY: [keyof BrokerFlags, string][] = [
  ['mqttHost', '--mqtt-host'],
  ['mqttPlainHost', '--mqtt-plain-host'],
  ['mqttPort', '--mqtt-port'],
  ['mqttWsPort', '--mqtt-ws-port'],
  ['mqttTlsCert', '--mqtt-tls-cert'],
  ['mqttTlsKey', '--mqtt-tls-key'],
  ['mqttTlsCa', '--mqtt-tls-ca'],
  ['mqttsPort', '--mqtts-port'],
  ['mqttsWsPort', '--mqtts-ws-port'],
  ['credentials', '--credentials'],
];
const TLS_ONLY: [keyof BrokerFlags, string][] = [
  ['mqttTlsCa', '--mqtt-tls-ca'],
  ['mqttsPort', '--mqtts-port'],
  ['mqttsWsPort', '--mqtts-ws-port'],
];

export const DEFAULT_MQTTS_PORT = 8883;
const LOOPBACK = ['127.0.0.1'];

const PORT_FLAG: Record<BrokerListener['protocol'], string> = {
  mqtt: '--mqtt-port',
  ws: '--mqtt-ws-port',
  mqtts: '--mqtts-port',
  wss: '--mqtts-ws-port',
};

/** The flags behind a listener that could not be opened, for the error message. */
export function flagsOfListener(
  protocol: BrokerListener['protocol'],
  plan: Pick<BrokerListenPlan, 'plainHostFlag'>,
): string {
  const hostFlag = protocol === 'mqtts' || protocol === 'wss' ? '--mqtt-host' : plan.plainHostFlag;
  return `${hostFlag}, ${PORT_FLAG[protocol]}`;
}

export interface BrokerListenPlan {
  /** For `startBrokerThread` / `startEmbeddedBroker`, without credentials. */
  options: Pick<EmbeddedBrokerOptions, 'hosts' | 'port' | 'wsPort' | 'tls'>;
  /** The TLS files as loaded, when TLS is on. */
  tls: ServerTls | undefined;
  /** Plain listeners were moved to the loopback because TLS is on. */
  plainOnLoopbackForTls: boolean;
  /** The flag the plain listeners' addresses came from (or would have: their default). */
  plainHostFlag: '--mqtt-host' | '--mqtt-plain-host';
}

/**
 * Checks the flags against each other and loads the TLS files. `given` says which options the
 * user set (rather than their defaults); `now` is for the certificates' validity.
 */
export function brokerListenPlan(
  flags: BrokerFlags,
  given: (key: keyof BrokerFlags) => boolean,
  now: number,
): BrokerListenPlan {
  if (flags.mqttUrl !== undefined) {
    const clash = EMBEDDED_ONLY.find(([key]) => given(key));
    if (clash)
      throw new BrokerFlagError(
        `${clash[1]} configures the embedded broker, which --mqtt-url replaces (configure listeners and TLS on that broker)`,
      );
  }
  const hasCert = flags.mqttTlsCert !== undefined;
  if (hasCert !== (flags.mqttTlsKey !== undefined)) {
    throw new BrokerFlagError(
      hasCert
        ? '--mqtt-tls-cert needs --mqtt-tls-key (the private key of the certificate)'
        : '--mqtt-tls-key needs --mqtt-tls-cert (the certificate of the key)',
    );
  }
  if (!hasCert) {
    const orphan = TLS_ONLY.find(([key]) => given(key));
    if (orphan) throw new BrokerFlagError(`${orphan[1]} needs --mqtt-tls-cert and --mqtt-tls-key`);
    if (flags.mqttHost !== undefined && flags.mqttPlainHost !== undefined) {
      throw new BrokerFlagError(
        'without TLS files, --mqtt-host is where plain MQTT listens: give it or --mqtt-plain-host, not both',
      );
    }
  }
  const ports: [string, number | undefined][] = [
    ['--mqtt-port', flags.mqttPort],
    ['--mqtt-ws-port', flags.mqttWsPort],
    ['--mqtts-port', hasCert ? (flags.mqttsPort ?? DEFAULT_MQTTS_PORT) : undefined],
    ['--mqtts-ws-port', flags.mqttsWsPort],
  ];
  for (const [i, [flag, port]] of ports.entries()) {
    const twin = ports.slice(0, i).find(([, p]) => p === port && port !== undefined && port !== 0);
    if (twin) throw new BrokerFlagError(`${flag} ${port} is the port of ${twin[0]} already`);
  }

  const hosts = flags.mqttHost ?? LOOPBACK;
  const tls = hasCert
    ? loadServerTls({
        cert: { flag: '--mqtt-tls-cert', file: flags.mqttTlsCert! },
        key: { flag: '--mqtt-tls-key', file: flags.mqttTlsKey! },
        ca:
          flags.mqttTlsCa !== undefined
            ? { flag: '--mqtt-tls-ca', file: flags.mqttTlsCa }
            : undefined,
        now,
      })
    : undefined;
  const plainHosts = flags.mqttPlainHost ?? (tls ? LOOPBACK : hosts);
  return {
    options: {
      hosts: plainHosts,
      port: flags.mqttPort,
      wsPort: flags.mqttWsPort,
      tls: tls && {
        cert: tls.cert,
        key: tls.key,
        clientCa: tls.ca,
        hosts,
        port: flags.mqttsPort ?? DEFAULT_MQTTS_PORT,
        wsPort: flags.mqttsWsPort,
      },
    },
    tls,
    plainOnLoopbackForTls: tls !== undefined && flags.mqttPlainHost === undefined,
    plainHostFlag: flags.mqttPlainHost !== undefined || tls ? '--mqtt-plain-host' : '--mqtt-host',
  };
}

const KIND: Record<BrokerListener['protocol'], string> = {
  mqtt: 'plain',
  ws: 'WebSocket, plain',
  mqtts: 'TLS',
  wss: 'WebSocket over TLS',
};

/**
 * One line per URL a client can use, wildcards expanded to this machine's addresses; for TLS,
 * an address missing from the certificate is said to be refused by nodes, and the certificate's
 * DNS names are listed as URLs too (when they resolve to this machine).
 */
export function brokerBanner(
  listeners: readonly BrokerListener[],
  plan: Pick<BrokerListenPlan, 'tls' | 'plainOnLoopbackForTls'>,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>,
): string[] {
  const lines: string[] = [];
  const seen = new Set<string>();
  const add = (url: string, note: string) => {
    if (seen.has(url)) return;
    seen.add(url);
    lines.push(`MQTT broker: ${url} (${note})`);
  };
  // The URLs nodes on other machines are meant to use come first.
  const order: BrokerListener['protocol'][] = ['mqtts', 'wss', 'mqtt', 'ws'];
  const sorted = [...listeners].sort(
    (a, b) => order.indexOf(a.protocol) - order.indexOf(b.protocol),
  );
  for (const l of sorted) {
    const secure = l.protocol === 'mqtts' || l.protocol === 'wss';
    const ipv6Only =
      l.host === '::' && listeners.some((o) => o.protocol === l.protocol && isIP(o.host) === 4);
    const addresses = isWildcard(l.host)
      ? reachableAddresses(l.host, interfaces, ipv6Only)
      : [l.host];
    for (const address of addresses) {
      let note = KIND[l.protocol];
      if (secure && plan.tls && plan.tls.certificate.checkIP(address) === undefined) {
        note += `; ${address} is not in the certificate, so nodes refuse this URL`;
      } else if (!secure && plan.plainOnLoopbackForTls) {
        note += ', loopback only while TLS is on';
      }
      add(`${l.protocol}://${urlHost(address)}:${l.port}`, note);
    }
    if (secure && plan.tls) {
      for (const name of plan.tls.names.filter(
        (n) => n.kind === 'DNS' && !n.value.startsWith('*'),
      )) {
        add(
          `${l.protocol}://${name.value}:${l.port}`,
          `${KIND[l.protocol]}, the certificate's name: it must resolve to this machine`,
        );
      }
    }
  }
  if (plan.tls && plan.tls.names.length === 0) {
    lines.push('MQTT broker: the certificate has no subjectAltName, so nodes refuse every URL');
  }
  return lines;
}
