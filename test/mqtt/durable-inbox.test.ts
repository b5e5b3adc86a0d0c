/**
 * The embedded broker's journal in normal running: entries go once the controller has stored
 * their messages (the file does not grow), and what an earlier run left behind is delivered to
 * the controller when it subscribes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { RealScheduler } from '../../src/core/real-scheduler.ts';
import { startController } from '../../src/controller/controller.ts';
import { BrokerJournal } from '../../src/mqtt/broker-journal.ts';
import { topicMatches } from '../../src/mqtt/durable-inbox.ts';
import { CredentialStore } from '../../src/mqtt/credential-store.ts';
import { startEmbeddedBroker } from '../../src/mqtt/embedded-broker.ts';
import { hashPassword } from '../../src/mqtt/password-hash.ts';
import { nodeTopic } from '../../src/mqtt/topics.ts';
import { removeDir } from './mosquitto-process.ts';

const TOPIC = nodeTopic('lab', 'node-1', 'events');
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const event = (reason: string) =>
  JSON.stringify({
    at: 1,
    node: 'node-1',
    kind: 'test',
    subject: 's',
    from: null,
    to: null,
    reason,
  });

async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function site() {
  const dir = mkdtempSync(join(tmpdir(), 'im-inbox-'));
  cleanups.push(() => removeDir(dir));
  const journalPath = join(dir, 'c.db.broker-journal');
  const startBroker = async () => {
    const broker = await startEmbeddedBroker({
      port: 0,
      journalPath,
      credentials: CredentialStore.fromUsers([
        { username: 'controller', role: 'controller', password_hash: hashPassword('ctl-pw') },
        { username: 'node-1', role: 'node', password_hash: hashPassword('n1-pw') },
      ]),
    });
    cleanups.push(() => broker.close());
    return broker;
  };
  const startCtl = async (broker: { url: string }) => {
    const ctl = await startController({
      site: 'lab',
      dbPath: join(dir, 'c.db'),
      mqttUrl: broker.url,
      mqttPassword: 'ctl-pw',
      scheduler: new RealScheduler(),
      port: 0,
      adminPassword: 'admin-pw',
    });
    cleanups.push(() => ctl.close());
    return ctl;
  };
  const start = async () => {
    const broker = await startBroker();
    return { broker, ctl: await startCtl(broker) };
  };
  const journalCount = () => {
    const j = BrokerJournal.open(journalPath);
    try {
      return j.count();
    } finally {
      j.close();
    }
  };
  return { journalPath, start, startBroker, startCtl, journalCount };
}

describe('the broker journal', () => {
  it('is emptied as the controller stores what nodes publish', async () => {
    const s = await site();
    const { broker, ctl } = await s.start();
    const node = await mqtt.connectAsync(broker.url, {
      username: 'node-1',
      password: 'n1-pw',
      clientId: 'node-1',
    });
    cleanups.push(() => node.endAsync(true));
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => node.publishAsync(TOPIC, event(`k${i}`), { qos: 1 })),
    );
    await until(
      '200 stored',
      async () => (await ctl.store.events.query({ limit: 500 })).length === 200,
    );
    await until('an empty journal', () => s.journalCount() === 0);
  });

  it('delivers what an earlier run left to the controller when it subscribes', async () => {
    const s = await site();
    const earlier = BrokerJournal.open(s.journalPath);
    earlier.append([
      { topic: TOPIC, payload: Buffer.from(event('left-1')) },
      { topic: TOPIC, payload: Buffer.from(event('left-2')) },
      // Not the controller's site: never acknowledged by it, so dropped rather than kept forever.
      { topic: nodeTopic('elsewhere', 'node-1', 'events'), payload: Buffer.from(event('other')) },
    ]);
    earlier.close();
    const { ctl } = await s.start();
    await until(
      'both stored',
      async () => (await ctl.store.events.query({ limit: 10 })).length === 2,
    );
    expect((await ctl.store.events.query({ limit: 10 })).map((e) => e.reason).sort()).toEqual([
      'left-1',
      'left-2',
    ]);
    await until('an empty journal', () => s.journalCount() === 0);
  });
});

describe('the broker journal before the controller is there', () => {
  it('keeps what a node published before the controller subscribed, and delivers it then', async () => {
    const s = await site();
    const broker = await s.startBroker();
    const node = await mqtt.connectAsync(broker.url, {
      username: 'node-1',
      password: 'n1-pw',
      clientId: 'node-1',
    });
    cleanups.push(() => node.endAsync(true));
    // Acknowledged with nobody subscribed: without the journal, Aedes routes these to no one.
    for (let i = 0; i < 5; i++) await node.publishAsync(TOPIC, event(`early-${i}`), { qos: 1 });
    expect(s.journalCount()).toBe(5);
    const ctl = await s.startCtl(broker);
    await until(
      'the 5 stored',
      async () => (await ctl.store.events.query({ limit: 10 })).length === 5,
    );
    await until('an empty journal', () => s.journalCount() === 0);
  });
});

describe('topicMatches', () => {
  it.each([
    ['intelli-mesh/lab/node/+/#', 'intelli-mesh/lab/node/n1/events', true],
    ['intelli-mesh/lab/node/+/#', 'intelli-mesh/lab/node/n1/command/result', true],
    ['intelli-mesh/lab/node/+/#', 'intelli-mesh/other/node/n1/events', false],
    ['a/+', 'a/b/c', false],
    ['a/#', 'a', true],
    ['a/b', 'a/b', true],
    ['a/b', 'a', false],
  ])('%s matches %s: %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });
});
