/**
 * A node's firmware upgrade as a state machine, so that a bad image never bricks the node: the
 * image is downloaded, its SHA-256 checked, tested by the system (`sysupgrade -T`), the pending
 * upgrade written to a journal that survives the reboot, and only then installed. Any failure
 * before the install leaves the running firmware untouched and is answered `failed` with a code
 * and a reason. After the reboot the journal says which upgrade was under way: the node answers
 * it `done` if it now runs the expected version, `failed` (`version-mismatch`) otherwise.
 *
 * Sans-IO: commands, step outcomes and ticks go in with `now`; steps to carry out, command
 * results and events come out. The agent's UpgradeService carries the steps out on a
 * SystemUpgrade. A redelivered command gets its latest answer again, never a second install.
 *
 * @example
 * const job = new UpgradeJob({ node: 'n1', running: 'A', supported: true });
 * job.handle({ id: 'u1', kind: 'upgrade', image_url, sha256, version: 'B' }, 0);
 * // -> results accepted, downloading; { type: 'download', url, maxBytes, timeoutMs }
 * job.downloaded({ ok: true, image: { path: '/tmp/i.img', bytes: 9e6, sha256 } }, 4_000);
 * // -> result verified; { type: 'test', image }
 */
import type { MeshEvent } from '../../core/events.ts';
import {
  UPGRADE_MAX_BYTES_DEFAULT,
  type CommandResult,
  type UpgradeCommand,
  type UpgradeFailureCode,
} from '../../mqtt/messages.ts';
import type { PendingUpgrade } from './pending-upgrade.ts';

export interface ImageRef {
  path: string;
  bytes: number;
  sha256: string;
}

export type UpgradeOutput =
  | { type: 'download'; url: string; maxBytes: number; timeoutMs: number }
  | { type: 'test'; image: ImageRef }
  | { type: 'save'; pending: PendingUpgrade }
  | { type: 'install'; image: ImageRef }
  | { type: 'discard'; image: ImageRef }
  /** Remove the journal: the upgrade it named is answered. */
  | { type: 'clear' }
  /** `urgent`: deliver it before carrying out the outputs after it (the install may end us). */
  | { type: 'result'; result: CommandResult; urgent?: boolean }
  | { type: 'event'; event: MeshEvent };

export type UpgradePhase =
  'idle' | 'downloading' | 'testing' | 'saving' | 'installing' | 'rebooting';

export type DownloadOutcome =
  { ok: true; image: ImageRef } | { ok: false; code: 'download' | 'too-large'; detail: string };

export interface UpgradeJobOptions {
  node: string;
  /** The firmware running now, as the node reports it (`firmware_version`). */
  running: string | null;
  /** Why this node cannot install firmware (no system upgrade on its platform), if it cannot. */
  unsupported?: string;
  /** How long after the install began the node may still run before it is failed. @default 600000 */
  rebootTimeoutMs?: number;
  /** @default 600000 */
  defaultDownloadTimeoutMs?: number;
  /** Command ids remembered to answer redeliveries. @default 32 */
  rememberedCommands?: number;
}

interface Job {
  command: UpgradeCommand;
  phase: Exclude<UpgradePhase, 'idle'>;
  image: ImageRef | undefined;
  deadline: number | undefined;
}

export class UpgradeJob {
  private job: Job | undefined;
  private readonly answered = new Map<string, CommandResult>();
  private readonly rebootTimeoutMs: number;
  private readonly downloadTimeoutMs: number;
  private readonly remembered: number;

  constructor(private readonly o: UpgradeJobOptions) {
    this.rebootTimeoutMs = o.rebootTimeoutMs ?? 600_000;
    this.downloadTimeoutMs = o.defaultDownloadTimeoutMs ?? 600_000;
    this.remembered = o.rememberedCommands ?? 32;
  }

  get phase(): UpgradePhase {
    return this.job?.phase ?? 'idle';
  }

  nextDeadline(): number | undefined {
    return this.job?.deadline;
  }

  /**
   * At start: the journal the previous run left (if any) decides the answer to the upgrade it
   * named, from the version this boot runs.
   */
  resume(pending: PendingUpgrade | undefined, now: number): UpgradeOutput[] {
    if (!pending) return [];
    const running = this.o.running;
    if (running === pending.version) {
      const reason = `running ${running} after the reboot (was ${pending.from})`;
      return [
        this.result(pending.id, 'done', now, pending.version, reason),
        this.event(now, pending.version, pending.from, running, reason, 'upgrade'),
        { type: 'clear' },
      ];
    }
    const reason = `after the reboot the node runs ${running ?? 'an unknown version'}, not ${pending.version}`;
    return [
      this.result(pending.id, 'failed', now, pending.version, reason, 'version-mismatch'),
      this.event(now, pending.version, pending.from, running, reason, 'upgrade-failed'),
      { type: 'clear' },
    ];
  }

