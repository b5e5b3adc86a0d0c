/**
 * `--mqtt-url` with a cluster's addresses, comma-separated: the node agent's link (mqtt.js) and
 * the controller's batching session skip an address that does not answer and join the next one
 * (reconnections move on the same way; that part is not tested here); with no address answering,
 * the first connection fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentLink } from '../../src/agent/mqtt/agent-link.ts';
import { RealScheduler } from '../../src/core/real-scheduler.ts';
import { BatchingSession } from '../../src/mqtt/batching-session.ts';
import { CredentialStore } from '../../src/mqtt/credential-store.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/mqtt/embedded-broker.ts';
import { RANDOM_SECRET_SCRYPT, hashPassword } from '../../src/mqtt/password-hash.ts';
import { siteFilter } from '../../src/mqtt/topics.ts';
import { freePort } from './mosquitto-process.ts';

const scheduler = new RealScheduler();
let broker: EmbeddedBroker;
/** A loopback port nothing listens on: connections to it are refused at once. */
let dead: string;

beforeAll(async () => {
  broker = await startEmbeddedBroker({
    port: 0,
    site: 'lab',
    credentials: CredentialStore.fromUsers([
      {
        username: 'controller',
        role: 'controller',
        password_hash: hashPassword('c-pw', RANDOM_SECRET_SCRYPT),
      },
      {
        username: 'node-3',
        role: 'node',
        password_hash: hashPassword('n-pw', RANDOM_SECRET_SCRYPT),
      },
    ]),
  });
  dead = `mqtt://127.0.0.1:${await freePort()}`;
});
afterAll(async () => {
  await broker.close();
});

const session = (url: string) =>
  BatchingSession.connect({
    url,
    clientId: 'controller:list',
    username: 'controller',
    password: 'c-pw',
    scheduler,
    subscriptions: [{ topic: siteFilter('lab'), qos: 1 }],
    onBatch: () => undefined,
    reconnectPeriodMs: 50,
  });
const agent = (url: string) =>
  AgentLink.connect({
    url,
    site: 'lab',
    node: 'node-3',
    password: 'n-pw',
    clock: scheduler,
    reconnectPeriodMs: 50,
  });

describe('a broker address list', () => {
  it("joins the next address when the first does not answer (controller's session)", async () => {
    const s = await session(`${dead},${broker.url}`);
    expect(s.connected).toBe(true);
    await s.close();
  });

  it("joins the next address when the first does not answer (agent's link)", async () => {
    const link = await agent(`${dead},${broker.url}`);
    expect(link.connected).toBe(true);
    await link.close();
  });

  it('fails the first connection only once every address has failed', async () => {
    const other = `mqtt://127.0.0.1:${await freePort()}`;
    await expect(session(`${dead},${other}`)).rejects.toThrow(
      /could not join|ECONNREFUSED|refused/,
    );
    await expect(agent(`${dead},${other}`)).rejects.toThrow(/node-3 could not join/);
  });
});
