/**
 * The shapes the controller's HTTP API returns, as the dashboard reads them. Store records and
 * node reports are the controller's own types (type-only imports: nothing Node-side reaches the
 * browser bundle); the rest are the API's response shapes.
 *
 * @example
 * const nodes = await api.get<NodeRecord[]>('/api/nodes');
 */

import type {
  Alert,
  CampaignStatus,
  ConfigPush,
  StoredEvent as MeshEvent,
  UpgradeCampaignDetail,
  UpgradeCampaignNode,
  UpgradeCampaignSummary,
  UpgradeNodeState,
} from '../../../src/controller/store/records.ts';
import type {
  ActiveFault,
  FaultRequest,
  FaultState,
} from '../../../src/controller/http/demo-faults.ts';
import type { DemoImage } from '../../../src/controller/http/demo-images.ts';
import type { RadioLiveChange } from './radio-types.ts';
import type { NodeState } from '../../../src/mqtt/messages.ts';
import type { NodeView, StateFreshness } from '../../../src/controller/node-view.ts';
import type { SiteCounts } from '../../../src/controller/site-overview.ts';
import type { ClientRecord } from './client-types.ts';

/** A node as the API serves it: the stored record with its state's age and freshness. */
type NodeRecord = NodeView;

export type {
  ActiveFault,
  Alert,
  ConfigPush,
  FaultRequest,
  FaultState,
  MeshEvent,
  NodeRecord,
  NodeState,
  StateFreshness,
};
export type {
  CampaignStatus,
  DemoImage,
  UpgradeCampaignDetail,
  UpgradeCampaignNode,
  UpgradeCampaignSummary,
  UpgradeNodeState,
};
export type { Severity } from '../../../src/controller/store/records.ts';
export type WanReport = NodeState['wans'][number];
export type WanState = WanReport['state'];

export type Role = 'viewer' | 'operator' | 'admin';

/** GET /api/users */
export interface UserListing {
  username: string;
  role: Role;
  created_at: number;
}

export interface Session {
  token: string;
  username: string;
  role: Role;
  expires_at: number;
}

export interface NodeDetail extends NodeRecord {
  alerts: Alert[];
  events: MeshEvent[];
  pushes: ConfigPush[];
  /** The AP's Wi-Fi clients (absent from controllers without the clients API). */
  stations?: ClientRecord[];
}

export interface Overview extends SiteCounts {
  site: string;
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
    /** Plan position in metres, when the node reports one. */
    x_m?: number;
    y_m?: number;
    ip?: string;
    mac?: string;
    model?: string;
    firmware?: string;
    uptime_s?: number;
    /** ISO 8601; `last_seen_ms` is the same in epoch ms. */
    last_seen?: string;
    last_seen_ms?: number;
    time?: string;
  };
}

export interface NetJsonLink {
  source: string;
  target: string;
  cost: number;
  properties: {
    /** The worse direction's TQ. */
    tq?: number;
    tq_source_target?: number | null;
    tq_target_source?: number | null;
    /** The worse direction's loss over the last 8 OGMs, 0..1 (null: not measured). */
    loss?: number | null;
    loss_source_target?: number | null;
    loss_target_source?: number | null;
  };
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
  /** A Wi-Fi client associated, roamed, left, or its signal moved (client-types.ts). */
  | { type: 'client'; client: ClientRecord }
  | { type: 'alert'; alert: Alert }
  | { type: 'push'; push: ConfigPush }
  | { type: 'upgrade'; id: string; status: CampaignStatus }
  | RadioLiveChange;

/** What POST /api/upgrades takes. */
export interface CampaignRequestBody {
  image_url: string;
  sha256: string;
  version: string;
  /** Absent: every online node. */
  nodes?: string[];
  canary: number;
  wave_size: number;
  node_timeout_s: number;
  max_failures: number;
}

export interface ConfigDiffEntry {
  path: string;
  from: unknown;
  to: unknown;
}

export interface ValidationIssue {
  path: string;
  message: string;
}

export interface ValidationResult {
  ok: boolean;
  issues: string[];
  /** Each issue with its path apart (`policy.members[0].weight`), for showing it at its field. */
  errors?: ValidationIssue[];
  diff: ConfigDiffEntry[];
}

export type FaultAction = FaultRequest['action'];

/** GET /api/demo/faults: the targets, the state of each, and the faults in force. */
export interface FaultTargets {
  targets: {
    nodes: string[];
    wans: { node: string; wan: string }[];
    links: { a: string; b: string }[];
  };
  state: FaultState;
  active: ActiveFault[];
}
