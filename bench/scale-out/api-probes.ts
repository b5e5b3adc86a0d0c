/**
 * What the scale bench measures through the controller's API, as a dashboard user would see it:
 *
 * - ingest lag: each node event carries its publish time (`at`, the generator's wall clock on
 *   this same machine); the controller announces an event on the live feed (`/api/live`) only
 *   once its batch is committed, so arrival minus `at` is publish → stored and visible;
 * - API latency: `GET /api/overview` and `GET /api/topology` (the dashboard's two heavy reads),
 *   one after the other in a loop with a short pause, timed end to end.
 *
 * @example
 * const api = await ApiProbes.connect('http://127.0.0.1:8080', 'admin', pw);
 * api.startLatencyLoop(); ... await api.stopLatencyLoop();
 * api.lagMs(since); // ingest lags of events published at or after `since`
 */
import WebSocket from 'ws';

export const PROBED_ENDPOINTS = ['/api/overview', '/api/topology'] as const;
export type ProbedEndpoint = (typeof PROBED_ENDPOINTS)[number];

export class ApiProbes {
  /** [publish time, lag] of every node event seen on the live feed. */
  private readonly lags: [number, number][] = [];
  private readonly latencies = new Map<ProbedEndpoint, [number, number][]>(
    PROBED_ENDPOINTS.map((e) => [e, []]),
  );
  private readonly errors: string[] = [];
  private socket: WebSocket | undefined;
  private looping = false;
  private loopDone: Promise<void> = Promise.resolve();
  /** Events seen on the live feed per node, for the count checks. */
  readonly eventsSeen = new Map<string, number>();

  private constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  static async connect(url: string, username: string, password: string): Promise<ApiProbes> {
    const res = await fetch(`${url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (!res.ok) throw new Error(`login to ${url} as ${username}: HTTP ${res.status}`);
    const { token } = (await res.json()) as { token: string };
    const probes = new ApiProbes(url, token);
    await probes.openLiveFeed();
    return probes;
  }

  private async openLiveFeed(): Promise<void> {
    const ws = new WebSocket(`${this.url.replace(/^http/, 'ws')}/api/live`, {
      headers: { authorization: `Bearer ${this.token}` },
    });
    this.socket = ws;
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.on('message', (data: Buffer) => {
      const now = Date.now();
      const msg = JSON.parse(data.toString()) as {
        type: string;
        changes?: { type: string; event?: { at: number; node: string; source?: string } }[];
      };
      if (msg.type !== 'changes') return;
      for (const c of msg.changes ?? []) {
        if (c.type !== 'event' || !c.event || c.event.source === 'controller') continue;
        this.lags.push([c.event.at, now - c.event.at]);
        this.eventsSeen.set(c.event.node, (this.eventsSeen.get(c.event.node) ?? 0) + 1);
      }
    });
    ws.on('close', (code, reason) => {
      if (this.socket === ws) this.errors.push(`live feed closed: ${code} ${reason.toString()}`);
    });
  }

  /** GETs an endpoint as the dashboard does; the time to the whole body, in ms. */
  async timeGet(path: string): Promise<number> {
    const t0 = performance.now();
    const res = await fetch(`${this.url}${path}`, {
      headers: { authorization: `Bearer ${this.token}` },
    });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}`);
    return performance.now() - t0;
  }

  async getJson<T>(path: string): Promise<T> {
    const res = await fetch(`${this.url}${path}`, {
      headers: { authorization: `Bearer ${this.token}` },
    });
    if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}`);
    return (await res.json()) as T;
  }

  /** Times the probed endpoints in turn until `stop`, `pauseMs` apart (a dashboard refreshing). */
  startLatencyLoop(pauseMs = 500): void {
    this.looping = true;
    this.loopDone = (async () => {
      while (this.looping) {
        for (const endpoint of PROBED_ENDPOINTS) {
          const at = Date.now();
          try {
            this.latencies.get(endpoint)!.push([at, await this.timeGet(endpoint)]);
          } catch (err) {
            this.errors.push((err as Error).message);
          }
        }
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    })();
  }

  async stopLatencyLoop(): Promise<void> {
    this.looping = false;
    await this.loopDone;
  }

  /** Stops the latency loop and closes the live feed. */
  async stop(): Promise<void> {
    await this.stopLatencyLoop();
    const ws = this.socket;
    this.socket = undefined;
    ws?.close();
  }

  /** Lags (ms) of the events published at or after `since` (wall clock ms). */
  lagMs(since = 0): number[] {
    return this.lags.filter(([at]) => at >= since).map(([, lag]) => lag);
  }

  latencyMs(endpoint: ProbedEndpoint, since = 0): number[] {
    return this.latencies
      .get(endpoint)!
      .filter(([at]) => at >= since)
      .map(([, ms]) => ms);
  }

  problems(): readonly string[] {
    return this.errors;
  }
}
