import { describe, expect, it } from 'vitest';
import { VirtualScheduler } from '../../core/virtual-scheduler.ts';
import type { CommandResult } from '../../mqtt/messages.ts';
import type { UpgradeCampaignNode } from '../store/records.ts';
import {
  UpgradeCampaignCore,
  type CampaignOutput,
  type CampaignPlan,
  type NodeView,
} from './upgrade-campaign.ts';

const OLD = 'Intelli-Mesh 1.0.0';
const NEW = 'Intelli-Mesh 1.1.0';

/** How a simulated node behaves once it gets the upgrade command. */
type Behaviour = 'upgrades' | 'bricks' | { fails: string; code: string } | { slowMs: number };

/**
 * A fleet on virtual time around one campaign core, doing what the controller's service does
 * (arming the deadline, feeding results and presence back), with nodes that answer the command
 * as an agent does: steps, then offline for the reboot, then online with the new version.
 */
function fleet(names: string[], behaviour: Record<string, Behaviour> = {}) {
  const s = new VirtualScheduler(1_000_000);
  const views = new Map<string, NodeView>(
    names.map((n) => [n, { online: true, firmwareVersion: OLD }]),
  );
  const sent: { at: number; node: string }[] = [];
  const log: string[] = [];
  let core: UpgradeCampaignCore | undefined;
  let timer: { cancel(): void } | undefined;

  const feed = (outputs: CampaignOutput[]) => {
    for (const o of outputs) {
      if (o.type === 'send') {
        sent.push({ at: s.now(), node: o.node });
        behave(o.node, o.command.id);
      } else if (o.type === 'campaign')
        log.push(`campaign ${o.campaign.status} w${o.campaign.wave}`);
      else if (o.type === 'event') log.push(`event ${o.event.node}: ${o.event.reason}`);
    }
    timer?.cancel();
    const d = core?.nextDeadline();
    if (d !== undefined) timer = s.at(d, () => feed(core!.tick(s.now())));
  };
  const answer = (node: string, id: string, status: CommandResult['status'], code?: string) =>
    feed(
      core!.result(
        {
          id,
          node,
          at: s.now(),
          status,
          version: NEW,
          reason: code ? `${code} went wrong` : status,
          ...(code ? { code } : {}),
        },
        s.now(),
      ),
    );
  const presence = (node: string, view: NodeView) => {
    views.set(node, view);
    feed(core!.observe(node, view, s.now()));
  };
  function behave(node: string, id: string) {
    const b = behaviour[node] ?? 'upgrades';
    const slow = typeof b === 'object' && 'slowMs' in b ? b.slowMs : 0;
    s.after(100, () => answer(node, id, 'accepted'));
    s.after(200, () => answer(node, id, 'downloading'));
    if (typeof b === 'object' && 'fails' in b) {
      s.after(4_000, () => answer(node, id, 'failed', b.code));
      return;
    }
    s.after(4_000, () => answer(node, id, 'verified'));
    s.after(6_000, () => answer(node, id, 'installing'));
    s.after(6_100, () => answer(node, id, 'rebooting'));
    s.after(9_000, () => presence(node, { online: false, firmwareVersion: OLD }));
    if (b === 'bricks') return;
    s.after(55_000 + slow, () => presence(node, { online: true, firmwareVersion: NEW }));
  }

  const plan = (over: Partial<CampaignPlan> = {}): CampaignPlan => ({
    id: 'c1',
    image_url: 'http://fw.invalid/1.1.0.itb',
    sha256: 'a'.repeat(64),
    version: NEW,
    max_bytes: null,
    nodes: names,
    canary: 1,
    wave_size: 3,
    node_timeout_s: 120,
    max_failures: 0,
    requested_by: 'admin',
    ...over,
  });
  const start = (over: Partial<CampaignPlan> = {}) => {
    const started = UpgradeCampaignCore.start(plan(over), views, s.now());
    core = started.core;
    feed(started.outputs);
    return started.core;
  };
  const states = () =>
    Object.fromEntries(core!.nodes.map((n: UpgradeCampaignNode) => [n.node, n.state]));
  const t = (at: number) => (at - 1_000_000) / 1000;
  return {
    s,
    views,
    sent,
    log,
    start,
    states,
    presence,
    t,
    get core() {
      return core!;
    },
  };
}

const names = (n: number) => Array.from({ length: n }, (_, i) => `n${i}`);

