/**
 * The dashboard's two whole-site reads, GET /api/overview and GET /api/topology, served from
 * snapshots (cached-read.ts) rebuilt at most once per interval and only when a live change says
 * something they show changed. Both are built from one shared read of the node table, so a
 * refresh of both pages loads and parses the nodes once per interval, however many dashboards
 * ask. The topology is kept serialised with a content ETag: a client that has it gets 304.
 *
 * Every node write (state, status, config) is announced as a `node` live change, in a cluster
 * by the writer to every process (PostgreSQL NOTIFY); alerts as `alert` changes. `maxAgeMs`
 * bounds the staleness if a notice is lost.
 *
 * @example
 * const reads = new DashboardReads({ store, clock, site: 'lab', intervalMs: 1000 });
 * live.onChanges((changes) => reads.onChanges(changes));
 * (await reads.topology()).value.etag;
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import type { LiveChange } from '../ingest.ts';
import { networkGraph } from '../netjson.ts';
import { nodeView, STATE_STALE_AFTER_MS } from '../node-view.ts';
import { siteOverview, type SiteCounts } from '../site-overview.ts';
import type { ControllerStore } from '../store/controller-store.ts';
import type { NodeRecord } from '../store/records.ts';
import { CachedRead, type ReadSnapshot } from './cached-read.ts';

export interface DashboardReadsOptions {
  store: ControllerStore;
  clock: Clock;
  site: string;
  /** @default 90 s */
  staleAfterMs?: number;
  /** At most one rebuild per this many ms. @default 0: every request reads the store */
  intervalMs?: number;
  /** Rebuilt at least this often even without an announced change. @default 10 × intervalMs */
  maxAgeMs?: number;
}

export interface OverviewCounts extends SiteCounts {
  alerts_open: number;
  alerts_critical: number;
}

/** The topology as sent: the NetJSON text and its strong ETag (a hash of the text). */
export interface SerializedRead {
  body: string;
  etag: string;
}

export class DashboardReads {
  private readonly nodes: CachedRead<readonly NodeRecord[]>;
  private readonly overviewRead: CachedRead<OverviewCounts>;
  private readonly topologyRead: CachedRead<SerializedRead>;

  constructor(o: DashboardReadsOptions) {
    const { store, clock } = o;
    const intervalMs = o.intervalMs ?? 0;
    const staleAfterMs = o.staleAfterMs ?? STATE_STALE_AFTER_MS;
    const timing = { clock, intervalMs, maxAgeMs: o.maxAgeMs ?? 10 * intervalMs };
    this.nodes = new CachedRead({
      ...timing,
      build: async () => ({ value: await store.nodes.list() }),
    });
    this.overviewRead = new CachedRead({
      ...timing,
      build: async () => {
        const nodes = await this.nodes.get();
        const alerts = await store.alerts.listOpen();
        const now = clock.now();
        return {
          value: {
            ...siteOverview(nodes.value.map((n) => nodeView(n, now, staleAfterMs))),
            alerts_open: alerts.length,
            alerts_critical: alerts.filter((a) => a.severity === 'critical').length,
          },
          validUntil: liveUntil(nodes.value, now, staleAfterMs),
          dataAt: nodes.generatedAt,
          outdated: this.nodes.outdated(nodes),
        };
      },
    });
    this.topologyRead = new CachedRead({
      ...timing,
      build: async () => {
        const nodes = await this.nodes.get();
        const body = JSON.stringify(networkGraph(o.site, nodes.value));
        const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
        return {
          value: { body, etag },
          dataAt: nodes.generatedAt,
          outdated: this.nodes.outdated(nodes),
        };
      },
    });
  }

  /** Marks what these changes affect as out of date. */
  onChanges(changes: readonly LiveChange[]): void {
    if (changes.some((c) => c.type === 'node')) {
      this.nodes.changed();
      this.overviewRead.changed();
      this.topologyRead.changed();
    } else if (changes.some((c) => c.type === 'alert')) {
      this.overviewRead.changed();
    }
  }

  overview(): Promise<ReadSnapshot<OverviewCounts>> {
    return this.overviewRead.get();
  }

  topology(): Promise<ReadSnapshot<SerializedRead>> {
    return this.topologyRead.get();
  }
}

/**
 * When the first online node whose state is live now turns stale (nodeView: stale once its age
 * exceeds the limit), so the overview's `nodes_stale` is rebuilt then even if nothing reports.
 */
function liveUntil(nodes: readonly NodeRecord[], now: number, staleAfterMs: number): number {
  let until = Number.POSITIVE_INFINITY;
  for (const n of nodes) {
    if (!n.online || !n.state || n.state_at === null) continue;
    const turnsStale = n.state_at + staleAfterMs;
    if (turnsStale >= now && turnsStale < until) until = turnsStale;
  }
  return until;
}
