/**
 * Delivers notifications to one receiver, in order, one at a time, retrying a failure with
 * exponential backoff on the injected scheduler. Enqueueing never waits and never throws, so a
 * receiver that is down or slow never holds up ingest; when the queue is full the oldest waiting
 * notification is dropped (and logged).
 *
 * @example
 * const q = new DeliveryQueue(webhookSender(url), { scheduler, logger });
 * q.enqueue(notification); // returns at once; sent, retried or in the end dropped, with a log line
 */
import type { Logger } from '../../core/logger.ts';
import { silentLogger } from '../../core/logger.ts';
import type { Scheduler, TimerHandle } from '../../core/scheduler.ts';
import type { IncidentNotification } from './incident.ts';

/** One receiver of notifications: a webhook, a mailbox. */
export interface NotificationSender {
  /** For logs: `webhook https://…`, `e-mail ops@example.org`. */
  readonly name: string;
  send(n: IncidentNotification): Promise<void>;
  /** Releases connections it keeps (an SMTP pool). */
  close?(): void;
}

export interface RetryOptions {
  /** @default 1000 */
  firstDelayMs: number;
  /** @default 300000 */
  maxDelayMs: number;
  /** Attempts in all, the first included. @default 8 */
  maxAttempts: number;
}

export interface DeliveryQueueOptions {
  scheduler: Scheduler;
  logger?: Logger;
  retry?: Partial<RetryOptions>;
  /** @default 500 */
  maxQueued?: number;
}

export interface DeliveryStats {
  sent: number;
  failedAttempts: number;
  dropped: number;
}

export class DeliveryQueue {
  readonly stats: DeliveryStats = { sent: 0, failedAttempts: 0, dropped: 0 };
  private readonly queue: IncidentNotification[] = [];
  private readonly retry: RetryOptions;
  private readonly log: Logger;
  private busy = false;
  private attempt = 0;
  private timer: TimerHandle | undefined;
  private closed = false;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly sender: NotificationSender,
    private readonly o: DeliveryQueueOptions,
  ) {
    this.retry = { firstDelayMs: 1_000, maxDelayMs: 300_000, maxAttempts: 8, ...o.retry };
    this.log = o.logger ?? silentLogger;
  }

  enqueue(n: IncidentNotification): void {
    if (this.closed) return;
    if (this.queue.length >= (this.o.maxQueued ?? 500)) {
      const old = this.queue.splice(this.busy ? 1 : 0, 1)[0];
      this.stats.dropped++;
      this.log.error(
        { receiver: this.sender.name, incident: old?.incident.id },
        'notification queue full: oldest waiting notification dropped',
      );
    }
    this.queue.push(n);
    if (!this.busy) this.next();
  }

  /** Stops retrying; waits for a send under way. */
  async close(): Promise<void> {
    this.closed = true;
    this.timer?.cancel();
    await this.inFlight;
    this.sender.close?.();
  }

  private next(): void {
    const n = this.queue[0];
    if (!n || this.closed) {
      this.busy = false;
      return;
    }
    this.busy = true;
    this.attempt++;
    this.inFlight = this.sender.send(n).then(
      () => {
        this.stats.sent++;
        this.log.info(
          { receiver: this.sender.name, type: n.type, incident: n.incident.id },
          'notification sent',
        );
        this.done();
      },
      (err: unknown) => {
        this.stats.failedAttempts++;
        const message = err instanceof Error ? err.message : String(err);
        if (this.attempt >= this.retry.maxAttempts) {
          this.stats.dropped++;
          this.log.error(
            { receiver: this.sender.name, incident: n.incident.id, err: message },
            `notification given up after ${this.attempt} attempts`,
          );
          this.done();
          return;
        }
        const delay = Math.min(
          this.retry.maxDelayMs,
          this.retry.firstDelayMs * 2 ** (this.attempt - 1),
        );
        this.log.warn(
          { receiver: this.sender.name, incident: n.incident.id, err: message, retryInMs: delay },
          'notification failed; retrying',
        );
        this.timer = this.o.scheduler.after(delay, () => this.next());
      },
    );
  }

  private done(): void {
    this.queue.shift();
    this.attempt = 0;
    this.next();
  }
}
