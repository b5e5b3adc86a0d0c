/**
 * The records the controller's store returns and its HTTP API serves, free of any Node or
 * SQLite type so the dashboard can import the very same shapes instead of a copy of them.
 *
 * @example
 * import type { Alert } from '../../../src/controller/store/records.ts';
 */
import type { MeshEvent } from '../../core/events.ts';
import type { NodeState } from '../../mqtt/messages.ts';

export type Severity = 'critical' | 'warning' | 'info';

/** A condition that needs an operator's eye; at most one open per key. */
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

/** A configuration push and its status as the node reports it. */
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
  /** What the node found wrong when it rejected the push, each issue with its path. */
  issues: { path: string; message: string }[];
}

/** A node of the inventory with its latest state. */
export interface NodeRecord {
  node: string;
  site: string;
  first_seen: number;
  last_seen: number;
  online: boolean;
  state: NodeState | null;
  state_at: number | null;
}

/** Who recorded an event: a node (its own decision) or the controller (what it observed). */
export type EventSource = 'node' | 'controller';

/** An event of the timeline as stored, with its row id and its source. */
export interface StoredEvent extends MeshEvent {
  id: number;
  source: EventSource;
}

/** A campaign's course: running, then done, stopped (a failure, with the reason) or cancelled. */
export type CampaignStatus = 'running' | 'done' | 'stopped' | 'cancelled';

/** Where one node of a campaign is. `skipped`: never started, the campaign stopped first. */
export type UpgradeNodeState = 'pending' | 'upgrading' | 'done' | 'failed' | 'skipped';

/** The step an upgrading node last reported (`sent`: the command is out, no answer yet). */
export type UpgradeStep =
  'sent' | 'accepted' | 'downloading' | 'verified' | 'installing' | 'rebooting';

/** A firmware upgrade campaign: one image, its target nodes in waves, and how it went. */
export interface UpgradeCampaign {
  id: string;
  image_url: string;
  sha256: string;
  /** The firmware_version the nodes must report once upgraded. */
  version: string;
  max_bytes: number | null;
  /** Nodes of wave 0, upgraded first, alone. */
  canary: number;
  wave_size: number;
  node_timeout_s: number;
  /** Failures tolerated after the canaries before the campaign stops. */
  max_failures: number;
  status: CampaignStatus;
  reason: string;
  /** The wave under way (0 is the canaries), or the last one started. */
  wave: number;
  /** How many waves there are, canaries included. */
  waves: number;
  requested_by: string;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

/** One node of a campaign. */
export interface UpgradeCampaignNode {
  campaign_id: string;
  node: string;
  wave: number;
  /** Order within the campaign. */
  position: number;
  state: UpgradeNodeState;
  step: UpgradeStep | null;
  reason: string;
  /** The node's failure code (`checksum`, `image-test`, `timeout`, …) when it failed. */
  code: string | null;
  from_version: string | null;
  /** The version it reported once done. */
  version: string | null;
  started_at: number | null;
  /** When it fails unless it is back running the version. */
  deadline: number | null;
  updated_at: number;
}

/** A campaign in a list: how many of its nodes are in each state. */
export interface UpgradeCampaignSummary extends UpgradeCampaign {
  counts: Record<UpgradeNodeState, number>;
}

export interface UpgradeCampaignDetail extends UpgradeCampaignSummary {
  nodes: UpgradeCampaignNode[];
}
