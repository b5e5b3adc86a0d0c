/**
 * A radio gateway speaks only for its own radio network, as itself: the embedded broker's ACL
 * and the Mosquitto ACL we render both drop what it publishes for another network or another
 * gateway, and give it no other gateway's commands.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialStore } from '../../src/mqtt/credential-store.ts';
import { startEmbeddedBroker } from '../../src/mqtt/embedded-broker.ts';
import { hashPassword } from '../../src/mqtt/password-hash.ts';
import { radioNodeTopic, radioSiteFilter, radioTopic } from '../../src/mqtt/radio-topics.ts';
import { mosquittoAvailable, startMosquittoBroker } from '../mqtt/mosquitto-process.ts';

const SITE = 'lab';
const USERS = [
  { username: 'controller', password: 'c-pw', role: 'controller' as const },
  { username: 'gw-a', password: 'a-pw', role: 'radio-gateway' as const, network: 'field' },
  { username: 'gw-b', password: 'b-pw', role: 'radio-gateway' as const, network: 'barn' },
];

function connect(url: string, username: string, clientId = `${username}:t`): Promise<MqttClient> {
  const client = mqtt.connect(url, {
    username,
    password: USERS.find((u) => u.username === username)!.password,
    clientId,
    reconnectPeriod: 0,
    connectTimeout: 5000,
  });
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('error', (err) => {
      client.end(true);
      reject(err);
    });
  });
}

/** Resolves when the publish was acknowledged or the broker dropped the connection for it. */
function publishOutcome(client: MqttClient, topic: string, payload: string): Promise<string> {
  return new Promise((resolve) => {
    client.once('close', () => resolve('closed'));
    client.publish(topic, payload, { qos: 1 }, (err) => resolve(err ? 'error' : 'acked'));
  });
}

function radioAcl(name: string, start: () => Promise<{ url: string; close(): Promise<void> }>) {
  describe(`radio gateway ACL: ${name}`, () => {
    let broker: { url: string; close(): Promise<void> };
    const open: MqttClient[] = [];
    const client = async (username: string, clientId?: string) => {
      const c = await connect(broker.url, username, clientId);
      open.push(c);
      return c;
    };
    beforeAll(async () => {
      broker = await start();
    });
    afterAll(async () => {
      await Promise.all(open.map((c) => c.endAsync(true)));
      await broker.close();
    });

    it('delivers a gateway’s reports for its own network and drops those for another', async () => {
      const controller = await client('controller');
      const seen: { topic: string; payload: string }[] = [];
      let marker: () => void = () => {};
      const markerSeen = new Promise<void>((r) => (marker = r));
      controller.on('message', (topic, payload) => {
        seen.push({ topic, payload: payload.toString() });
        if (payload.toString() === 'marker') marker();
      });
      await controller.subscribeAsync(radioSiteFilter(SITE), { qos: 1 });

      const gwA = await client('gw-a');
      const own = radioNodeTopic(SITE, 'field', 'gw-a', 69);
      expect(await publishOutcome(gwA, own, 'own')).toBe('acked');
      // Another network, another gateway's prefix in its own network, its own command topic.
      const spoofs = [
        radioNodeTopic(SITE, 'barn', 'gw-a', 69),
        radioNodeTopic(SITE, 'barn', 'gw-b', 69),
        radioNodeTopic(SITE, 'field', 'gw-b', 69),
        radioTopic(SITE, 'field', 'gw-a', 'command'),
        radioNodeTopic('hq', 'field', 'gw-a', 69),
      ];
      let sender = gwA;
      for (const [i, topic] of spoofs.entries()) {
        if (!sender.connected) sender = await client('gw-a', `gw-a:again-${i}`);
        await publishOutcome(sender, topic, `spoof-${i}`);
      }
      // A later message from the real gw-b arrives after anything the broker let through.
      const gwB = await client('gw-b');
      await gwB.publishAsync(radioTopic(SITE, 'barn', 'gw-b', 'status'), 'marker', { qos: 1 });
      await markerSeen;
      expect(seen.map((m) => m.payload)).toContain('own');
      expect(seen.filter((m) => m.payload.startsWith('spoof'))).toEqual([]);
    });

    it('gives a gateway its own commands only', async () => {
      const gwA = await client('gw-a', 'gw-a:cmd');
      const got: string[] = [];
      gwA.on('message', (_t, p) => got.push(p.toString()));
      const granted = await gwA.subscribeAsync(radioTopic(SITE, 'field', 'gw-a', 'command'), {
        qos: 1,
      });
      expect(granted[0]!.qos).toBe(1);
      // Aedes refuses another gateway's command filter in SUBACK; Mosquitto grants it but
      // filters on delivery. Either way nothing of gw-b's may arrive.
      await gwA
        .subscribeAsync(radioTopic(SITE, 'barn', 'gw-b', 'command'), { qos: 1 })
        .catch(() => undefined);
      const controller = await client('controller', 'controller:cmd');
      await controller.publishAsync(radioTopic(SITE, 'barn', 'gw-b', 'command'), 'not-yours', {
        qos: 1,
      });
      await controller.publishAsync(radioTopic(SITE, 'field', 'gw-a', 'command'), 'yours', {
        qos: 1,
      });
      const deadline = Date.now() + 5000;
      while (!got.includes('yours') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      expect(got).toEqual(['yours']);
    });
  });
}

radioAcl('embedded Aedes', async () => {
  const credentials = CredentialStore.fromUsers(
    USERS.map(({ password, ...u }) => ({ ...u, password_hash: hashPassword(password) })),
  );
  return startEmbeddedBroker({ credentials, site: SITE, port: 0 });
});

if (mosquittoAvailable()) {
  radioAcl('Mosquitto', () =>
    startMosquittoBroker(
      USERS.map((u) => ({ ...u })),
      { site: SITE },
    ),
  );
} else {
  describe('radio gateway ACL: Mosquitto', () => {
    it.skip('needs the mosquitto Debian package (.ci/run installs it)', async () => {});
  });
}
