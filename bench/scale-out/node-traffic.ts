/**
 * What one simulated node of the scale bench publishes, without any I/O: a node agent's mix as
 * the real agent sends it (a retained `status` at connect, `state` every period and whenever a
 * decision changes it, `metrics` every period, an event for each decision). Decisions are drawn
 * from a seeded generator: a mesh node now and then switches its selected gateway (the agent's
 * `gateway-select`), and a gateway now and then loses its wired WAN and fails over to LTE, then
 * recovers (`wan-state`). Every payload is valid under src/mqtt/messages.ts; the tests check it.
 *
 * @example
 * const node = new SimulatedNode({ index: 3, nodes: 1000, random: mulberry32(3) });
 * node.connected(Date.now()); // [{ channel: 'status', retain: true, ... }]
 * node.tick(Date.now()); // state + metrics, and sometimes a decision's event and new state
 */
import type { NodeChannel } from '../../src/mqtt/topics.ts';

export interface NodePublish {
  channel: Extract<NodeChannel, 'status' | 'state' | 'metrics' | 'events'>;
  payload: Record<string, unknown>;
  retain: boolean;
}

export interface SimulatedNodeOptions {
  /** 0-based position; names the node `n<index>` and places it on a grid. */
  index: number;
  /** Nodes in the whole run: sizes the grid and the set of gateways. */
  nodes: number;
  /** Uniform in [0, 1); seeded per node so a run is repeatable. */
  random: () => number;
  /** Chance that a node makes a decision in one period. @default 0.05 */
  decisionRate?: number;
}

/** One node in this many is a gateway with its own WANs (the rest reach the internet over the mesh). */
export const GATEWAY_EVERY = 20;

export function nodeName(index: number): string {
  return `n${index}`;
}