  handle(command: UpgradeCommand, now: number): UpgradeOutput[] {
    const repeated = this.answered.get(command.id);
    if (repeated) return [{ type: 'result', result: repeated }];
    if (this.o.unsupported !== undefined)
      return [
        this.result(
          command.id,
          'rejected',
          now,
          command.version,
          this.o.unsupported,
          'unsupported',
        ),
      ];
    if (this.job) {
      const j = this.job;
      const why = `busy: upgrading to ${j.command.version} (${j.phase})`;
      return [this.result(command.id, 'rejected', now, command.version, why, 'busy')];
    }
    const running = this.o.running;
    if (command.version === running)
      return [this.result(command.id, 'done', now, command.version, `already running ${running}`)];
    this.job = { command, phase: 'downloading', image: undefined, deadline: undefined };
    const from = running ?? 'an unknown version';
    return [
      this.result(command.id, 'accepted', now, command.version, `upgrading from ${from}`),
      this.event(
        now,
        command.version,
        running,
        command.version,
        `upgrade requested: ${command.image_url}`,
        'upgrade',
      ),
      this.result(
        command.id,
        'downloading',
        now,
        command.version,
        `downloading ${command.image_url}`,
      ),
      {
        type: 'download',
        url: command.image_url,
        maxBytes: command.max_bytes ?? UPGRADE_MAX_BYTES_DEFAULT,
        timeoutMs: (command.download_timeout_s ?? this.downloadTimeoutMs / 1000) * 1000,
      },
    ];
  }

  downloaded(outcome: DownloadOutcome, now: number): UpgradeOutput[] {
    const j = this.job;
    if (!j || j.phase !== 'downloading')
      return outcome.ok ? [{ type: 'discard', image: outcome.image }] : [];
    if (!outcome.ok) return this.fail(now, outcome.code, outcome.detail);
    const image = outcome.image;
    if (image.sha256 !== j.command.sha256) {
      return [
        { type: 'discard', image },
        ...this.fail(
          now,
          'checksum',
          `checksum mismatch: the ${image.bytes} bytes downloaded have SHA-256 ${image.sha256}, expected ${j.command.sha256}`,
        ),
      ];
    }
    j.image = image;
    j.phase = 'testing';
    return [
      this.result(
        j.command.id,
        'verified',
        now,
        j.command.version,
        `${image.bytes} bytes, SHA-256 matches; testing the image`,
      ),
      { type: 'test', image },
    ];
  }

  tested(ok: boolean, detail: string, now: number): UpgradeOutput[] {
    const j = this.job;
    if (!j || j.phase !== 'testing' || !j.image) return [];
    if (!ok)
      return [
        { type: 'discard', image: j.image },
        ...this.fail(now, 'image-test', `image test failed: ${detail}`),
      ];
    j.phase = 'saving';
    return [
      {
        type: 'save',
        pending: {
          id: j.command.id,
          version: j.command.version,
          from: this.o.running ?? '',
          image_url: j.command.image_url,
          sha256: j.command.sha256,
          at: now,
        },
      },
    ];
  }

  saved(ok: boolean, detail: string, now: number): UpgradeOutput[] {
    const j = this.job;
    if (!j || j.phase !== 'saving' || !j.image) return [];
    if (!ok)
      return [
        { type: 'discard', image: j.image },
        ...this.fail(now, 'save', `the pending upgrade could not be saved: ${detail}`),
      ];
    j.phase = 'installing';
    const result = this.result(
      j.command.id,
      'installing',
      now,
      j.command.version,
      'image tested; installing, keeping the configuration; the node will reboot',
    );
    return [
      { ...result, urgent: true },
      { type: 'install', image: j.image },
    ];
  }

  installed(ok: boolean, detail: string, now: number): UpgradeOutput[] {
    const j = this.job;
    if (!j || j.phase !== 'installing' || !j.image) return [];
    if (!ok)
      return [
        { type: 'discard', image: j.image },
        { type: 'clear' },
        ...this.fail(now, 'install', `install failed: ${detail}`),
      ];
    j.phase = 'rebooting';
    j.deadline = now + this.rebootTimeoutMs;
    const reason = `installed; rebooting into ${j.command.version}`;
    return [
      this.result(j.command.id, 'rebooting', now, j.command.version, reason),
      this.event(now, j.command.version, this.o.running, j.command.version, reason, 'upgrade'),
    ];
  }

  /** Still running long after the install began: the reboot did not happen. */
  tick(now: number): UpgradeOutput[] {
    const j = this.job;
    if (!j || j.phase !== 'rebooting' || j.deadline === undefined || now < j.deadline) return [];
    const running = this.o.running ?? 'the old firmware';
    return [
      ...(j.image ? [{ type: 'discard' as const, image: j.image }] : []),
      { type: 'clear' as const },
      ...this.fail(
        now,
        'no-reboot',
        `still running ${running} ${this.rebootTimeoutMs / 1000} s after the install began`,
      ),
    ];
  }

  private fail(now: number, code: UpgradeFailureCode, reason: string): UpgradeOutput[] {
    const j = this.job!;
    this.job = undefined;
    const v = j.command.version;
    return [
      this.result(j.command.id, 'failed', now, v, reason, code),
      this.event(now, v, this.o.running, this.o.running, reason, 'upgrade-failed'),
    ];
  }

  private result(
    id: string,
    status: CommandResult['status'],
    at: number,
    version: string,
    reason: string,
    code?: UpgradeFailureCode,
  ): { type: 'result'; result: CommandResult } {
    const result: CommandResult = {
      id,
      node: this.o.node,
      at,
      status,
      version,
      reason,
      ...(code ? { code } : {}),
    };
    this.answered.delete(id);
    this.answered.set(id, result);
    while (this.answered.size > this.remembered)
      this.answered.delete(this.answered.keys().next().value!);
    return { type: 'result', result };
  }

  private event(
    at: number,
    subject: string,
    from: string | null,
    to: string | null,
    reason: string,
    kind: 'upgrade' | 'upgrade-failed',
  ): { type: 'event'; event: MeshEvent } {
    return { type: 'event', event: { at, node: this.o.node, kind, subject, from, to, reason } };
  }
}
