/**
 * Issue 12, finding 3 (the ACL part): a node could publish, retained, under any site with its
 * own node name. A node now belongs to one site: the `site` of its credentials, or, for entries
 * written before sites were recorded, the broker's own site (`intelli-mesh controller --site`).
 */
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeTopic } from '../../src/mqtt/topics.ts';
import {
  brokerKinds,
  connected,
  publishOutcome,
  recorder,
  type RunningBroker,
  type TestUser,
} from './mqtt-brokers.ts';

const controller: TestUser = { username: 'controller', password: 'c-pw', role: 'controller' };
/** Recorded with its site, as `config render` and `mqtt-user --site` now write it. */
const node3: TestUser = { username: 'node-3', password: 'n3-pw', role: 'node', site: 'lab' };
/** An entry from before sites: it belongs to the broker's site, 'lab'. */
const legacy: TestUser = { username: 'node-4', password: 'n4-pw', role: 'node' };
/** A node of another site on the same broker. */
const hqNode: TestUser = { username: 'node-9', password: 'n9-pw', role: 'node', site: 'hq' };

describe.each(brokerKinds)('a node publishes only under its own site: $name', (kind) => {
  let broker: RunningBroker;
  const open: MqttClient[] = [];
  const client = async (user: TestUser) => {
    const c = await connected(broker.url, user);
    open.push(c);
    return c;
  };

  beforeAll(async () => {
    broker = await kind.start([controller, node3, legacy, hqNode], { site: 'lab' });
  });
  afterAll(async () => {
    await Promise.all(open.map((c) => c.endAsync(true)));
    await broker.close();
  });

  it('drops what a node publishes under another site, retained or not', async () => {
    const ctl = await client(controller);
    const rec = recorder(ctl);
    await ctl.subscribeAsync('intelli-mesh/#', { qos: 1 });
    for (const [user, foreign] of [
      [node3, 'hq'],
      [legacy, 'hq'],
      [hqNode, 'lab'],
    ] as const) {
      const c = await client(user);
      await publishOutcome(
        c,
        nodeTopic(foreign, user.username, 'state'),
        `forged-${user.username}`,
        {
          retain: true,
        },
      );
    }
    // Later messages on the right sites arrive after anything the broker let through.
    for (const [user, own] of [
      [node3, 'lab'],
      [legacy, 'lab'],
      [hqNode, 'hq'],
    ] as const) {
      const c = await client(user);
      await c.publishAsync(nodeTopic(own, user.username, 'events'), `own-${user.username}`, {
        qos: 1,
      });
      await rec.until(nodeTopic(own, user.username, 'events'), `own-${user.username}`);
    }
    expect(rec.seen.map((m) => m.payload).filter((p) => p.startsWith('forged'))).toEqual([]);
    // Nothing forged was kept as retained either: a fresh subscriber gets the legitimate retained
    // state of each site (published after the forgeries) and none of the forged.
    const n3 = await client(node3);
    const n9 = await client(hqNode);
    await n3.publishAsync(nodeTopic('lab', 'node-3', 'config'), 'real-lab', {
      qos: 1,
      retain: true,
    });
    await n9.publishAsync(nodeTopic('hq', 'node-9', 'config'), 'real-hq', { qos: 1, retain: true });
    const late = await client(controller);
    const lateRec = recorder(late);
    await late.subscribeAsync('intelli-mesh/hq/#', { qos: 1 });
    await lateRec.until(nodeTopic('hq', 'node-9', 'config'), 'real-hq');
    await late.subscribeAsync('intelli-mesh/lab/#', { qos: 1 });
    await lateRec.until(nodeTopic('lab', 'node-3', 'config'), 'real-lab');
    expect(lateRec.seen.filter((m) => m.payload.startsWith('forged'))).toEqual([]);
  });

  it("delivers a node's commands only on its own site", async () => {
    const node = await client(node3);
    const rec = recorder(node);
    // Aedes refuses the foreign filter in SUBACK; Mosquitto grants it but never delivers on it.
    await node.subscribeAsync(nodeTopic('hq', 'node-3', 'command'), { qos: 1 }).catch(() => {});
    await node.subscribeAsync(nodeTopic('lab', 'node-3', 'command'), { qos: 1 });
    const ctl = await client(controller);
    await ctl.publishAsync(nodeTopic('hq', 'node-3', 'command'), 'for-hq', { qos: 1 });
    await ctl.publishAsync(nodeTopic('lab', 'node-3', 'command'), 'for-lab', { qos: 1 });
    await rec.until(nodeTopic('lab', 'node-3', 'command'), 'for-lab');
    expect(rec.seen.map((m) => m.payload)).toEqual(['for-lab']);
  });
});
