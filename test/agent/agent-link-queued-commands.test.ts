/**
 * A command the controller sent while the node was away is in the node's persistent session; the
 * broker hands it over right after the CONNACK of the node's next connection, before
 * `AgentLink.connect` has resolved and before anyone called `onCommand`. The link must keep it
 * for its first listener: the broker counts it delivered once the link acknowledged it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AgentLink } from '../../src/agent/mqtt/agent-link.ts';
import { RealScheduler } from '../../src/core/real-scheduler.ts';
import { CredentialStore } from '../../src/mqtt/credential-store.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/mqtt/embedded-broker.ts';
import type { Command } from '../../src/mqtt/messages.ts';
import { RANDOM_SECRET_SCRYPT, hashPassword } from '../../src/mqtt/password-hash.ts';
import { nodeTopic } from '../../src/mqtt/topics.ts';
import mqtt from 'mqtt';

const clock = new RealScheduler();
let broker: EmbeddedBroker | undefined;
afterEach(async () => {
  await broker?.close();
});

describe('AgentLink and commands queued while the node was away', () => {
  it('hands them to the first onCommand listener, even one added after connect', async () => {
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
    const link = () =>
      AgentLink.connect({
        url: broker!.url,
        site: 'lab',
        node: 'node-3',
        password: 'n-pw',
        clock,
      });
    await (await link()).close();
    const controller = await mqtt.connectAsync(broker.url, {
      username: 'controller',
      password: 'c-pw',
      clientId: 'controller:t',
    });
    for (const id of ['away-1', 'away-2'])
      await controller.publishAsync(
        nodeTopic('lab', 'node-3', 'command'),
        JSON.stringify({ id, kind: 'ping' }),
        {
          qos: 1,
        },
      );
    await controller.endAsync();

    const back = await link();
    const heard: Command[] = [];
    back.onCommand((c) => heard.push(c));
    const deadline = Date.now() + 5_000;
    while (heard.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(heard.map((c) => c.id)).toEqual(['away-1', 'away-2']);
    await back.close();
  });
});
