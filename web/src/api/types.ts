/**
 * The shapes the controller's HTTP API returns, as the dashboard reads them. They mirror
 * src/controller (store records, NetJSON, LiveChange) without importing Node-side code into the
 * browser bundle.
 *
 * @example
 * const nodes = await api.get<NodeRecord[]>('/api/nodes');
 */

export type Role = 'viewer' | 'admin';
export type WanState = 'up' | 'degraded' | 'down' | 'unknown';
export type Severity = 'critical' | 'warning' | 'info';

export interface Session {
  token: string;
  username: string;
  role: Role;
  expires_at: number;
}

export interface WanReport {
  name: string;
  kind: 'ethernet' | 'modem' | 'mesh';
  state: WanState;
  active: boolean;
  share?: number;
  latency_ms?: number | null;
  loss?: number | null;
  modem?: {
    state: string;
    rssi_dbm?: number | null;
    rsrp_dbm?: number | null;
    rsrq_db?: number | null;
    sinr_db?: number | null;
    operator?: string | null;
  };
}

export interface NodeState {
  node: string;
  at: number;
  uptime_s: number;
  role: 'gateway' | 'mesh' | 'client';
  address?: number;
  location?: { x: number; y: number };
  wans: WanReport[];
  gateway: {
    announcing: boolean;
    bandwidth_down_kbit: number;
    bandwidth_up_kbit: number;
    selected: string | null;
  };
  neighbours: { node: string; tq: number; last_seen_ms: number }[];
  routes?: { destination: string; next_hop: string; tq: number }[];
  vlans?: { name: string; id: number }[];
  clients?: number;
  config_version?: string | null;
}

export interface NodeRecord {
  node: string;
  site: string;
  first_seen: number;
  last_seen: number;
  online: boolean;
  state: NodeState | null;
  state_at: number | null;
}

export interface Alert {
  id: number;
  key: string;
  node: string;
  kind: string;
  subject: string;
  severity: Severity;
  message: string;
  opened_at: number;
  closed_at: number | null;
  acked_by: string | null;
  acked_at: number | null;
}

export interface MeshEvent {
  id: number;
  at: number;
  node: string;
  kind: string;
  subject: string;
  from: string | null;
  to: string | null;
  reason: string;
}

export interface ConfigPush {
  id: string;
  node: string;
  version: string;
  status: string;
  reason: string;
  requested_by: string;
  created_at: number;
  updated_at: number;
  config: unknown;
}

export interface NodeDetail extends NodeRecord {
  alerts: Alert[];
  events: MeshEvent[];
  pushes: ConfigPush[];
}

export interface Overview {
  site: string;
  nodes_total: number;
  nodes_online: number;
  gateways: number;
  gateways_announcing: number;
  wans_total: number;
  wans_up: number;
  alerts_open: number;
  alerts_critical: number;
  mqtt_connected: boolean;
}

export interface NetJsonNode {
  id: string;
  label: string;
  properties: {
    online?: boolean;
    role?: string;
    gateway?: boolean;
    selected_gateway?: string | null;
    wans_up?: number;
    location?: { x: number; y: number } | null;
    last_seen?: number;
  };
}

export interface NetJsonLink {
  source: string;
  target: string;
  cost: number;
  properties: { tq?: number; tq_source_target?: number | null; tq_target_source?: number | null };
}

export interface NetworkGraph {
  type: 'NetworkGraph';
  label: string;
  nodes: NetJsonNode[];
  links: NetJsonLink[];
}

export interface MetricPoint {
  at: number;
  count: number;
  avg: number;
  min: number;
  max: number;
}

export type LiveChange =
  | { type: 'node'; node: string }
  | { type: 'event'; event: MeshEvent }
  | { type: 'alert'; alert: Alert }
  | { type: 'push'; push: ConfigPush };

export interface ConfigDiffEntry {
  path: string;
  from: unknown;
  to: unknown;
}

export interface ValidationResult {
  ok: boolean;
  issues: string[];
  diff: ConfigDiffEntry[];
}

export type FaultAction =
  'kill-node' | 'restore-node' | 'cut-wan' | 'restore-wan' | 'degrade-link' | 'restore-link';

export interface FaultTargets {
  targets: {
    nodes: string[];
    wans: { node: string; wan: string }[];
    links: { a: string; b: string }[];
  };
  active: unknown[];
}
