/**
 * Binds the upgrade core (UpgradeJob) to the node's MQTT link, its scheduler and the platform's
 * SystemUpgrade: upgrade commands in; downloads, tests, the journal and the install carried out
 * one at a time; results and events out. At start it reads the running firmware version and the
 * journal a previous run left, and answers the upgrade that journal names. The `installing`
 * result is delivered (or given up on after `urgentWaitMs`) before the install begins, since the
 * install may end this process.
 *
 * @example
 * const upgrades = new UpgradeService({ node: 'n1', link, scheduler, system: new OpenWrtSystemUpgrade({ run }) });
 * await upgrades.start();            // answers the upgrade of the previous boot, if any
 * link.onCommand((c) => c.kind === 'upgrade' && upgrades.handle(c));
 * upgrades.firmwareVersion;          // 'OpenWrt 23.05.3 r23809-234f1a2efa'
 */
import type { MeshEvent } from '../../core/events.ts';
import { silentLogger, type Logger } from '../../core/logger.ts';
import type { Scheduler, TimerHandle } from '../../core/scheduler.ts';
import type { CommandResult, UpgradeCommand } from '../../mqtt/messages.ts';
import { ImageTooLargeError } from '../../platform/errors.ts';
import type { SystemUpgrade } from '../../platform/system-upgrade.ts';
import {
  formatPendingUpgrade,
  parsePendingUpgrade,
  type PendingUpgrade,
} from './pending-upgrade.ts';
import { UpgradeJob, type UpgradeOutput } from './upgrade-job.ts';

/** What the service needs of a link: results and events out. */
export interface UpgradeLink {
  publishResult(result: CommandResult): Promise<void>;
  publishEvent(event: MeshEvent): Promise<void>;
}

export interface UpgradeServiceOptions {
  node: string;
  link: UpgradeLink;
  scheduler: Scheduler;
  /** The platform's way to install firmware; absent where it cannot (commands are refused). */
  system: SystemUpgrade | undefined;
  /** Local copy of the upgrade decisions. */
  onEvent?: (event: MeshEvent) => void;
  /** @default 600000 */
  rebootTimeoutMs?: number;
  /** Longest wait for the `installing` result to be delivered before installing anyway. @default 5000 */
  urgentWaitMs?: number;
  logger?: Logger;
}

export class UpgradeService {
  private job: UpgradeJob | undefined;
  private version: string | null = null;
  private timer: TimerHandle | undefined;
  private stopped = false;
  private ready: Promise<void> | undefined;
  private readonly log: Logger;

  constructor(private readonly o: UpgradeServiceOptions) {
    this.log = o.logger ?? silentLogger;
  }

  /** The firmware this node runs (null until start() read it, or when it cannot be read). */
  get firmwareVersion(): string | null {
    return this.version;
  }

  /** Reads the running version and the journal, and answers the upgrade of the previous boot. */
  start(): Promise<void> {
    this.ready ??= this.begin();
    return this.ready;
  }

  handle(command: UpgradeCommand): void {
    void this.start().then(() => {
      if (!this.stopped) return this.run(this.job!.handle(command, this.o.scheduler.now()));
    });
  }

  /** Stops following the job (the node is going away); results of steps under way are dropped. */
  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  private async begin(): Promise<void> {
    const { system, node } = this.o;
    let unsupported: string | undefined;
    if (!system) {
      unsupported = `${node} cannot install firmware: its platform has no system upgrade`;
    } else {
      try {
        this.version = await system.runningVersion();
      } catch (err) {
        unsupported = `${node} cannot tell which firmware it runs: ${(err as Error).message}`;
        this.log.warn({ err: (err as Error).message }, 'firmware version not read');
      }
    }
    this.job = new UpgradeJob({
      node,
      running: this.version,
      ...(unsupported !== undefined ? { unsupported } : {}),
      rebootTimeoutMs: this.o.rebootTimeoutMs,
    });
    if (!system) return;
    const pending = await this.loadPending(system);
    await this.run(this.job.resume(pending, this.o.scheduler.now()));
  }

