/**
 * Issue 12, finding 6, for the broker: MQTT logins were checked with a synchronous scrypt
 * (N=2^14) on the broker's own event loop, so each login, right or wrong, held every other
 * client's traffic for the whole hash, and a storm of wrong passwords for seconds. Now new
 * hashes take OWASP's parameters (those of dashboard users), the check runs on the thread pool,
 * and older hashes, whose parameters are in the string, still log in.
 */
import { randomBytes, scryptSync } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { startBrokerThread } from '../../src/mqtt/broker-thread.ts';
import { CredentialStore } from '../../src/mqtt/credential-store.ts';
import { startEmbeddedBroker } from '../../src/mqtt/embedded-broker.ts';
import { OWASP_SCRYPT, hashPassword } from '../../src/mqtt/password-hash.ts';
import { USER_SCRYPT } from '../../src/controller/user-password.ts';
import { nodeTopic } from '../../src/mqtt/topics.ts';
import { connected, tryConnect, type RunningBroker } from './mqtt-brokers.ts';

/** The hash `mqtt-user` wrote before: scrypt N=16384, r=8, p=1. */
function legacyHash(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, 32, { N: 16384, r: 8, p: 1 });
  return `scrypt$16384$8$1$${salt.toString('base64')}$${hash.toString('base64')}`;
}

const node = { username: 'node-1', password: 'n1-pw' };
const STORM = 4;

const users = () =>
  CredentialStore.fromUsers([
    { username: 'node-1', role: 'node', site: 'lab', password_hash: hashPassword(node.password) },
    { username: 'old-node', role: 'node', site: 'lab', password_hash: legacyHash('old-pw') },
  ]);

const layouts: { name: string; start: () => Promise<RunningBroker> }[] = [
  {
    name: 'broker thread',
    start: () => startBrokerThread({ credentials: users(), port: 0 }),
  },
  { name: 'in-process', start: () => startEmbeddedBroker({ credentials: users(), port: 0 }) },
];

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('MQTT credential hashes', () => {
  it("are made with OWASP's scrypt parameters, the dashboard's", async () => {
    expect(OWASP_SCRYPT).toEqual({ N: 32768, r: 8, p: 3 });
    expect(USER_SCRYPT).toEqual(OWASP_SCRYPT);
    expect(hashPassword('pw')).toMatch(/^scrypt\$32768\$8\$3\$[^$]+\$[^$]+$/);
  });
});

describe.each(layouts)('MQTT logins are checked off the event loop: $name', (layout) => {
  it('logs in with an old N=16384 hash, whose parameters are in the string', async () => {
    const broker = await layout.start();
    cleanups.push(() => broker.close());
    const old = await tryConnect(broker.url, { username: 'old-node', password: 'old-pw' });
    expect(old.ok).toBe(true);
    if (old.ok) await old.client.endAsync();
    expect(await tryConnect(broker.url, { username: 'old-node', password: 'nope' })).toMatchObject({
      ok: false,
      returnCode: 4,
    });
  });

  it('keeps acknowledging a connected node while a storm of wrong passwords is checked', async () => {
    const broker = await layout.start();
    cleanups.push(() => broker.close());
    const client: MqttClient = await connected(broker.url, node, { clientId: 'node-1' });
    cleanups.push(() => client.endAsync(true));
    const topic = nodeTopic('lab', 'node-1', 'events');

    // Wrong passwords for a real user and for unknown ones: each costs a full hash.
    let pending = STORM;
    const storm = Promise.all(
      Array.from({ length: STORM }, (_, i) =>
        tryConnect(broker.url, {
          username: i % 2 === 0 ? 'node-1' : `ghost-${i}`,
          password: `wrong-${i}`,
        }).then((outcome) => {
          pending--;
          return outcome;
        }),
      ),
    );
    // Publish one after another, each waiting for its PUBACK, until the storm is answered. With
    // the check on the broker's event loop, nothing is acknowledged while a hash runs: at most
    // one PUBACK slips in between two checks.
    let acked = 0;
    while (pending > 0) {
      await client.publishAsync(topic, `m${acked}`, { qos: 1 });
      if (pending > 0) acked++;
    }
    const outcomes = await storm;
    expect(outcomes.every((o) => !o.ok && o.returnCode === 4)).toBe(true);
    expect(acked).toBeGreaterThanOrEqual(4 * STORM);
  }, 30_000);
});
