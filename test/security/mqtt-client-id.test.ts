/**
 * Issue 12, finding 2: an MQTT viewer could take over the controller's session by connecting
 * with the client id `controller:ingest` (the embedded broker only checked nodes' ids); while it
 * held the session, events were lost and duplicated. Every login's client id is now bound to its
 * username in both brokers (Mosquitto, as rendered, forces it to the username).
 */
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeTopic } from '../../src/mqtt/topics.ts';
import {
  brokerKinds,
  connected,
  tryConnect,
  type RunningBroker,
  type TestUser,
} from './mqtt-brokers.ts';

const controller: TestUser = { username: 'controller', password: 'c-pw', role: 'controller' };
const viewer: TestUser = { username: 'viewer', password: 'v-pw', role: 'viewer' };
const node3: TestUser = { username: 'node-3', password: 'n3-pw', role: 'node', site: 'lab' };
const USERS = [controller, viewer, node3];

describe.each(brokerKinds)('MQTT client ids are bound to the login: $name', (kind) => {
  let broker: RunningBroker;
  const open: MqttClient[] = [];
  const keep = (c: MqttClient) => (open.push(c), c);

  beforeAll(async () => {
    broker = await kind.start(USERS, { site: 'lab' });
  });
  afterAll(async () => {
    await Promise.all(open.map((c) => c.endAsync(true)));
    await broker.close();
  });

  /** Holds `clientId` as `holder`, lets `intruder` try the same id, says if the holder was kicked. */
  async function takeover(holder: TestUser, intruder: TestUser, clientId: string) {
    const held = keep(await connected(broker.url, holder, { clientId }));
    let kicked = false;
    held.on('close', () => (kicked = true));
    const attempt = await tryConnect(broker.url, intruder, { clientId });
    if (attempt.ok) keep(attempt.client);
    // A round trip on the holder's connection after the attempt: a kicked client gets no PUBACK.
    const topic = holder.role === 'node' ? nodeTopic('lab', holder.username, 'events') : undefined;
    if (topic) await held.publishAsync(topic, 'still-here', { qos: 1 });
    else await held.subscribeAsync(nodeTopic('lab', 'node-3', 'events'), { qos: 1 });
    return { kicked, attempt };
  }

  it("does not let a viewer take over the controller's ingest session", async () => {
    const { kicked, attempt } = await takeover(controller, viewer, 'controller:ingest');
    expect(kicked).toBe(false);
    // The embedded broker refuses the id ("not authorized"); Mosquitto replaces it by `viewer`.
    if (kind.name === 'embedded') expect(attempt).toMatchObject({ ok: false, returnCode: 5 });
  });

  it("does not let the controller's login take a node's session either", async () => {
    const { kicked, attempt } = await takeover(node3, controller, 'node-3:agent');
    expect(kicked).toBe(false);
    if (kind.name === 'embedded') expect(attempt).toMatchObject({ ok: false, returnCode: 5 });
  });

  it('accepts the ids the agent and the controller use, and a viewer with its own', async () => {
    for (const [user, clientId] of [
      [controller, 'controller:ingest'],
      [node3, 'node-3:agent'],
      [viewer, 'viewer:cli'],
      [viewer, 'viewer'],
    ] as const) {
      const outcome = await tryConnect(broker.url, user, { clientId });
      expect(outcome.ok, `${user.username} as ${clientId}`).toBe(true);
      if (outcome.ok) await outcome.client.endAsync();
    }
  });
});