  private async loadPending(system: SystemUpgrade): Promise<PendingUpgrade | undefined> {
    let text: string | undefined;
    try {
      text = await system.loadJournal();
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'upgrade journal not read');
      return undefined;
    }
    if (text === undefined) return undefined;
    const parsed = parsePendingUpgrade(text);
    if (parsed.ok) return parsed.pending;
    this.log.warn({ err: parsed.error }, 'upgrade journal damaged; dropped');
    await system.clearJournal().catch(() => undefined);
    return undefined;
  }

  private async run(outputs: UpgradeOutput[]): Promise<void> {
    const { link, scheduler } = this.o;
    const system = this.o.system!;
    const next = (f: (job: UpgradeJob, now: number) => UpgradeOutput[]) => {
      if (!this.stopped) void this.run(f(this.job!, scheduler.now()));
    };
    const message = (err: unknown) => (err as Error).message;
    for (const out of outputs) {
      if (this.stopped) return;
      switch (out.type) {
        case 'result': {
          const sent = link
            .publishResult(out.result)
            .catch((err: Error) => this.log.warn({ err: err.message }, 'upgrade result not sent'));
          if (out.urgent) await this.bounded(sent);
          break;
        }
        case 'event':
          this.o.onEvent?.(out.event);
          link
            .publishEvent(out.event)
            .catch((err: Error) => this.log.warn({ err: err.message }, 'upgrade event not sent'));
          break;
        case 'download':
          system.download({ url: out.url, maxBytes: out.maxBytes, timeoutMs: out.timeoutMs }).then(
            (image) => next((j, now) => j.downloaded({ ok: true, image }, now)),
            (err: unknown) =>
              next((j, now) =>
                j.downloaded(
                  {
                    ok: false,
                    code: err instanceof ImageTooLargeError ? 'too-large' : 'download',
                    detail: message(err),
                  },
                  now,
                ),
              ),
          );
          break;
        case 'test':
          system.test(out.image).then(
            () => next((j, now) => j.tested(true, 'ok', now)),
            (err: unknown) => next((j, now) => j.tested(false, message(err), now)),
          );
          break;
        case 'save':
          system.saveJournal(formatPendingUpgrade(out.pending)).then(
            () => next((j, now) => j.saved(true, 'ok', now)),
            (err: unknown) => next((j, now) => j.saved(false, message(err), now)),
          );
          break;
        case 'install':
          this.log.info({ image: out.image.path }, 'installing firmware; the node will reboot');
          system.install(out.image).then(
            () => next((j, now) => j.installed(true, 'ok', now)),
            (err: unknown) => next((j, now) => j.installed(false, message(err), now)),
          );
          break;
        case 'discard':
          system
            .discard(out.image)
            .catch((err: Error) => this.log.warn({ err: err.message }, 'image not removed'));
          break;
        case 'clear':
          system
            .clearJournal()
            .catch((err: Error) => this.log.warn({ err: err.message }, 'journal not removed'));
          break;
      }
    }
    this.arm();
  }

  /** Waits for `p`, but no longer than `urgentWaitMs`. */
  private bounded(p: Promise<unknown>): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = this.o.scheduler.after(this.o.urgentWaitMs ?? 5_000, resolve);
      void p.finally(() => {
        t.cancel();
        resolve();
      });
    });
  }

  private arm(): void {
    this.timer?.cancel();
    this.timer = undefined;
    const deadline = this.job?.nextDeadline();
    if (deadline === undefined || this.stopped) return;
    const { scheduler } = this.o;
    this.timer = scheduler.after(deadline - scheduler.now(), () => {
      if (!this.stopped) void this.run(this.job!.tick(scheduler.now()));
    });
  }
}
