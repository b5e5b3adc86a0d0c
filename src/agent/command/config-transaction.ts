/**
 * A node's configuration changes as a transaction: validate, apply, wait for the controller's
 * confirmation, and roll back on its own if the confirmation does not come in time or if the node
 * loses its controller or its WAN meanwhile. A bad push can therefore never strand a node: it
 * returns to the last configuration that was confirmed working.
 *
 * Sans-IO: commands, apply outcomes, connectivity changes and ticks go in with `now`; apply
 * requests, command results and events come out. The agent's adapter does the applying.
 *
 * @example
 * const tx = new ConfigTransaction({ node: 'n1', validate, initial: { version: 'v1', config } });
 * tx.handle({ id: 'c1', kind: 'config.apply', version: 'v2', config: next }, 0);
 * // -> [{ type: 'result', status: 'accepted' }, { type: 'apply', version: 'v2', ... }, event]
 */
import type { MeshEvent } from '../../core/events.ts';
import type { Command, CommandResult, ConfigCommand } from '../../mqtt/messages.ts';

/** The reason of the result that marks a new configuration confirmed (not a repeat). */
export const CONFIRMED_BY_CONTROLLER = 'confirmed by the controller';

export interface ValidationIssue {
  path: string;
  message: string;
}

export type ValidateConfig<C> = (
  config: unknown,
) => { ok: true; config: C } | { ok: false; errors: ValidationIssue[] };

export interface VersionedConfig<C> {
  version: string;
  config: C;
}

export type TransactionOutput<C> =
  | { type: 'apply'; version: string; config: C; rollback: boolean }
  | { type: 'result'; result: CommandResult }
  | { type: 'event'; event: MeshEvent };

export type TransactionState = 'stable' | 'applying' | 'awaiting-confirm' | 'rolling-back';

export interface ConfigTransactionOptions<C> {
  node: string;
  validate: ValidateConfig<C>;
  /** The configuration running at start, taken as confirmed. */
  initial: VersionedConfig<C>;
  /** @default 60000 */
  defaultConfirmTimeoutMs?: number;
  /** How many command ids are remembered to answer redelivered commands idempotently. @default 64 */
  rememberedCommands?: number;
}

interface Pending<C> {
  commandId: string;
  candidate: VersionedConfig<C>;
  timeoutMs: number;
  deadline: number | undefined;
  rollbackReason: string | undefined;
  rollbackStatus: 'rolled-back' | 'failed';
}

export class ConfigTransaction<C> {
  private confirmed: VersionedConfig<C>;
  private pending: Pending<C> | undefined;
  private phase: TransactionState = 'stable';
  private readonly answered = new Map<string, CommandResult>();
  private readonly node: string;
  private readonly validate: ValidateConfig<C>;
  private readonly defaultTimeoutMs: number;
  private readonly remembered: number;

  constructor(options: ConfigTransactionOptions<C>) {
    this.node = options.node;
    this.validate = options.validate;
    this.confirmed = options.initial;
    this.defaultTimeoutMs = options.defaultConfirmTimeoutMs ?? 60_000;
    this.remembered = options.rememberedCommands ?? 64;
  }

  get state(): TransactionState {
    return this.phase;
  }

  /** The last configuration confirmed working. */
  get current(): VersionedConfig<C> {
    return this.confirmed;
  }

  /** The version being tried, if any. */
  get candidateVersion(): string | undefined {
    return this.pending?.candidate.version;
  }

  nextDeadline(): number | undefined {
    return this.phase === 'awaiting-confirm' ? this.pending?.deadline : undefined;
  }

  handle(command: ConfigCommand, now: number): TransactionOutput<C>[] {
    const repeated = this.answered.get(command.id);
    if (repeated) return [{ type: 'result', result: repeated }];
    switch (command.kind) {
      case 'ping':
        return [this.result(command.id, 'pong', now, this.confirmed.version, 'alive')];
      case 'config.apply':
        return this.apply(command, now);
      case 'config.confirm':
        return this.confirm(command.id, command.version, now);
    }
  }

  /** The adapter reports how applying a configuration went. */
  applied(ok: boolean, detail: string, now: number): TransactionOutput<C>[] {
    const p = this.pending;
    if (!p) return [];
    if (this.phase === 'applying') {
      if (!ok)
        return this.rollback(`applying ${p.candidate.version} failed: ${detail}`, now, 'failed');
      if (p.rollbackReason) return this.rollback(p.rollbackReason, now);
      this.phase = 'awaiting-confirm';
      p.deadline = now + p.timeoutMs;
      return [
        this.result(
          p.commandId,
          'applied',
          now,
          p.candidate.version,
          `applied; awaiting confirmation within ${p.timeoutMs / 1000} s`,
        ),
        this.event(
          now,
          p.candidate.version,
          this.confirmed.version,
          p.candidate.version,
          'applied, awaiting confirmation',
        ),
      ];
    }
    if (this.phase === 'rolling-back') {
      this.pending = undefined;
      this.phase = 'stable';
      const back = this.confirmed.version;
      const reason = p.rollbackReason ?? 'rolled back';
      if (ok) {
        return [
          this.result(
            p.commandId,
            p.rollbackStatus,
            now,
            p.candidate.version,
            `${reason}; back to ${back}`,
          ),
        ];
      }
      const failure = `${reason}; rollback to ${back} failed: ${detail}`;
      return [
        this.result(p.commandId, 'failed', now, p.candidate.version, failure),
        this.event(now, back, p.candidate.version, back, failure, 'config-rollback-failed'),
      ];
    }
    return [];
  }