/** A small, fast seeded generator (Mulberry32): enough for traffic shapes, not for secrets. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class SimulatedNode {
  readonly name: string;
  readonly gateway: boolean;
  private readonly neighbours: string[];
  private readonly gatewayChoices: string[];
  private selected: string | null;
  /** A gateway's wired WAN is down and LTE carries the traffic. */
  private failedOver = false;
  private bootAt = 0;
  private rxBytes = 0;
  private txBytes = 0;
  private readonly decisionRate: number;

  constructor(private readonly o: SimulatedNodeOptions) {
    this.name = nodeName(o.index);
    this.gateway = o.index % GATEWAY_EVERY === 0;
    this.decisionRate = o.decisionRate ?? 0.05;
    // A square grid: each node hears its four nearest (those that exist).
    const cols = Math.max(1, Math.ceil(Math.sqrt(o.nodes)));
    const row = Math.floor(o.index / cols);
    const col = o.index % cols;
    this.neighbours = [
      [row - 1, col],
      [row + 1, col],
      [row, col - 1],
      [row, col + 1],
    ]
      .filter(([r, c]) => r! >= 0 && c! >= 0 && c! < cols && r! * cols + c! < o.nodes)
      .map(([r, c]) => nodeName(r! * cols + c!));
    // The two gateways nearest in index: what a mesh node chooses between.
    const base = Math.floor(o.index / GATEWAY_EVERY) * GATEWAY_EVERY;
    const next = base + GATEWAY_EVERY < o.nodes ? base + GATEWAY_EVERY : base;
    this.gatewayChoices = [...new Set([nodeName(base), nodeName(next)])];
    this.selected = this.gateway ? null : this.gatewayChoices[0]!;
  }

  /** What a node sends once its session is up: the retained online status and its first state. */
  connected(now: number): NodePublish[] {
    this.bootAt = now;
    return [
      {
        channel: 'status',
        retain: true,
        payload: { node: this.name, online: true, at: now, boot_id: `boot-${this.o.index}` },
      },
      this.state(now),
    ];
  }

  /** The retained status the broker publishes for the node when its session ends badly. */
  lastWill(now: number): NodePublish {
    return {
      channel: 'status',
      retain: true,
      payload: { node: this.name, online: false, at: now },
    };
  }

  /** One period: maybe a decision (its event and the changed state), then state and metrics. */
  tick(now: number): NodePublish[] {
    const out: NodePublish[] = [];
    if (this.o.random() < this.decisionRate) out.push(this.decide(now));
    out.push(this.state(now), this.metrics(now));
    return out;
  }

  private decide(now: number): NodePublish {
    if (this.gateway) {
      this.failedOver = !this.failedOver;
      return this.event(now, {
        kind: 'wan-state',
        subject: 'wan',
        from: this.failedOver ? 'online' : 'offline',
        to: this.failedOver ? 'offline' : 'online',
        reason: this.failedOver
          ? 'no answer from 3 of 3 probe targets in 3 cycles; traffic fails over to lte'
          : 'answers again from 2 of 3 probe targets; traffic back on wan',
      });
    }
    const other = this.gatewayChoices.find((g) => g !== this.selected) ?? this.selected;
    const from = this.selected;
    this.selected = other;
    const tq = 180 + Math.floor(this.o.random() * 60);
    return this.event(now, {
      kind: 'gateway-select',
      subject: 'mesh-gateway',
      from,
      to: other,
      reason: `TQ ${tq} beats ${from}'s ${tq - 25} by 25 (switch margin 20)`,
    });
  }

  private event(
    now: number,
    e: { kind: string; subject: string; from: string | null; to: string | null; reason: string },
  ): NodePublish {
    return { channel: 'events', retain: false, payload: { at: now, node: this.name, ...e } };
  }

  private state(now: number): NodePublish {
    const wans = this.gateway
      ? [
          {
            name: 'wan',
            kind: 'ethernet',
            state: this.failedOver ? 'down' : 'up',
            status: this.failedOver ? 'offline' : 'online',
            active: !this.failedOver,
            share: this.failedOver ? 0 : 1,
            latency_ms: this.failedOver ? null : 12,
            loss: this.failedOver ? 1 : 0,
          },
          {
            name: 'lte',
            kind: 'modem',
            state: 'up',
            status: 'online',
            active: this.failedOver,
            share: this.failedOver ? 1 : 0,
            latency_ms: 48,
            loss: 0,
          },
        ]
      : [];
    return {
      channel: 'state',
      retain: true,
      payload: {
        node: this.name,
        at: now,
        uptime_s: Math.floor((now - this.bootAt) / 1000),
        role: this.gateway ? 'gateway' : 'mesh',
        address: this.o.index % 0x10000,
        wans,
        gateway: {
          announcing: this.gateway,
          bandwidth_down_kbit: this.gateway ? 100_000 : 0,
          bandwidth_up_kbit: this.gateway ? 20_000 : 0,
          selected: this.selected,
        },
        neighbours: this.neighbours.map((node, i) => ({
          node,
          tq: 200 - i * 10,
          last_seen_ms: 300 + i * 100,
          loss: 0.02 * i,
        })),
        clients: (this.o.index * 7) % 13,
        config_version: 'v1',
        firmware_version: 'OpenWrt 23.05.3 r23809-234f1a2efa',
      },
    };
  }

  private metrics(now: number): NodePublish {
    this.rxBytes += 1_000_000 + Math.floor(this.o.random() * 500_000);
    this.txBytes += 200_000 + Math.floor(this.o.random() * 100_000);
    const wans: Record<string, unknown> = this.gateway
      ? {
          wan: {
            latency_ms: this.failedOver ? null : 10 + Math.floor(this.o.random() * 5),
            loss: this.failedOver ? 1 : 0,
            rx_bytes: this.failedOver ? 0 : this.rxBytes,
            tx_bytes: this.failedOver ? 0 : this.txBytes,
          },
          lte: { latency_ms: 40 + Math.floor(this.o.random() * 20), loss: 0 },
        }
      : {};
    return {
      channel: 'metrics',
      retain: false,
      payload: {
        node: this.name,
        at: now,
        wans,
        cpu_percent: Math.round(this.o.random() * 300) / 10,
        rss_bytes: 9_000_000 + (this.o.index % 100) * 1000,
      },
    };
  }
}
