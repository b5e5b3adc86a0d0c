/**
 * Sends each notification as an HTTP POST of its JSON (see incident.ts) to a URL. Any answer
 * other than 2xx, a network error or no answer within the timeout is a failure, which the
 * delivery queue retries.
 *
 * @example
 * const sender = webhookSender('https://hooks.example.org/mesh');
 * await sender.send(notification);
 */
import { IntelliMeshError } from '../../core/errors.ts';
import type { NotificationSender } from './delivery-queue.ts';

/** The receiver answered, but not with 2xx. */
export class WebhookStatusError extends IntelliMeshError {}

export function webhookSender(url: string, timeoutMs = 10_000): NotificationSender {
  return {
    name: `webhook ${new URL(url).origin}`,
    send: async (n) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'intelli-mesh-controller' },
        body: JSON.stringify(n),
        signal: AbortSignal.timeout(timeoutMs),
      });
      // Drain the body so the connection is released.
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) throw new WebhookStatusError(`${url} answered ${res.status}`);
    },
  };
}
