import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VirtualScheduler } from '../../core/virtual-scheduler.ts';
import type { NodeState } from '../../mqtt/messages.ts';
import { nodeTopic } from '../../mqtt/topics.ts';
import { Ingest } from '../ingest.ts';
import { ControllerStore } from '../store/controller-store.ts';
import type { StoredEvent } from '../store/records.ts';
import { userEvent } from './controller-events.ts';

const enc = (o: unknown) => Buffer.from(JSON.stringify(o));

async function setup() {
  const store = await ControllerStore.open(join(mkdtempSync(join(tmpdir(), 'im-tl-')), 'c.db'));
  const scheduler = new VirtualScheduler(1_000_000);
  const ingest = new Ingest({ store, scheduler });
  const announced: StoredEvent[] = [];
  store.events.onRecorded((e) => announced.push(e));
  const send = async (node: string, channel: 'status' | 'state', msg: object) =>
    await ingest.accept(nodeTopic('lab', node, channel), enc({ node, ...msg }));
  const kinds = async (node: string) =>
    (await store.events.query({ node, source: 'controller', kinds: ['node-*'] }))
      .map((e) => e.kind)
      .reverse();
  return { store, scheduler, send, kinds, announced };
}

const state = (uptime_s: number, at: number): Omit<NodeState, 'node'> => ({
  at,
  uptime_s,
  role: 'mesh',
  wans: [],
  gateway: { announcing: false, bandwidth_down_kbit: 0, bandwidth_up_kbit: 0, selected: null },
  neighbours: [],
});

describe('NodeTimeline', () => {
  it('records down and up on presence changes only, and a reboot when the boot id changes', async () => {
    const { send, kinds, scheduler, store, announced } = await setup();
    await send('n1', 'status', { online: true, at: 1, boot_id: 'b1' });
    await send('n1', 'status', { online: true, at: 2, boot_id: 'b1' }); // a reconnect: nothing new
    scheduler.advance(5_000);
    await send('n1', 'status', { online: false, at: 3 });
    await send('n1', 'status', { online: false, at: 3 }); // a repeated will: nothing new
    scheduler.advance(7_000);
    await send('n1', 'status', { online: true, at: 4, boot_id: 'b2' });
    expect(await kinds('n1')).toEqual(['node-up', 'node-down', 'node-up', 'node-reboot']);
    const [reboot, up, down] = await store.events.query({ node: 'n1', kinds: ['node-*'] });
    expect(reboot).toMatchObject({ from: 'b1', to: 'b2', source: 'controller' });
    expect(up!.reason).toBe('broker session back after 7 s offline');
    expect(down!.reason).toMatch(/last heard 5 s before/);
    // Each was announced once, after its commit (the offline alert's changes with them).
    expect(announced.map((e) => e.kind)).toEqual([
      'node-up',
      'node-down',
      'alert-open',
      'node-up',
      'node-reboot',
      'alert-close',
    ]);
  });

  it('without boot ids, an uptime that goes back is a reboot; one that grows is not', async () => {
    const { send, kinds, store } = await setup();
    await send('n2', 'state', state(100, 1));
    await send('n2', 'state', state(130, 2));
    await send('n2', 'state', state(4, 3));
    expect(await kinds('n2')).toEqual(['node-reboot']);
    expect((await store.events.query({ node: 'n2' }))[0]!.reason).toBe(
      'uptime went back from 130 s to 4 s: the node restarted',
    );
  });

  it('a node that sends boot ids is not judged by its uptime (an agent restart is not a reboot of it)', async () => {
    const { send, kinds } = await setup();
    await send('n3', 'status', { online: true, at: 1, boot_id: 'b1' });
    await send('n3', 'state', state(100, 1));
    await send('n3', 'state', state(2, 2));
    expect(await kinds('n3')).toEqual(['node-up']);
  });
});

describe('alert and push changes on the timeline', () => {
  it('records open, ack and close of an alert, whoever makes them, and each push status once', async () => {
    const { store } = await setup();
    const id = await store.alerts.open(
      {
        key: 'k1',
        node: 'n4',
        kind: 'link-degraded',
        subject: 'n4-n5',
        severity: 'warning',
        message: 'TQ 40',
      },
      10,
    );
    await store.alerts.acknowledge(id!, 'ops', 11);
    await store.alerts.acknowledge(id!, 'ops', 12); // already acknowledged: no second event
    await store.alerts.close('k1', 13);
    await store.alerts.close('k1', 14); // nothing open: no event
    const alertEvents = (await store.events.query({ node: 'n4', kinds: ['alert-*'] })).reverse();
    expect(alertEvents.map((e) => [e.kind, e.at])).toEqual([
      ['alert-open', 10],
      ['alert-ack', 11],
      ['alert-close', 13],
    ]);
    expect(alertEvents[1]!.reason).toBe(
      `warning alert link-degraded (#${id}) acknowledged by ops: TQ 40`,
    );

    await store.pushes.create(
      { id: 'p1', node: 'n4', version: 'v2', requested_by: 'admin', config: {} },
      20,
    );
    await store.pushes.update('p1', 'accepted', 'validated', 21);
    await store.pushes.update('p1', 'accepted', 'validated', 22); // same status: no event
    await store.pushes.update('p1', 'rolled-back', 'no confirmation within 60 s; v1 restored', 23);
    const pushEvents = (await store.events.query({ node: 'n4', kinds: ['push-*'] })).reverse();
    expect(pushEvents.map((e) => `${e.kind} ${e.from}->${e.to}: ${e.reason}`)).toEqual([
      'push-requested null->requested: version v2 requested by admin',
      'push-accepted requested->accepted: version v2: validated',
      'push-rolled-back accepted->rolled-back: version v2: no confirmation within 60 s; v1 restored',
    ]);
    // Kinds filter: exact kinds and families together.
    expect(
      (await store.events.query({ node: 'n4', kinds: ['alert-ack', 'push-r*'] })).map(
        (e) => e.kind,
      ),
    ).toEqual(['push-rolled-back', 'push-requested', 'alert-ack']);
  });

  it('an event recorded in a transaction that rolls back is never announced', async () => {
    const { store, announced } = await setup();
    await expect(
      store.transaction(async (tx) => {
        await tx.alerts.open(
          { key: 'k2', node: 'n6', kind: 'x', subject: 's', severity: 'info', message: 'm' },
          1,
        );
        throw new Error('store failure');
      }),
    ).rejects.toThrow('store failure');
    expect(announced).toEqual([]);
    expect(await store.events.query({ node: 'n6' })).toEqual([]);
  });
});

describe('other controller facts', () => {
  it('a user change is one builder call away from the timeline, under the controller', async () => {
    const { store, announced } = await setup();
    await store.events.record(userEvent('role-changed', 'ops', 'admin', 50, 'viewer', 'admin'));
    expect(await store.events.query({ node: 'controller', kinds: ['user-*'] })).toEqual([
      expect.objectContaining({
        kind: 'user-role-changed',
        subject: 'ops',
        from: 'viewer',
        to: 'admin',
        reason: 'user ops role changed by admin',
        source: 'controller',
      }),
    ]);
    expect(announced.map((e) => e.kind)).toEqual(['user-role-changed']);
  });
});
