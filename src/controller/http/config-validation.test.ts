/**
 * The controller refuses (422) what the node would refuse, with every issue and its path, using
 * the node's own validator by default: no validator is wired here, as in `intelli-mesh
 * controller` and the demo.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiApp, type ApiApp } from '../../../test/controller/api-app.ts';
import { defaultRuntimeConfig } from '../../demo/node-runtime-config.ts';
import type { Command, NodeState } from '../../mqtt/messages.ts';
import { nodeTopic } from '../../mqtt/topics.ts';
import type { Ingest } from '../ingest.ts';

const enc = (o: unknown) => Buffer.from(JSON.stringify(o));

let api: ApiApp;
let app: FastifyInstance;
let ingest: Ingest;
let sent: { node: string; command: Command }[];
let token: string;

function gatewayState(node: string): NodeState {
  return {
    node,
    at: 1,
    uptime_s: 5,
    role: 'gateway',
    wans: [
      { name: 'wan', kind: 'ethernet', state: 'up', active: true },
      { name: 'lte', kind: 'modem', state: 'up', active: false },
    ],
    gateway: { announcing: true, bandwidth_down_kbit: 1, bandwidth_up_kbit: 1, selected: null },
    neighbours: [],
  };
}

beforeEach(async () => {
  api = await apiApp();
  ({ app, ingest, sent } = api);
  token = await api.login('admin', 'admin-pw');
});

afterEach(async () => {
  await api.close();
});

const post = (url: string, payload: object) =>
  app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` }, payload });

describe('config validation in the controller', () => {
  it('refuses an agent config the node would refuse, every issue with its path', async () => {
    await ingest.accept(nodeTopic('lab', 'node-1', 'state'), enc(gatewayState('node-1')));
    const config = { node: 'node-2', wans: 'nope' };
    const checked = await post('/api/config/validate', { node: 'node-1', config });
    expect(checked.statusCode).toBe(422);
    const body = checked.json();
    expect(body.ok).toBe(false);
    expect(body.errors).toEqual(
      expect.arrayContaining([
        { path: 'node', message: "this node is 'node-1'; a push cannot rename it" },
        { path: 'wans', message: 'expected an array' },
        { path: 'lanDevices', message: 'required' },
      ]),
    );
    expect(body.issues).toContain('wans: expected an array');
    const pushed = await post('/api/config/push', { node: 'node-1', version: 'v2', config });
    expect(pushed.statusCode).toBe(422);
    expect(pushed.json().errors).toEqual(body.errors);
    expect(sent).toEqual([]);
  });

  it("refuses a demo node's runtime config with weight 'abc', down -5, intervalMs 0, an unknown WAN and vlans", async () => {
    await ingest.accept(nodeTopic('lab', 'n1', 'state'), enc(gatewayState('n1')));
    const running = defaultRuntimeConfig([
      { name: 'wan', kind: 'ethernet' },
      { name: 'lte', kind: 'modem' },
    ] as never);
    await ingest.accept(
      nodeTopic('lab', 'n1', 'config'),
      enc({ node: 'n1', at: 2, version: 'default-1', config: running }),
    );
    const bad = structuredClone(running) as unknown as {
      policy: { members: Record<string, unknown>[] };
      trackers: Record<string, Record<string, unknown>>;
      vlans?: unknown;
    };
    bad.policy.members[0]!.weight = 'abc';
    bad.policy.members[1]!.wan = 'dsl';
    bad.trackers.wan!.down = -5;
    bad.trackers.lte!.intervalMs = 0;
    bad.vlans = [{ id: 10 }];
    const checked = await post('/api/config/validate', { node: 'n1', config: bad });
    expect(checked.statusCode).toBe(422);
    const paths = (checked.json().errors as { path: string; message: string }[]).map(
      (e) => `${e.path}: ${e.message}`,
    );
    expect(paths).toEqual(
      expect.arrayContaining([
        'vlans: unknown key',
        'policy.members[0].weight: expected a number',
        "policy.members[1].wan: this node has no WAN 'dsl' (it has wan, lte)",
        'trackers.wan.down: must be greater than 0',
        'trackers.lte.intervalMs: must be greater than 0',
      ]),
    );
    expect(
      (await post('/api/config/push', { node: 'n1', version: 'v2', config: bad })).statusCode,
    ).toBe(422);
    expect(sent).toEqual([]);

    const good = structuredClone(running);
    good.holdDownMs = 5_000;
    const ok = await post('/api/config/validate', { node: 'n1', config: good });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ ok: true, errors: [], diff: [{ path: 'holdDownMs' }] });
    expect(
      (await post('/api/config/push', { node: 'n1', version: 'v2', config: good })).statusCode,
    ).toBe(202);
    expect(sent).toHaveLength(1);
  });

  it('flags a misspelled key with the key it probably meant', async () => {
    await ingest.accept(nodeTopic('lab', 'n1', 'state'), enc(gatewayState('n1')));
    const running = defaultRuntimeConfig([{ name: 'wan', kind: 'ethernet' }] as never);
    const { holdDownMs, ...rest } = running;
    const checked = await post('/api/config/validate', {
      node: 'n1',
      config: {
        ...rest,
        holdDownMS: holdDownMs,
        trackers: { wan: running.trackers.wan, lte: running.trackers.wan },
      },
    });
    expect(checked.json().errors).toEqual(
      expect.arrayContaining([
        { path: 'holdDownMS', message: "unknown key (did you mean 'holdDownMs'?)" },
        { path: 'holdDownMs', message: 'required' },
      ]),
    );
  });
});
