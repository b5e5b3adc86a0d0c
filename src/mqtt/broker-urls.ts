/**
 * Several addresses of one clustered broker in one `--mqtt-url` (or `mqtt.url`), separated by
 * commas: the node agent and the controller connect to the first and, when a connection fails
 * or is lost, try the next one, in turn. One address is the usual case and means what it did.
 * Every address must use the same scheme (and, for WebSocket, the same path): they are one
 * broker, and the TLS material and the client's transport are chosen once.
 *
 * @example
 * brokerUrls('mqtt://10.0.0.1:1883,mqtt://10.0.0.2:1883'); // ['mqtt://10.0.0.1:1883', 'mqtt://10.0.0.2:1883']
 * mqttJsServers(['mqtt://a:1883', 'mqtt://b:1884']); // [{ host: 'a', port: 1883, protocol: 'mqtt' }, ...]
 */
import { IntelliMeshError } from '../core/errors.ts';

export class BrokerUrlListError extends IntelliMeshError {}

const DEFAULT_PORTS: Record<string, number> = { mqtt: 1883, mqtts: 8883, ws: 80, wss: 443 };

export function brokerUrls(list: string): string[] {
  const urls = list.split(',').map((u) => u.trim());
  if (urls.some((u) => u === ''))
    throw new BrokerUrlListError(
      `broker address list '${list}' has an empty entry: separate addresses with single commas`,
    );
  const first = parse(urls[0]!);
  for (const url of urls.slice(1)) {
    const parsed = parse(url);
    if (parsed.protocol !== first.protocol || parsed.pathname !== first.pathname)
      throw new BrokerUrlListError(
        `broker address '${url}' differs from '${urls[0]}' in scheme or path: the addresses of one broker must share both`,
      );
  }
  return urls;
}

/** mqtt.js's `servers` option: it moves to the next entry on every reconnection. */
export function mqttJsServers(
  urls: readonly string[],
): { host: string; port: number; protocol: 'mqtt' | 'mqtts' | 'ws' | 'wss' }[] {
  return urls.map((url) => {
    const parsed = parse(url);
    const protocol = parsed.protocol.slice(0, -1) as 'mqtt' | 'mqtts' | 'ws' | 'wss';
    return {
      host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: Number(parsed.port || DEFAULT_PORTS[protocol]),
      protocol,
    };
  });
}

function parse(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new BrokerUrlListError(`broker address '${url}' is not a URL`);
  }
  if (!(parsed.protocol.slice(0, -1) in DEFAULT_PORTS))
    throw new BrokerUrlListError(
      `broker address '${url}': expected mqtt://, mqtts://, ws:// or wss://`,
    );
  return parsed;
}
