/**
 * Pushes the node never finished answering: one still `requested`, `accepted` or `applied` after
 * `timeoutMs` without news is marked `timed-out`, so the operator sees it (and the timeline gets
 * a `push-timed-out`) instead of a push that looks in progress forever. A node that answers later
 * (it was offline and the broker kept the command) still moves the push on.
 *
 * @example
 * await expireUnansweredPushes(store, clock.now(), 300_000); // the pushes it timed out
 */
import type { ControllerStore } from './store/controller-store.ts';
import type { ConfigPush } from './store/push-repo.ts';

/** How long a push may wait for the node's next answer. */
export const PUSH_ANSWER_TIMEOUT_MS = 300_000;

export function expireUnansweredPushes(
  store: ControllerStore,
  now: number,
  timeoutMs = PUSH_ANSWER_TIMEOUT_MS,
): Promise<ConfigPush[]> {
  return store.transaction(async (tx) => {
    const expired: ConfigPush[] = [];
    for (const p of await tx.pushes.unanswered(now - timeoutMs)) {
      const reason = `no answer from ${p.node} for ${Math.round((now - p.updated_at) / 1000)} s after '${p.status}'`;
      await tx.pushes.update(p.id, 'timed-out', reason, now);
      expired.push((await tx.pushes.get(p.id))!);
    }
    return expired;
  });
}
