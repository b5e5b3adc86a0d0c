/**
 * The radio API's shapes as the dashboard reads them (`/api/radio/…`, issue 14's contract). The
 * records are the controller's own types (type-only imports: nothing Node-side reaches the
 * browser bundle), so the dashboard and the API cannot drift apart; the response envelopes are
 * written out here as the routes (src/controller/radio/radio-routes.ts) send them. Radio node
 * addresses are meshlink addresses (numbers); a network is a name. Times are epoch ms where the
 * controller stores them (`at`, `last_seen`), ISO 8601 where the contract says so (`last_heard`).
 *
 * @example
 * const { nodes } = await api.get<RadioNodeList>('/api/radio/nodes');
 */
import type {
  RadioGatewayView,
  RadioMessageView,
  RadioNodeView,
} from '../../../src/controller/radio/radio-records.ts';
import type { RadioNetworkGraph } from '../../../src/controller/radio/radio-netjson.ts';

/** One radio node, merged over every gateway that hears it. */
export type RadioNode = RadioNodeView;
export type RadioMessage = RadioMessageView;
export type RadioGraph = RadioNetworkGraph;
export type RadioGateway = RadioGatewayView;

/** GET /api/radio/nodes */
export interface RadioNodeList {
  nodes: RadioNode[];
}

/** GET /api/radio/nodes/:address */
export interface RadioNodeDetail {
  node: RadioNode;
  rtt_history: { at: number; rtt_ms: number; gateway: string }[];
  messages: RadioMessage[];
  neighbours: number[];
}

/** POST /api/radio/nodes/:address/ping */
export interface RadioPingResult {
  ok: true;
  rtt_ms: number | null;
  hops: number | null;
  gateway: string;
}

/** POST /api/radio/nodes/:address/scan */
export interface RadioScanResult {
  ok: true;
  gateway: string;
  graph: RadioGraph;
}

/** POST /api/radio/nodes/:address/send */
export interface RadioSendResult {
  ok: boolean;
  acked: boolean;
  gateway?: string;
}

/** GET /api/radio/gateways */
export interface RadioGatewayList {
  gateways: RadioGateway[];
}

/** What the live feed says about the radio mesh. */
export type RadioLiveChange =
  { type: 'radio-node'; node: RadioNode } | { type: 'radio-message'; message: RadioMessage };

/** The largest depth the controller scans to. */
export const MAX_SCAN_DEPTH = 8;
/** The largest message the controller sends (meshlink's limit on a 32-byte radio). */
export const MAX_SEND_BYTES = 4080;
