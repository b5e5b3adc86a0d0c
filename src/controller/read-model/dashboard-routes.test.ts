import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiApp, type ApiApp } from '../../../test/controller/api-app.ts';
import { VirtualScheduler } from '../../core/virtual-scheduler.ts';
import { nodeTopic } from '../../mqtt/topics.ts';
import { LiveHub } from '../http/live-hub.ts';

const enc = (o: unknown) => Buffer.from(JSON.stringify(o));
const state = (node: string, at: number, neighbours: [string, number][]) => ({
  node,
  at,
  uptime_s: 10,
  role: 'mesh',
  wans: [],
  gateway: { announcing: false, bandwidth_down_kbit: 0, bandwidth_up_kbit: 0, selected: null },
  neighbours: neighbours.map(([n, tq]) => ({ node: n, tq, last_seen_ms: 100 })),
});

let api: ApiApp | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await api?.close();
  api = undefined;
});

async function cachedApi() {
  const live = new LiveHub();
  const scheduler = new VirtualScheduler(1_700_000_000_000);
  api = await apiApp({ live, readIntervalMs: 1000, scheduler });
  api.ingest.on('change', (c) => live.broadcast(c));
  const token = await api.login('watcher', 'viewer-pw');
  const get = (url: string, headers: Record<string, string> = {}) =>
    api!.app.inject({ url, headers: { authorization: `Bearer ${token}`, ...headers } });
  const send = async (node: string, body: unknown) => {
    await api!.ingest.accept(nodeTopic('lab', node, 'state'), enc(body));
    api!.ingest.flush();
  };
  return { api, get, send, scheduler };
}

describe('GET /api/overview and /api/topology from the read model', () => {
  it('answers 304 to a matching If-None-Match, and 200 with a new ETag once the mesh changed', async () => {
    const { api, get, send, scheduler } = await cachedApi();
    await send('a', state('a', api.scheduler.now(), [['b', 200]]));
    await send('b', state('b', api.scheduler.now(), [['a', 150]]));
    const first = await get('/api/topology');
    expect(first.statusCode).toBe(200);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(Number(first.headers['x-generated-at'])).toBe(api.scheduler.now());
    expect(first.json().links).toHaveLength(1);

    const again = await get('/api/topology', { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    // A proxy that weakened the tag, or a list of tags, still matches.
    expect((await get('/api/topology', { 'if-none-match': `"x", W/${etag}` })).statusCode).toBe(
      304,
    );
    expect((await get('/api/topology', { 'if-none-match': '"other"' })).statusCode).toBe(200);

    expect(again.headers['x-refresh-after-ms']).toBe('0');

    await send('b', state('b', api.scheduler.now(), [['a', 100]]));
    scheduler.advance(300);
    // Inside the interval the snapshot misses the change and says when to ask again, also on
    // a 304 (a browser keeps the stored headers that a 304 leaves out).
    const held = await get('/api/topology', { 'if-none-match': etag });
    expect(held.statusCode).toBe(304);
    expect(held.headers['x-refresh-after-ms']).toBe('700');
    const overview = await get('/api/overview');
    expect(overview.headers['x-refresh-after-ms']).toBe('700');
    expect(overview.json().generated_at).toBe(Number(first.headers['x-generated-at']));
    scheduler.advance(700);
    const changed = await get('/api/topology', { 'if-none-match': etag });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers['x-refresh-after-ms']).toBe('0');
    expect(changed.headers.etag).not.toBe(etag);
    expect(changed.json().links[0].properties).toMatchObject({ tq: 100 });
  });

  it('reads the store once per change and interval, not once per request', async () => {
    const { api, get, send, scheduler } = await cachedApi();
    await send('a', state('a', api.scheduler.now(), []));
    const list = vi.spyOn(api.store.nodes, 'list');
    const alerts = vi.spyOn(api.store.alerts, 'listOpen');
    const queries = () => list.mock.calls.length + alerts.mock.calls.length;

    await get('/api/overview');
    await get('/api/topology');
    expect(queries()).toBe(2); // one node read for both pages, one alert read
    for (let i = 0; i < 20; i++) {
      scheduler.advance(100);
      expect((await get('/api/overview')).json().nodes_total).toBe(1);
      expect((await get('/api/topology')).statusCode).toBe(200);
    }
    expect(queries()).toBe(2); // 2 s of refreshing and nothing changed: no further reads

    await send('b', state('b', api.scheduler.now(), []));
    for (let i = 0; i < 10; i++) {
      scheduler.advance(100);
      await get('/api/overview');
      await get('/api/topology');
    }
    expect(queries()).toBe(4);
    const overview = (await get('/api/overview')).json();
    expect(overview).toMatchObject({ site: 'lab', nodes_total: 2, mqtt_connected: true });
    expect(overview.generated_at).toBeLessThanOrEqual(api.scheduler.now());
  });
});
