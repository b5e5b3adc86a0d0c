/**
 * Pushes configuration to nodes and follows each push to its end: the node validates and applies
 * it, says `applied`, and the controller confirms, which proves the node can still reach the
 * controller on the new configuration. A node that never says `applied` rolls back by itself.
 *
 * @example
 * const push = await service.push({ node: 'n1', version: 'v7', config, requestedBy: 'admin' });
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { IntelliMeshError } from '../core/errors.ts';
import type { Command } from '../mqtt/messages.ts';
import type { LiveChange } from './ingest.ts';
import { nodeConfigValidator } from './pushed-config-validator.ts';
import type { ControllerStore } from './store/controller-store.ts';
import type { ConfigPush } from './store/push-repo.ts';

const CONFIRM_SUFFIX = ':confirm';

/** The id of the confirmation command the controller sends for a push. */
export function confirmCommandId(pushId: string): string {
  return `${pushId}${CONFIRM_SUFFIX}`;
}

/**
 * The push a command result belongs to, and whether it should change the push's status: a
 * confirmation's answer counts only when it confirms (a late, refused confirmation must not hide
 * that the node already rolled back).
 */
export function pushUpdateOf(resultId: string, status: string): string | undefined {
  if (!resultId.endsWith(CONFIRM_SUFFIX)) return resultId;
  return status === 'confirmed' ? resultId.slice(0, -CONFIRM_SUFFIX.length) : undefined;
}

export class UnknownNodeError extends IntelliMeshError {}
export class InvalidConfigError extends IntelliMeshError {
  constructor(readonly errors: { path: string; message: string }[]) {
    super(`configuration invalid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  }
}

export type PushValidator = (
  node: string,
  config: unknown,
) => { path: string; message: string }[] | Promise<{ path: string; message: string }[]>;

export interface PushRequest {
  node: string;
  version: string;
  config: unknown;
  requestedBy: string;
  confirmTimeoutS?: number;
}

export interface ConfigPushServiceOptions {
  store: ControllerStore;
  clock: Clock;
  send: (node: string, command: Command) => Promise<void>;
  /**
   * Checks a configuration before it is sent. @default the node's own validator
   * (`nodeConfigValidator`), so what the node would refuse is refused here.
   */
  validate?: PushValidator;
}

export class ConfigPushService {
  private readonly validate: PushValidator;

  constructor(private readonly options: ConfigPushServiceOptions) {
    this.validate = options.validate ?? nodeConfigValidator(options.store);
  }

  /** Validation issues of `config` for `node` (empty when it may be pushed). */
  async check(node: string, config: unknown): Promise<{ path: string; message: string }[]> {
    if (!(await this.options.store.nodes.get(node))) {
      throw new UnknownNodeError(`no node '${node}' has reported to this controller`);
    }
    return this.validate(node, config);
  }

  async push(request: PushRequest): Promise<ConfigPush> {
    const { store, clock } = this.options;
    const errors = await this.check(request.node, request.config);
    if (errors.length > 0) throw new InvalidConfigError(errors);
    const id = randomUUID();
    const push = await store.pushes.create(
      {
        id,
        node: request.node,
        version: request.version,
        requested_by: request.requestedBy,
        config: request.config,
      },
      clock.now(),
    );
    await this.options.send(request.node, {
      id,
      kind: 'config.apply',
      version: request.version,
      config: request.config,
      ...(request.confirmTimeoutS ? { confirm_timeout_s: request.confirmTimeoutS } : {}),
    });
    return push;
  }

  /** Confirms every push a node reports as applied; wire it to the ingest's changes. */
  onChanges(changes: readonly LiveChange[]): void {
    for (const c of changes) {
      if (c.type !== 'push' || c.push.status !== 'applied') continue;
      void this.options
        .send(c.push.node, {
          id: `${c.push.id}:confirm`,
          kind: 'config.confirm',
          version: c.push.version,
        })
        .catch(() => undefined);
    }
  }
}
