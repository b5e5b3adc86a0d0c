/**
 * Binds a ConfigTransaction to the node's MQTT link, the scheduler and whatever applies a
 * configuration on this platform: commands in, results and events out, the confirmation
 * deadline on a timer, and a lost broker connection counted as a lost controller. Firmware
 * `upgrade` commands are handed to the upgrade service, which answers them itself.
 *
 * @example
 * const service = new CommandService({ link, scheduler, transaction, apply: (cfg) => platform.apply(cfg) });
 * service.start();
 */
import type { MeshEvent } from '../../core/events.ts';
import { silentLogger, type Logger } from '../../core/logger.ts';
import type { Scheduler, TimerHandle } from '../../core/scheduler.ts';
import type { Command, CommandResult, UpgradeCommand } from '../../mqtt/messages.ts';
import {
  CONFIRMED_BY_CONTROLLER,
  type ConfigTransaction,
  type TransactionOutput,
} from './config-transaction.ts';

/** What the service needs of a link: commands in, results and events out, presence changes. */
export interface CommandLink {
  onCommand(listener: (command: Command) => void): () => void;
  on(event: 'offline' | 'online', listener: () => void): unknown;
  publishResult(result: CommandResult): Promise<void>;
  publishEvent(event: MeshEvent): Promise<void>;
  publishConfig(version: string, config: object): Promise<void>;
}

export interface CommandServiceOptions<C> {
  link: CommandLink;
  scheduler: Scheduler;
  transaction: ConfigTransaction<C>;
  /** Applies a configuration on the platform; rejects with a message when it cannot. */
  apply: (config: C, version: string, rollback: boolean) => Promise<void>;
  /** Takes `upgrade` commands (the agent's UpgradeService); without it they go unanswered. */
  upgrade?: { handle(command: UpgradeCommand): void };
  /** Local copy of every decision (the agent's event log). */
  onEvent?: (event: MeshEvent) => void;
  /** A new configuration was confirmed by the controller (e.g. to persist it). */
  onConfirmed?: (version: string, config: C) => void;
  logger?: Logger;
}

export class CommandService<C> {
  private timer: TimerHandle | undefined;
  private readonly log: Logger;

  constructor(private readonly options: CommandServiceOptions<C>) {
    this.log = options.logger ?? silentLogger;
  }

  start(): void {
    const { link, transaction, scheduler } = this.options;
    link.onCommand((command) => {
      if (command.kind !== 'upgrade') this.run(transaction.handle(command, scheduler.now()));
      else if (this.options.upgrade) this.options.upgrade.handle(command);
      else this.log.warn({ id: command.id }, 'upgrade command ignored: no upgrade service');
    });
    link.on('offline', () => this.run(transaction.connectivityLost('controller', scheduler.now())));
    this.reportConfig();
  }

  /** Publishes the confirmed configuration; done at start and whenever it changes. */
  private reportConfig(): void {
    const { version, config } = this.options.transaction.current;
    this.options.link
      .publishConfig(version, config as object)
      .catch((err: Error) => this.log.warn({ err: err.message }, 'config report not sent'));
  }

  /** The agent calls this when its health core finds every WAN down. */
  wanLost(): void {
    this.run(this.options.transaction.connectivityLost('wan', this.options.scheduler.now()));
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private run(outputs: TransactionOutput<C>[]): void {
    const { link, transaction, scheduler } = this.options;
    for (const out of outputs) {
      switch (out.type) {
        case 'result':
          if (out.result.status === 'confirmed' && out.result.reason === CONFIRMED_BY_CONTROLLER) {
            this.reportConfig();
            const { version, config } = transaction.current;
            this.options.onConfirmed?.(version, config);
          }
          // A result that cannot be sent now is answered again on redelivery of the command.

          link
            .publishResult(out.result)
            .catch((err: Error) => this.log.warn({ err: err.message }, 'result not sent'));
          break;
        case 'event':
          this.options.onEvent?.(out.event);
          link
            .publishEvent(out.event)
            .catch((err: Error) => this.log.warn({ err: err.message }, 'event not sent'));
          break;
        case 'apply':
          this.options.apply(out.config, out.version, out.rollback).then(
            () => this.run(transaction.applied(true, 'ok', scheduler.now())),
            (err: Error) => this.run(transaction.applied(false, err.message, scheduler.now())),
          );
          break;
      }
    }
    this.arm();
  }

  private arm(): void {
    this.timer?.cancel();
    this.timer = undefined;
    const { transaction, scheduler } = this.options;
    const deadline = transaction.nextDeadline();
    if (deadline === undefined) return;
    this.timer = scheduler.after(deadline - scheduler.now(), () =>
      this.run(transaction.tick(scheduler.now())),
    );
  }
}
