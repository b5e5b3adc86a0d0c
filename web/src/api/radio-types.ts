/**
 * The radio API's shapes as the dashboard reads them (`/api/radio/…`, issue 14's contract
 * between the controller and the dashboard). Radio node addresses are meshlink addresses
 * (numbers); a network is a name. Kept apart from types.ts so the Radio section is one seam.
 *
 * @example
 * const { nodes } = await api.get<RadioNodeList>('/api/radio/nodes');
 */

/** One radio node, merged over every gateway that hears it. */
export interface RadioNode {
  address: number;
  network: string;
  label?: string;
  gateways: string[];
  /** ISO 8601; `last_heard_ms` is the same in epoch ms. */
  last_heard: string;
  last_heard_ms: number;
  hops: number;
  /** The last ping's round trip; null until one answered. */
  rtt_ms: number | null;
  status: 'reachable' | 'unreachable';
  /** 0..1, where a gateway knows it. */
  link_quality: number | null;
}

/** GET /api/radio/nodes */
export interface RadioNodeList {
  nodes: RadioNode[];
}

export interface RadioMessage {
  /** ISO 8601. */
  at: string;
  direction: 'from-node' | 'to-node';
  gateway: string;
  /** The payload as UTF-8 when printable, else null (then read `bytes_hex`). */
  text: string | null;
  bytes_hex: string;
  size: number;
  /** The node it came from or went to (the message list's entries carry it). */
  node?: number;
}

/** GET /api/radio/nodes/:address */
export interface RadioNodeDetail {
  node: RadioNode;
  rtt_history: { at: string; rtt_ms: number }[];
  messages: RadioMessage[];
  neighbours: number[];
}

/** GET /api/radio/graph, and a scan's `graph`: a NetJSON NetworkGraph of the radio mesh. */
export interface RadioGraph {
  type: 'NetworkGraph';
  protocol: 'meshlink';
  version: string;
  metric: string;
  router_id: string;
  nodes: { id: string; label: string; properties: Record<string, unknown> }[];
  links: { source: string; target: string; cost: number; properties: Record<string, unknown> }[];
}

/** POST /api/radio/nodes/:address/ping */
export interface RadioPingResult {
  ok: true;
  rtt_ms: number;
  gateway: string;
}

/** POST /api/radio/nodes/:address/scan */
export interface RadioScanResult {
  ok: true;
  graph: RadioGraph;
}

/** POST /api/radio/nodes/:address/send */
export interface RadioSendResult {
  ok: boolean;
  acked: boolean;
}

/** GET /api/radio/gateways */
export interface RadioGatewayList {
  gateways: { id: string; network: string; online: boolean; last_seen: string }[];
}

/** What the live feed says about the radio mesh. */
export type RadioLiveChange =
  { type: 'radio-node'; node: RadioNode } | { type: 'radio-message'; message: RadioMessage };