describe('upgrade campaign in waves', () => {
  it('upgrades the canary, then each wave only after the previous one is back on the version', () => {
    const f = fleet(names(7));
    const c = f.start();
    expect(c.campaign).toMatchObject({ status: 'running', wave: 0, waves: 3 });
    expect(c.nodes.map((n) => n.wave)).toEqual([0, 1, 1, 1, 2, 2, 2]);
    f.s.runUntil(1_000_000 + 600_000);
    // Canary at 0 s; it is back at 55 s, wave 1 goes out then; wave 2 at 110 s.
    expect(f.sent.map((x) => `${f.t(x.at)}s ${x.node}`)).toEqual([
      '0s n0',
      '55s n1',
      '55s n2',
      '55s n3',
      '110s n4',
      '110s n5',
      '110s n6',
    ]);
    expect(c.campaign).toMatchObject({
      status: 'done',
      reason: `7 of 7 node(s) run ${NEW}`,
      finished_at: 1_000_000 + 165_000,
    });
    for (const n of c.nodes)
      expect(n).toMatchObject({ state: 'done', version: NEW, from_version: OLD, deadline: null });
    expect(f.log.filter((l) => l.startsWith('event controller'))).toEqual([
      expect.stringContaining('started by admin: 7 node(s) in 3 wave(s) (canary 1, waves of 3)'),
      'event controller: wave 1 of 2 starts: n1, n2, n3',
      'event controller: wave 2 of 2 starts: n4, n5, n6',
      `event controller: done: 7 of 7 node(s) run ${NEW}`,
    ]);
    expect(c.active).toBe(false);
  });

  it('follows each node through the steps it reports', () => {
    const f = fleet(names(3));
    const c = f.start();
    const canary = () => c.nodes.find((n) => n.node === 'n0')!;
    expect(canary()).toMatchObject({ state: 'upgrading', step: 'sent', deadline: 1_120_000 });
    f.s.runUntil(1_004_000);
    expect(canary()).toMatchObject({ step: 'verified' });
    f.s.runUntil(1_006_100);
    expect(canary()).toMatchObject({ step: 'rebooting' });
    f.s.runUntil(1_054_999);
    expect(canary().state).toBe('upgrading'); // offline while it reboots: no failure
    f.s.runUntil(1_055_000);
    expect(canary()).toMatchObject({ state: 'done', reason: `back online running ${NEW}` });
  });

  it('stops at a canary that refuses the image; every other node is left untouched', () => {
    const f = fleet(names(6), { n0: { fails: 'x', code: 'checksum' } });
    const c = f.start();
    f.s.runUntil(1_000_000 + 600_000);
    expect(f.sent.map((x) => x.node)).toEqual(['n0']);
    expect(f.states()).toEqual({
      n0: 'failed',
      n1: 'skipped',
      n2: 'skipped',
      n3: 'skipped',
      n4: 'skipped',
      n5: 'skipped',
    });
    expect(c.nodes[0]).toMatchObject({ code: 'checksum', reason: 'checksum went wrong' });
    expect(c.campaign).toMatchObject({
      status: 'stopped',
      wave: 0,
      reason: 'canary n0 failed: checksum went wrong; 5 node(s) left untouched',
    });
  });

  it('stops at the timeout when the canary never comes back (a bricked node)', () => {
    const f = fleet(names(4), { n0: 'bricks' });
    const c = f.start({ node_timeout_s: 300 });
    f.s.runUntil(1_000_000 + 299_999);
    expect(c.campaign.status).toBe('running');
    f.s.runUntil(1_000_000 + 300_000);
    expect(c.campaign).toMatchObject({
      status: 'stopped',
      finished_at: 1_300_000,
      reason: `canary n0 failed: did not come back running ${NEW} within 300 s (last step: rebooting); 3 node(s) left untouched`,
    });
    expect(c.nodes[0]).toMatchObject({ state: 'failed', code: 'timeout' });
    expect(f.sent.map((x) => x.node)).toEqual(['n0']);
    expect(c.active).toBe(false);
  });

  it('a canary failure stops the campaign whatever max_failures allows', () => {
    const f = fleet(names(4), { n0: { fails: 'x', code: 'image-test' } });
    const c = f.start({ max_failures: 5 });
    f.s.runUntil(1_000_000 + 600_000);
    expect(c.campaign.status).toBe('stopped');
    expect(f.sent).toHaveLength(1);
  });

  it('stops at the failing wave: its other nodes are followed to the end, later waves untouched', () => {
    const f = fleet(names(7), { n2: { fails: 'x', code: 'download' } });
    const c = f.start();
    f.s.runUntil(1_000_000 + 59_000);
    // n2 failed 4 s into wave 1: the campaign stops, n1 and n3 are still upgrading.
    expect(c.campaign).toMatchObject({ status: 'stopped', wave: 1 });
    expect(c.campaign.reason).toBe(
      'n2 failed: download went wrong (1 failure(s), 0 tolerated); 3 node(s) left untouched',
    );
    expect(f.states()).toMatchObject({ n1: 'upgrading', n3: 'upgrading', n4: 'skipped' });
    expect(c.active).toBe(true);
    f.s.runUntil(1_000_000 + 600_000);
    expect(f.states()).toEqual({
      n0: 'done',
      n1: 'done',
      n2: 'failed',
      n3: 'done',
      n4: 'skipped',
      n5: 'skipped',
      n6: 'skipped',
    });
    expect(f.sent.map((x) => x.node)).toEqual(['n0', 'n1', 'n2', 'n3']);
    expect(c.campaign.status).toBe('stopped');
    expect(c.active).toBe(false);
  });

  it('tolerates max_failures failures after the canary and says so at the end', () => {
    const f = fleet(names(7), { n5: 'bricks' });
    const c = f.start({ max_failures: 1 });
    f.s.runUntil(1_000_000 + 900_000);
    expect(c.campaign).toMatchObject({
      status: 'done',
      reason: `6 of 7 node(s) run ${NEW}; 1 failed`,
    });
    expect(f.states().n5).toBe('failed');
  });

  it('waits for a slow node of a wave before starting the next', () => {
    const f = fleet(names(4), { n2: { slowMs: 40_000 } });
    f.start({ wave_size: 2 });
    f.s.runUntil(1_000_000 + 600_000);
    expect(f.sent.map((x) => `${f.t(x.at)}s ${x.node}`)).toEqual([
      '0s n0',
      '55s n1',
      '55s n2',
      '150s n3',
    ]);
  });

  it('cancels: nodes not started are skipped, a node mid-upgrade is followed, nothing more is sent', () => {
    const f = fleet(names(5));
    const c = f.start({ wave_size: 2 });
    f.s.runUntil(1_000_000 + 60_000); // wave 1 (n1, n2) under way
    const out = c.cancel('ops', f.s.now());
    expect(out.filter((o) => o.type === 'send')).toEqual([]);
    expect(c.campaign).toMatchObject({
      status: 'cancelled',
      reason: 'cancelled by ops; 2 node(s) left untouched',
    });
    expect(f.states()).toMatchObject({ n1: 'upgrading', n3: 'skipped', n4: 'skipped' });
    f.s.runUntil(1_000_000 + 600_000);
    expect(f.states()).toMatchObject({ n1: 'done', n2: 'done', n3: 'skipped' });
    expect(f.sent).toHaveLength(3);
    expect(c.cancel('ops', f.s.now())).toEqual([]);
  });

  it('fails a node that is offline when its wave starts', () => {
    const f = fleet(names(3));
    f.views.set('n1', { online: false, firmwareVersion: OLD });
    const c = f.start();
    f.s.runUntil(1_000_000 + 600_000);
    expect(c.nodes[1]).toMatchObject({ state: 'failed', code: 'offline' });
    expect(c.campaign.status).toBe('stopped');
    expect(f.sent.map((x) => x.node)).toEqual(['n0']);
  });

  it('counts a node already running the version as done without sending it anything', () => {
    const f = fleet(names(3));
    f.views.set('n0', { online: true, firmwareVersion: NEW });
    const c = f.start();
    expect(c.nodes[0]).toMatchObject({ state: 'done', reason: `already running ${NEW}` });
    // Wave 1 starts at once.
    expect(f.sent.map((x) => `${f.t(x.at)}s ${x.node}`)).toEqual(['0s n1', '0s n2']);
  });

  it('ignores results of other commands and late answers of finished nodes', () => {
    const f = fleet(names(2), { n0: 'bricks' });
    const c = f.start({ node_timeout_s: 60 });
    const other = { id: 'upgrade:c0', node: 'n0', at: 0, status: 'done', version: NEW, reason: '' };
    expect(c.result(other as CommandResult, f.s.now())).toEqual([]);
    f.s.runUntil(1_000_000 + 61_000);
    expect(c.nodes[0]!.state).toBe('failed');
    const late = { ...other, id: c.commandId };
    expect(c.result(late as CommandResult, f.s.now())).toEqual([]);
    f.presence('n0', { online: true, firmwareVersion: NEW });
    expect(c.nodes[0]!.state).toBe('failed');
  });

  it('continues from stored rows after a controller restart, deadlines included', () => {
    const f = fleet(names(3), { n0: 'bricks' });
    const c = f.start({ node_timeout_s: 100 });
    f.s.runUntil(1_000_000 + 30_000);
    const restored = UpgradeCampaignCore.restore(c.campaign, c.nodes, f.views);
    expect(restored.nextDeadline()).toBe(1_100_000);
    expect(restored.tick(1_099_999)).toEqual([]);
    const out = restored.tick(1_100_000);
    expect(out).toContainEqual(
      expect.objectContaining({
        type: 'campaign',
        campaign: expect.objectContaining({ status: 'stopped' }),
      }),
    );
    expect(restored.nodes.map((n) => n.state)).toEqual(['failed', 'skipped', 'skipped']);
  });
});
