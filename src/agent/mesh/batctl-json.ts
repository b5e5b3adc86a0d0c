/**
 * Adapters from batctl's JSON tables (`batctl meshif bat0 gwj`, `oj`, `nj`) to the agent's small
 * input types. The routing engine on branch `simroute` exposes tables of the same shape, so its
 * output plugs in here as well. Field names are batctl's (its genl_json.c prints each netlink
 * attribute under a fixed name); `bandwidth_down`/`bandwidth_up` are in units of 100 kbit/s, as
 * batctl's text `gwl` output shows them divided by ten as Mbit/s.
 *
 * @example
 * parseGatewaysJson('[{"orig_address":"02:00:00:00:00:02","router":"02:00:00:00:00:02",' +
 *   '"hard_ifname":"mesh0","best":true,"tq":230,"bandwidth_down":500,"bandwidth_up":100}]');
 * // [{ originator: '02:00:00:00:00:02', tq: 230, bandwidthDownKbit: 50000, bandwidthUpKbit: 10000, ... }]
 */
import { z } from 'zod';
import { IntelliMeshError } from '../../core/errors.ts';
import type { GatewayCandidate } from '../policy/gateway-select.ts';

/** batctl output that is not the JSON table expected; `where` names the entry and field. */
export class BatctlParseError extends IntelliMeshError {
  constructor(
    readonly table: string,
    readonly where: string,
    detail: string,
  ) {
    super(`batctl ${table} JSON at ${where}: ${detail}`);
  }
}

const mac = z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i, 'expected a MAC address');
const u32 = z.number().int().min(0).max(0xffffffff);
const tq = z.number().int().min(0).max(255);

const gateway = z.looseObject({
  orig_address: mac,
  router: mac,
  hard_ifname: z.string().optional(),
  best: z.literal(true).optional(),
  tq: tq.optional(),
  throughput: u32.optional(),
  bandwidth_down: u32,
  bandwidth_up: u32,
});

const originator = z.looseObject({
  orig_address: mac,
  neigh_address: mac,
  hard_ifindex: u32.optional(),
  hard_ifname: z.string().optional(),
  last_seen_msecs: u32,
  best: z.literal(true).optional(),
  tq: tq.optional(),
  throughput: u32.optional(),
});

const neighbour = z.looseObject({
  neigh_address: mac,
  hard_ifindex: u32.optional(),
  hard_ifname: z.string().optional(),
  last_seen_msecs: u32,
  throughput: u32.optional(),
});

function parseTable<T>(table: string, text: string, item: z.ZodType<T>): T[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new BatctlParseError(table, '(document)', (e as Error).message);
  }
  const parsed = z.array(item).safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BatctlParseError(
      table,
      issue.path.length > 0 ? `[${issue.path.join('].')}` : '(document)',
      issue.message,
    );
  }
  return parsed.data;
}

export interface BatctlGateway extends GatewayCandidate {
  router: string;
  best: boolean;
}

/** `batctl gwj`: B.A.T.M.A.N. IV rows carry `tq`; a V row carries `throughput` and gets tq 0. */
export function parseGatewaysJson(text: string): BatctlGateway[] {
  return parseTable('gwj', text, gateway).map((g) => ({
    originator: g.orig_address.toLowerCase(),
    router: g.router.toLowerCase(),
    tq: g.tq ?? 0,
    bandwidthDownKbit: g.bandwidth_down * 100,
    bandwidthUpKbit: g.bandwidth_up * 100,
    best: g.best === true,
  }));
}

export interface OriginatorRow {
  originator: string;
  nextHop: string;
  hardIf: string | number | null;
  lastSeenMs: number;
  tq: number | null;
  best: boolean;
}

/** `batctl oj`: one row per (originator, next hop); `best` marks the one in use. */
export function parseOriginatorsJson(text: string): OriginatorRow[] {
  return parseTable('oj', text, originator).map((o) => ({
    originator: o.orig_address.toLowerCase(),
    nextHop: o.neigh_address.toLowerCase(),
    hardIf: o.hard_ifname ?? o.hard_ifindex ?? null,
    lastSeenMs: o.last_seen_msecs,
    tq: o.tq ?? null,
    best: o.best === true,
  }));
}

export interface NeighbourRow {
  neighbour: string;
  hardIf: string | number | null;
  lastSeenMs: number;
  throughputKbit: number | null;
}

/** `batctl nj`: directly heard neighbours (V adds `throughput` in kbit/s). */
export function parseNeighboursJson(text: string): NeighbourRow[] {
  return parseTable('nj', text, neighbour).map((n) => ({
    neighbour: n.neigh_address.toLowerCase(),
    hardIf: n.hard_ifname ?? n.hard_ifindex ?? null,
    lastSeenMs: n.last_seen_msecs,
    throughputKbit: n.throughput ?? null,
  }));
}
