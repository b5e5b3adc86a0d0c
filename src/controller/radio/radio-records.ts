/**
 * The radio API's records, exactly as docs/radio-gateway.md and the issue 14 contract name
 * them: what the dashboard reads at /api/radio/… and over the live feed.
 */

export type RadioNodeStatus = 'reachable' | 'unreachable';

export interface RadioNodeView {
  address: number;
  network: string;
  label?: string;
  /** Gateways that report the node (a node heard by two is one entry with both). */
  gateways: string[];
  /** When a gateway last heard the node itself, ISO 8601; null when only learned of. */
  last_heard: string | null;
  last_heard_ms: number | null;
  hops: number | null;
  /** The last ping's round trip, or null. */
  rtt_ms: number | null;
  status: RadioNodeStatus;
  link_quality: number | null;
}

export interface RadioMessageView {
  id: number;
  at: number;
  network: string;
  address: number;
  direction: 'from-node' | 'to-node';
  gateway: string;
  /** The bytes as UTF-8 when they are printable text, else null. */
  text: string | null;
  bytes_hex: string;
  size: number;
}

export interface RadioGatewayView {
  id: string;
  network: string;
  address: number | null;
  online: boolean;
  last_seen: number;
}

export interface RadioGraphRecord {
  network: string;
  gateway: string;
  at: number;
  origin: number;
  nodes: number[];
  edges: [number, number][];
}
