/**
 * The connection tracking of a simulated node: client flows are placed on a WAN when they start
 * (by the plan's first WAN rule, weighted, as nftables' `numgen random` map does), stay there
 * while established, and are dropped by `flush` so they re-route, as `conntrack -D` does.
 *
 * @example
 * const ct = new SimConntrack(seededRandom(1));
 * ct.setPlan(plan);
 * ct.open(); // 'wan1' (or null when the plan sends clients into the mesh)
 * ct.flush('wan1'); // 1
 */
import type { Random } from '../../core/random.ts';
import type { RoutingPlan } from '../platform.ts';

export class SimConntrack {
  private plan: RoutingPlan | null = null;
  private readonly flows = new Map<number, string>();
  private nextId = 1;

  constructor(private readonly random: Random) {}

  get size(): number {
    return this.flows.size;
  }

  setPlan(plan: RoutingPlan | null): void {
    this.plan = plan;
  }

  /** Starts one client flow; returns the WAN it leaves by, or null (mesh, unreachable, no plan). */
  open(): string | null {
    return this.openFlow()?.wan ?? null;
  }

  /** Starts one client flow; returns its id and WAN, or null when the plan sends it nowhere. */
  openFlow(): { id: number; wan: string } | null {
    const rule = this.plan?.rules.find((r) => r.target.kind === 'wans');
    if (!rule || rule.target.kind !== 'wans') return null;
    const shares = rule.target.shares.filter((s) => s.weight > 0);
    const total = shares.reduce((sum, s) => sum + s.weight, 0);
    if (total === 0) return null;
    let pick = this.random.next() * total;
    let wan = shares[shares.length - 1]!.wan;
    for (const s of shares) {
      if (pick < s.weight) {
        wan = s.wan;
        break;
      }
      pick -= s.weight;
    }
    const id = this.nextId++;
    this.flows.set(id, wan);
    return { id, wan };
  }

  /** The WAN an established flow leaves by; undefined once it ended or was flushed. */
  wanOf(id: number): string | undefined {
    return this.flows.get(id);
  }

  /** The flow ended (the client closed it). */
  close(id: number): void {
    this.flows.delete(id);
  }

  /** How many established flows each WAN carries. */
  perWan(): Map<string, number> {
    const out = new Map<string, number>();
    for (const wan of this.flows.values()) out.set(wan, (out.get(wan) ?? 0) + 1);
    return out;
  }

  flush(wan: string): number {
    let n = 0;
    for (const [id, w] of this.flows) {
      if (w !== wan) continue;
      this.flows.delete(id);
      n++;
    }
    return n;
  }

  clear(): void {
    this.flows.clear();
  }
}
