import { describe, expect, it } from 'vitest';
import type { AlertTransition, LiveChange } from '../ingest.ts';
import { ClusterDuties } from './cluster-duties.ts';

function setup(isLeader: boolean) {
  const published: { changes: readonly LiveChange[]; alerts: readonly AlertTransition[] }[] = [];
  const shown: LiveChange[] = [];
  const local: LiveChange[] = [];
  const any: LiveChange[] = [];
  const notified: AlertTransition[] = [];
  const cluster = {
    isLeader,
    publish: (changes: readonly LiveChange[], alerts: readonly AlertTransition[] = []) => {
      published.push({ changes, alerts });
      return Promise.resolve();
    },
  };
  const duties = new ClusterDuties({
    cluster,
    broadcast: (c) => shown.push(...c),
    onLocalChanges: (c) => local.push(...c),
    onAnyChanges: (c) => any.push(...c),
    notify: (t) => notified.push(t),
  });
  return { duties, cluster, published, shown, local, any, notified };
}

const result: LiveChange = {
  type: 'upgrade-result',
  result: { id: 'c1', node: 'n1', ok: true } as never,
};
const node: LiveChange = { type: 'node', node: 'n1' };
const alert = { op: 'opened', alert: { key: 'k' }, related: [] } as unknown as AlertTransition;

describe('ClusterDuties', () => {
  it('a follower shows its commits, tells the others, and leaves notifications to the leader', () => {
    const f = setup(false);
    f.duties.committed([node, result]);
    f.duties.alert(alert);
    expect(f.shown).toEqual([node]);
    expect(f.local).toEqual([node, result]);
    expect(f.any).toEqual([node, result]);
    expect(f.notified).toEqual([]);
    expect(f.published).toEqual([
      { changes: [node, result], alerts: [] },
      { changes: [], alerts: [alert] },
    ]);
  });

  it('the leader notifies its own and the others’ alerts; remote commits confirm no push here', () => {
    const l = setup(true);
    l.duties.remote({ changes: [node, result], alerts: [alert] });
    expect(l.shown).toEqual([node]);
    expect(l.any).toEqual([node, result]);
    expect(l.local).toEqual([]);
    expect(l.notified).toEqual([alert]);
    expect(l.published).toEqual([]); // a remote notice is not sent back
    l.duties.alert(alert);
    expect(l.notified).toEqual([alert, alert]);
  });

  it('a follower shows the others’ commits but does not notify their alerts', () => {
    const f = setup(false);
    f.duties.remote({ changes: [node], alerts: [alert] });
    expect(f.shown).toEqual([node]);
    expect(f.notified).toEqual([]);
  });

  it('changes made outside ingest are shown here and sent to the others, nothing more', () => {
    const f = setup(false);
    f.duties.shown([node]);
    expect(f.shown).toEqual([node]);
    expect(f.local).toEqual([]);
    expect(f.published).toEqual([{ changes: [node], alerts: [] }]);
  });
});
