/**
 * Issue 12, finding 5: a 600 KB deeply nested JSON body gave 500 with nothing logged; a 900 KB
 * push was accepted and stayed "requested" for ever (no node can receive it); a state with `at`
 * far in the future froze the node's state. Now: 400 naming the depth, 413 naming the limit,
 * and ingest refuses timestamps beyond the clock-skew bound (recorded in /api/rejected).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../../src/controller/http/json-body.ts';
import { MAX_CLOCK_SKEW_MS } from '../../src/controller/timestamp-skew.ts';
import type { NodeState } from '../../src/mqtt/messages.ts';
import { nodeTopic } from '../../src/mqtt/topics.ts';
import { startHttpController, type HttpController } from './http-controller.ts';

function state(node: string, at: number, uptime: number): NodeState {
  return {
    node,
    at,
    uptime_s: uptime,
    role: 'mesh',
    wans: [],
    gateway: { announcing: false, bandwidth_down_kbit: 0, bandwidth_up_kbit: 0, selected: null },
    neighbours: [],
  };
}

describe('request bodies and timestamps', () => {
  let ctl: HttpController;
  let token: string;
  const publish = async (node: string, s: NodeState) =>
    await ctl.ingest.acceptBatch([
      { topic: nodeTopic('lab', node, 'state'), payload: Buffer.from(JSON.stringify(s)) },
    ]);

  beforeAll(async () => {
    ctl = await startHttpController();
    token = await ctl.login('admin', 'admin-pw-1');
  });
  afterAll(() => ctl.close());

  it('answers a 600 KB deeply nested body with 400 and says why', async () => {
    const depth = 300_000;
    const body = '['.repeat(depth) + ']'.repeat(depth);
    for (const path of ['/api/config/push', '/api/config/validate', '/api/login']) {
      const r = await ctl.request(path, {
        method: 'POST',
        token,
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(r.status, path).toBe(400);
      expect(((await r.json()) as { error: string }).error).toBe(
        `JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`,
      );
    }
    // A deep object inside a configuration is refused the same way, before any parsing.
    const deepConfig = `{"node":"n1","version":"v","config":${'{"a":'.repeat(100)}1${'}'.repeat(100)}}`;
    const r = await ctl.request('/api/config/push', {
      method: 'POST',
      token,
      headers: { 'content-type': 'application/json' },
      body: deepConfig,
    });
    expect(r.status).toBe(400);
  });

  it('answers malformed JSON with 400 and where it broke', async () => {
    const r = await ctl.request('/api/config/validate', {
      method: 'POST',
      token,
      headers: { 'content-type': 'application/json' },
      body: '{"node": "n1", "config": {',
    });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error).toMatch(/^body is not valid JSON: /);
  });

  it("refuses a 900 KB push with 413 instead of leaving it 'requested' for ever", async () => {
    await publish('n1', state('n1', ctl.scheduler.now(), 1));
    const big = { blob: 'x'.repeat(900 * 1024) };
    const r = await ctl.request('/api/config/push', {
      method: 'POST',
      token,
      json: { node: 'n1', version: 'big', config: big },
    });
    expect(r.status).toBe(413);
    expect(((await r.json()) as { error: string }).error).toMatch(
      /^configuration of \d+ bytes is larger than the \d+ bytes a node accepts in one push$/,
    );
    expect(ctl.sent).toHaveLength(0);
    expect(await ctl.store.pushes.list('n1')).toHaveLength(0);
    // A configuration of ordinary size still goes out.
    const ok = await ctl.request('/api/config/push', {
      method: 'POST',
      token,
      json: { node: 'n1', version: 'small', config: { blob: 'x'.repeat(100 * 1024) } },
    });
    expect(ok.status).toBe(202);
    expect(ctl.sent).toHaveLength(1);
  });

  it('refuses a state from far in the future, so later states still apply', async () => {
    const now = ctl.scheduler.now();
    await publish('n2', state('n2', now, 10));
    await publish('n2', state('n2', now + 365 * 86_400_000, 20));
    await publish('n2', state('n2', now + 1000, 30));
    const node = (await ctl.store.nodes.get('n2'))!;
    expect(node.state?.uptime_s).toBe(30);
    const refused = await ctl.store.rejected();
    expect(
      refused.some((r) => /at is 31536000 s ahead of the controller's clock/.test(r.error)),
    ).toBe(true);
    // Within the skew bound a node's clock may run ahead.
    await publish('n2', state('n2', now + MAX_CLOCK_SKEW_MS - 1000, 40));
    expect((await ctl.store.nodes.get('n2'))!.state?.uptime_s).toBe(40);
  });
});
