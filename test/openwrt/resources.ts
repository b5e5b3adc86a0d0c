/**
 * Everything the harness creates on the host (network namespaces, node processes, temporary
 * directories) is registered here until released, so a failed test cannot leave it behind:
 * `releaseAll()` in an `afterAll` releases what is left, and if the test process exits first,
 * an exit hook releases it synchronously.
 *
 * @example
 * const r = track({ label: 'netns x', release: async () => del(), releaseSync: () => delSync() });
 * await r.release(); // also unregisters it
 */
export interface Resource {
  /** For messages: what this is. */
  label: string;
  release(): Promise<void>;
  /** The same, blocking, for the exit hook. */
  releaseSync(): void;
}

const live = new Set<Resource>();
let hooked = false;

/** Registers `r`; the returned resource unregisters itself when released. */
export function track(r: Resource): Resource {
  if (!hooked) {
    hooked = true;
    process.once('exit', () => {
      for (const x of [...live].reverse()) {
        try {
          x.releaseSync();
        } catch {
          // best effort at exit: keep releasing the rest
        }
      }
      live.clear();
    });
  }
  const tracked: Resource = {
    label: r.label,
    release: async () => {
      live.delete(tracked);
      await r.release();
    },
    releaseSync: () => {
      live.delete(tracked);
      r.releaseSync();
    },
  };
  live.add(tracked);
  return tracked;
}

/** Releases every resource still registered, newest first; returns their labels. */
export async function releaseAll(): Promise<string[]> {
  const labels: string[] = [];
  for (const r of [...live].reverse()) {
    labels.push(r.label);
    await r.release();
  }
  return labels;
}

/** Labels of the resources still registered (a test can assert none leaked). */
export function liveResources(): string[] {
  return [...live].map((r) => r.label);
}
