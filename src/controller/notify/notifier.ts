/**
 * Outbound alerts: the controller's alert openings and closings go through the IncidentBook
 * (grouping by root cause, damping) and what it decides is handed to every receiver's delivery
 * queue. The only I/O here is the timer for the book's deadlines; the receivers do the rest.
 *
 * @example
 * const notifier = new Notifier({ site: 'lab', policy, senders: [webhookSender(url)], scheduler });
 * ingest.on('alert', (t) => notifier.onAlert(t));
 */
import { silentLogger, type Logger } from '../../core/logger.ts';
import type { Scheduler, TimerHandle } from '../../core/scheduler.ts';
import type { AlertTransition } from '../ingest.ts';
import { DeliveryQueue, type NotificationSender, type RetryOptions } from './delivery-queue.ts';
import type { IncidentNotification } from './incident.ts';
import { IncidentBook } from './incident-book.ts';
import type { NotifyPolicy } from './notify-policy.ts';

export interface NotifierOptions {
  site: string;
  policy: NotifyPolicy;
  senders: readonly NotificationSender[];
  scheduler: Scheduler;
  logger?: Logger;
  retry?: Partial<RetryOptions>;
}

export class Notifier {
  readonly book: IncidentBook;
  readonly queues: DeliveryQueue[];
  private timer: TimerHandle | undefined;
  private readonly log: Logger;

  constructor(private readonly o: NotifierOptions) {
    this.log = o.logger ?? silentLogger;
    this.book = new IncidentBook(o.policy, o.site);
    this.queues = o.senders.map(
      (s) => new DeliveryQueue(s, { scheduler: o.scheduler, logger: this.log, retry: o.retry }),
    );
  }

  onAlert(t: AlertTransition): void {
    this.dispatch(this.book.onAlert(t, this.o.scheduler.now()));
    this.arm();
  }

  async close(): Promise<void> {
    this.timer?.cancel();
    await Promise.all(this.queues.map((q) => q.close()));
  }

  private dispatch(out: IncidentNotification[]): void {
    for (const n of out) {
      this.log.info(
        { type: n.type, incident: n.incident.id, alerts: n.incident.alerts.length },
        n.incident.title,
      );
      for (const q of this.queues) q.enqueue(n);
    }
  }

  private arm(): void {
    this.timer?.cancel();
    this.timer = undefined;
    const due = this.book.nextDeadline();
    if (due === undefined) return;
    this.timer = this.o.scheduler.after(Math.max(0, due - this.o.scheduler.now()), () => {
      this.timer = undefined;
      this.dispatch(this.book.tick(this.o.scheduler.now()));
      this.arm();
    });
  }
}
