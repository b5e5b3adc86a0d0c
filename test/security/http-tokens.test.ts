/**
 * Issue 12, finding 5: `?token=` worked on every REST route (tokens in URLs end up in logs,
 * history and Referer headers), and a foreign Origin could open the live WebSocket. Now tokens
 * are accepted only in the Authorization header; browsers open the WebSocket with a short-lived
 * single-use ticket; the WebSocket checks Origin. All over real sockets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHttpController, type HttpController } from './http-controller.ts';

/** Opens a WebSocket; resolves with the first message, or the HTTP status it was refused with. */
function openLive(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; hello?: { type: string }; ws?: WebSocket }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.once('message', (data) =>
      resolve({ status: 101, hello: JSON.parse(String(data)) as { type: string }, ws }),
    );
    ws.once('error', reject);
  });
}

describe('tokens in headers only; live feed by ticket, same origin', () => {
  let ctl: HttpController;
  let token: string;
  let wsUrl: string;
  const ticket = async () => {
    const r = await ctl.request('/api/live/ticket', { method: 'POST', token });
    expect(r.status).toBe(200);
    return ((await r.json()) as { ticket: string }).ticket;
  };

  beforeAll(async () => {
    ctl = await startHttpController({ allowedOrigins: ['https://mesh.example.org'] });
    token = await ctl.login('admin', 'admin-pw-1');
    wsUrl = ctl.url.replace('http', 'ws') + '/api/live';
  });
  afterAll(() => ctl.close());

  it('refuses ?token= on REST routes and accepts the Authorization header', async () => {
    for (const path of ['/api/overview', '/api/nodes', '/api/events', '/api/me', '/metrics']) {
      const viaQuery = await ctl.request(`${path}?token=${token}`);
      expect(viaQuery.status, `${path}?token=`).toBe(401);
      const viaHeader = await ctl.request(path, { token });
      expect(viaHeader.status, `${path} with header`).toBe(200);
    }
  });

  it('refuses ?token= on the WebSocket too', async () => {
    expect((await openLive(`${wsUrl}?token=${token}`)).status).toBe(401);
  });

  it('opens the live feed with a ticket, once; a used or expired ticket is refused', async () => {
    const t = await ticket();
    const first = await openLive(`${wsUrl}?ticket=${t}`);
    expect(first.status).toBe(101);
    expect(first.hello?.type).toBe('hello');
    first.ws!.close();
    expect((await openLive(`${wsUrl}?ticket=${t}`)).status).toBe(401);

    const late = await ticket();
    ctl.scheduler.advance(31_000);
    expect((await openLive(`${wsUrl}?ticket=${late}`)).status).toBe(401);
  });

  it('issues tickets only to a logged-in user', async () => {
    const r = await ctl.request('/api/live/ticket', { method: 'POST' });
    expect(r.status).toBe(401);
  });

  it('refuses a foreign Origin, accepts its own and the allowed one', async () => {
    const foreign = await openLive(`${wsUrl}?ticket=${await ticket()}`, {
      origin: 'https://evil.example',
    });
    expect(foreign.status).toBe(403);
    const own = await openLive(`${wsUrl}?ticket=${await ticket()}`, { origin: ctl.url });
    expect(own.status).toBe(101);
    own.ws!.close();
    const allowed = await openLive(`${wsUrl}?ticket=${await ticket()}`, {
      origin: 'https://mesh.example.org',
    });
    expect(allowed.status).toBe(101);
    allowed.ws!.close();
  });

  it('lets non-browser clients use the Authorization header on the WebSocket', async () => {
    const r = await openLive(wsUrl, { authorization: `Bearer ${token}` });
    expect(r.status).toBe(101);
    r.ws!.close();
  });
});
