/**
 * Counts the route changes of a run: in total, per node, and per second of virtual time, so the
 * summary can give the steady-state rate (changes per node per minute) apart from the churn of
 * start-up and of faults.
 *
 * Steady state is every whole second of virtual time that lies
 * - at least SETTLE_S after the initial convergence (every connected pair routable), and
 * - outside every fault window: from the fault until SETTLE_S after it converged (or, for a
 *   fault that never converged, until the end of the run).
 * SETTLE_S is one B.A.T.M.A.N. IV receive window (64 OGMs, 64 s at the default 1 s interval):
 * after it, every link's packet count reflects only what happened since the boot or the fault,
 * so changes still made then are not warm-up. A network that keeps switching between equal paths
 * shows up there; the reroutes a fault causes, and the refilling of windows, do not.
 *
 * @example
 * const log = new RouteChangeLog(['a', 'b']);
 * log.record(0, 61_500);
 * log.summary(10, [], 120).steady_state.changes; // 0: 61.5 s is before 10 + 64 s
 */

export const SETTLE_S = 64;

export interface RouteChangesSummary {
  total: number;
  per_node: Record<string, number>;
  steady_state: {
    /** Virtual seconds counted as steady state (see RouteChangeLog). */
    virtual_s: number;
    /** Where steady state began (initial convergence + settle); null if it never converged. */
    from_s: number | null;
    settle_s: number;
    changes: number;
    /** changes / nodes / (virtual_s / 60); null when no second was steady. */
    per_node_per_min: number | null;
  };
}

/** A fault as the log needs it: when it struck and how long it took to converge. */
export interface FaultWindow {
  at_s: number;
  convergence_s: number | null;
}

export class RouteChangeLog {
  private total = 0;
  private readonly perNode: Uint32Array;
  /** Route changes per whole second of virtual time. */
  private perSecond = new Uint32Array(64);

  constructor(private readonly names: readonly string[]) {
    this.perNode = new Uint32Array(names.length);
  }

  /** One route change by node `index` at virtual time `atMs`. */
  record(index: number, atMs: number): void {
    this.total++;
    this.perNode[index]!++;
    const s = Math.floor(atMs / 1000);
    if (s >= this.perSecond.length) {
      const grown = new Uint32Array(Math.max(s + 1, this.perSecond.length * 2));
      grown.set(this.perSecond);
      this.perSecond = grown;
    }
    this.perSecond[s]!++;
  }

  summary(
    initialConvergenceS: number | null,
    faults: readonly FaultWindow[],
    endS: number,
  ): RouteChangesSummary {
    const per_node: Record<string, number> = {};
    this.names.forEach((name, i) => (per_node[name] = this.perNode[i]!));
    const from = initialConvergenceS === null ? null : initialConvergenceS + SETTLE_S;
    const seconds = Math.floor(endS);
    const steady = new Uint8Array(Math.max(0, seconds));
    if (from !== null) for (let s = Math.ceil(from); s < seconds; s++) steady[s] = 1;
    for (const f of faults) {
      const until = f.convergence_s === null ? endS : f.at_s + f.convergence_s + SETTLE_S;
      // A second [s, s+1) is disturbed when it overlaps [at_s, until).
      for (let s = Math.max(0, Math.floor(f.at_s)); s < Math.min(seconds, until); s++)
        steady[s] = 0;
    }
    let steadyS = 0;
    let changes = 0;
    for (let s = 0; s < seconds; s++) {
      if (steady[s] !== 1) continue;
      steadyS++;
      changes += this.perSecond[s] ?? 0;
    }
    const n = this.names.length;
    return {
      total: this.total,
      per_node,
      steady_state: {
        virtual_s: steadyS,
        from_s: from,
        settle_s: SETTLE_S,
        changes,
        per_node_per_min:
          steadyS === 0 || n === 0 ? null : Math.round((changes / n / (steadyS / 60)) * 1e4) / 1e4,
      },
    };
  }
}