  /** The node lost its controller connection or every WAN. */
  connectivityLost(what: 'controller' | 'wan', now: number): TransactionOutput<C>[] {
    const p = this.pending;
    if (!p || this.phase === 'rolling-back') return [];
    const reason = `lost its ${what} while ${p.candidate.version} awaited confirmation`;
    if (this.phase === 'applying') {
      // Finish the apply first; rolling back a half-applied change would race the platform.
      p.rollbackReason = reason;
      return [];
    }
    return this.rollback(reason, now);
  }

  tick(now: number): TransactionOutput<C>[] {
    const p = this.pending;
    if (this.phase !== 'awaiting-confirm' || !p || p.deadline === undefined || now < p.deadline) {
      return [];
    }
    return this.rollback(`no confirmation within ${p.timeoutMs / 1000} s`, now);
  }

  private apply(
    command: Extract<Command, { kind: 'config.apply' }>,
    now: number,
  ): TransactionOutput<C>[] {
    if (this.pending) {
      return [
        this.result(
          command.id,
          'rejected',
          now,
          command.version,
          `busy: ${this.pending.candidate.version} is ${this.phase}`,
        ),
      ];
    }
    if (command.version === this.confirmed.version) {
      return [this.result(command.id, 'confirmed', now, command.version, 'already running')];
    }
    const checked = this.validate(command.config);
    if (!checked.ok) {
      const summary = `${checked.errors.length} validation error(s); ${this.confirmed.version} kept`;
      return [this.result(command.id, 'rejected', now, command.version, summary, checked.errors)];
    }
    this.pending = {
      commandId: command.id,
      candidate: { version: command.version, config: checked.config },
      timeoutMs: (command.confirm_timeout_s ?? this.defaultTimeoutMs / 1000) * 1000,
      deadline: undefined,
      rollbackReason: undefined,
      rollbackStatus: 'rolled-back',
    };
    this.phase = 'applying';
    return [
      this.result(command.id, 'accepted', now, command.version, 'valid; applying'),
      { type: 'apply', version: command.version, config: checked.config, rollback: false },
    ];
  }

  private confirm(id: string, version: string, now: number): TransactionOutput<C>[] {
    const p = this.pending;
    if (p && this.phase === 'awaiting-confirm' && p.candidate.version === version) {
      const previous = this.confirmed.version;
      this.confirmed = p.candidate;
      this.pending = undefined;
      this.phase = 'stable';
      const confirmed = this.result(id, 'confirmed', now, version, CONFIRMED_BY_CONTROLLER);
      this.remember(p.commandId, { ...confirmed.result, id: p.commandId });
      return [confirmed, this.event(now, version, previous, version, CONFIRMED_BY_CONTROLLER)];
    }
    if (!p && this.confirmed.version === version) {
      return [this.result(id, 'confirmed', now, version, 'already confirmed')];
    }
    const running = p ? `${p.candidate.version} (${this.phase})` : this.confirmed.version;
    return [
      this.result(
        id,
        'rejected',
        now,
        version,
        `nothing to confirm for ${version}; running ${running}`,
      ),
    ];
  }

  /** Starts restoring the confirmed configuration; the result follows once it is applied. */
  private rollback(
    reason: string,
    now: number,
    status: 'rolled-back' | 'failed' = 'rolled-back',
  ): TransactionOutput<C>[] {
    const p = this.pending!;
    p.rollbackReason = reason;
    p.rollbackStatus = status;
    this.phase = 'rolling-back';
    return [
      this.event(
        now,
        p.candidate.version,
        p.candidate.version,
        this.confirmed.version,
        reason,
        'config-rollback',
      ),
      {
        type: 'apply',
        version: this.confirmed.version,
        config: this.confirmed.config,
        rollback: true,
      },
    ];
  }

  private result(
    id: string,
    status: CommandResult['status'],
    at: number,
    version: string | null,
    reason: string,
    errors?: ValidationIssue[],
  ): { type: 'result'; result: CommandResult } {
    const result: CommandResult = {
      id,
      node: this.node,
      at,
      status,
      version,
      reason,
      ...(errors ? { errors } : {}),
    };
    // The latest answer per command id: a redelivered command gets it again, never a re-apply.
    this.remember(id, result);
    return { type: 'result', result };
  }

  private remember(id: string, result: CommandResult): void {
    this.answered.delete(id);
    this.answered.set(id, result);
    while (this.answered.size > this.remembered) {
      this.answered.delete(this.answered.keys().next().value!);
    }
  }

  private event(
    at: number,
    subject: string,
    from: string,
    to: string,
    reason: string,
    kind = 'config',
  ): { type: 'event'; event: MeshEvent } {
    return { type: 'event', event: { at, node: this.node, kind, subject, from, to, reason } };
  }
}
