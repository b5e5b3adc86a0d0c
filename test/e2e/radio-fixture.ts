/**
 * A radio mesh as issue 14's `/api/radio/…` contract describes it, answered inside the browser
 * (Playwright routes) for the dashboard's Radio tests while the controller's radio API is built
 * in parallel: a gateway, nodes at 1–2 hops, one of them silent; a ping answers with an RTT and
 * adds to the node's history (an unreachable node's ping is the contract's 504); a scan returns
 * a NetJSON graph; a send is acknowledged and recorded as a message. Typed with the dashboard's
 * own radio types, so a change of the contract breaks this file's compilation, not silently the
 * test.
 *
 * @example
 * const radio = new RadioFixture(Date.now());
 * await radio.serve(page);
 */
import type { Page, Route } from 'playwright-core';
import type {
  RadioGatewayList,
  RadioGraph,
  RadioMessage,
  RadioNode,
  RadioNodeDetail,
  RadioPingResult,
  RadioScanResult,
  RadioSendResult,
} from '../../web/src/api/radio-types.ts';

/** The mesh: gateway 1 hears 2, 3 and 4 directly; 5 and 6 are behind 3; 6 went silent. */
const LINKS: [number, number][] = [
  [1, 2],
  [1, 3],
  [1, 4],
  [3, 5],
  [3, 6],
];

export class RadioFixture {
  readonly nodes: RadioNode[];
  readonly rtt = new Map<number, { at: string; rtt_ms: number }[]>();
  readonly messages: (RadioMessage & { node: number })[] = [];
  /** Requests the dashboard made, `METHOD path` and body, for the tests to check. */
  readonly requests: { call: string; body: unknown }[] = [];

  constructor(private readonly now: number) {
    const hops = new Map([
      [2, 1],
      [3, 1],
      [4, 1],
      [5, 2],
      [6, 2],
    ]);
    this.nodes = [...hops].map(([address, h]) => ({
      address,
      network: 'lab-radio',
      gateways: address === 4 ? ['rgw-1', 'rgw-2'] : ['rgw-1'],
      last_heard: new Date(now - (address === 6 ? 95_000 : 12_000)).toISOString(),
      last_heard_ms: now - (address === 6 ? 95_000 : 12_000),
      hops: h,
      rtt_ms: address === 2 ? 31 : null,
      status: address === 6 ? 'unreachable' : 'reachable',
      link_quality: address === 6 ? null : 0.9 - h * 0.1,
    }));
    this.rtt.set(2, [
      { at: new Date(now - 60_000).toISOString(), rtt_ms: 28 },
      { at: new Date(now - 30_000).toISOString(), rtt_ms: 35 },
      { at: new Date(now - 12_000).toISOString(), rtt_ms: 31 },
    ]);
    this.messages.push({
      at: new Date(now - 20_000).toISOString(),
      direction: 'from-node',
      gateway: 'rgw-1',
      text: 'temp=21.5',
      bytes_hex: Buffer.from('temp=21.5').toString('hex'),
      size: 9,
      node: 2,
    });
  }

  node(address: number): RadioNode | undefined {
    return this.nodes.find((n) => n.address === address);
  }

  graph(from = 1, depth = 8): RadioGraph {
    // The nodes within `depth` hops of `from` over the mesh's links.
    const seen = new Map([[from, 0]]);
    const queue = [from];
    while (queue.length > 0) {
      const a = queue.shift()!;
      for (const [x, y] of LINKS) {
        const b = x === a ? y : y === a ? x : undefined;
        if (b === undefined || seen.has(b) || seen.get(a)! >= depth) continue;
        seen.set(b, seen.get(a)! + 1);
        queue.push(b);
      }
    }
    return {
      type: 'NetworkGraph',
      protocol: 'meshlink',
      version: '1',
      metric: 'hops',
      router_id: String(from),
      nodes: [...seen.keys()].map((a) => ({ id: String(a), label: String(a), properties: {} })),
      links: LINKS.filter(([a, b]) => seen.has(a) && seen.has(b)).map(([a, b]) => ({
        source: String(a),
        target: String(b),
        cost: 1,
        properties: {},
      })),
    };
  }

  async serve(page: Page): Promise<void> {
    await page.route('**/api/radio/**', (route) => this.answer(route));
  }

  private async answer(route: Route): Promise<void> {
    const req = route.request();
    const url = new URL(req.url());
    const body: unknown = req.postData() ? JSON.parse(req.postData()!) : undefined;
    this.requests.push({ call: `${req.method()} ${url.pathname}`, body });
    const json = (status: number, data: unknown) =>
      route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(data) });
    const path = url.pathname.replace(/^\/api\/radio/, '');
    if (path === '/nodes') return json(200, { nodes: this.nodes });
    if (path === '/graph') return json(200, this.graph());
    if (path === '/gateways') {
      const at = new Date(this.now).toISOString();
      const list: RadioGatewayList = {
        gateways: [
          { id: 'rgw-1', network: 'lab-radio', online: true, last_seen: at },
          { id: 'rgw-2', network: 'lab-radio', online: true, last_seen: at },
        ],
      };
      return json(200, list);
    }
    const m = /^\/nodes\/([^/]+)(?:\/(ping|scan|send))?$/.exec(path);
    if (!m) return json(404, { error: `no route ${path}` });
    if (!/^\d+$/.test(m[1]!)) return json(400, { error: `address: '${m[1]}' is not a number` });
    const address = Number(m[1]);
    const node = this.node(address);
    if (!node) return json(404, { error: `no radio node ${address}` });
    switch (m[2]) {
      case undefined: {
        const detail: RadioNodeDetail = {
          node,
          rtt_history: this.rtt.get(address) ?? [],
          messages: this.messages.filter((x) => x.node === address),
          neighbours: LINKS.flatMap(([a, b]) => (a === address ? [b] : b === address ? [a] : [])),
        };
        return json(200, detail);
      }
      case 'ping': {
        if (node.status === 'unreachable')
          return json(504, { error: `radio node ${address} did not answer within 2000 ms` });
        const rtt_ms = 40 + address;
        node.rtt_ms = rtt_ms;
        this.rtt.set(address, [
          ...(this.rtt.get(address) ?? []),
          { at: new Date().toISOString(), rtt_ms },
        ]);
        const r: RadioPingResult = { ok: true, rtt_ms, gateway: 'rgw-1' };
        return json(200, r);
      }
      case 'scan': {
        const depth = (body as { depth: number }).depth;
        const r: RadioScanResult = { ok: true, graph: this.graph(address, depth) };
        return json(200, r);
      }
      case 'send': {
        const text = (body as { text: string }).text;
        this.messages.push({
          at: new Date().toISOString(),
          direction: 'to-node',
          gateway: 'rgw-1',
          text,
          bytes_hex: Buffer.from(text).toString('hex'),
          size: Buffer.byteLength(text),
          node: address,
        });
        const r: RadioSendResult = { ok: true, acked: true };
        return json(200, r);
      }
    }
  }
}
