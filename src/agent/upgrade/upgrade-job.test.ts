import { describe, expect, it } from 'vitest';
import type { UpgradeCommand } from '../../mqtt/messages.ts';
import { commandResultSchema, commandSchema } from '../../mqtt/messages.ts';
import { formatPendingUpgrade, parsePendingUpgrade } from './pending-upgrade.ts';
import { UpgradeJob, type UpgradeOutput } from './upgrade-job.ts';

const SHA = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);
const image = { path: '/tmp/intelli-mesh-upgrade.img', bytes: 9_000_000, sha256: SHA };

const command = (over: Partial<UpgradeCommand> = {}): UpgradeCommand => ({
  id: 'upgrade:c1',
  kind: 'upgrade',
  image_url: 'http://fw.example/b.img',
  sha256: SHA,
  version: 'B',
  ...over,
});

/** One line per output, so a test reads as the sequence the node goes through. */
function lines(outputs: UpgradeOutput[]): string[] {
  return outputs.map((o) => {
    switch (o.type) {
      case 'result': {
        // Every result the core makes is one the controller accepts.
        expect(commandResultSchema.safeParse(o.result).success).toBe(true);
        const code = o.result.code ? ` [${o.result.code}]` : '';
        return `result ${o.result.id} ${o.result.status}${code}${o.urgent ? ' (urgent)' : ''}`;
      }
      case 'event':
        return `event ${o.event.kind} ${o.event.from}->${o.event.to}`;
      case 'download':
        return `download ${o.url} max=${o.maxBytes} timeout=${o.timeoutMs}`;
      case 'save':
        return `save ${o.pending.id} ${o.pending.from}->${o.pending.version}`;
      case 'clear':
        return 'clear';
      default:
        return `${o.type} ${o.image.path}`;
    }
  });
}

const job = (running: string | null = 'A') =>
  new UpgradeJob({ node: 'n1', running, rebootTimeoutMs: 60_000 });

/** Runs a job from the command to `rebooting`. */
function toRebooting(j: UpgradeJob): void {
  j.handle(command(), 0);
  j.downloaded({ ok: true, image }, 1);
  j.tested(true, 'ok', 2);
  j.saved(true, 'ok', 3);
  j.installed(true, 'ok', 4);
}

describe('UpgradeJob', () => {
  it('goes accepted → downloading → verified → installing → rebooting, journal before install', () => {
    const j = job();
    expect(lines(j.handle(command(), 0))).toEqual([
      'result upgrade:c1 accepted',
      'event upgrade A->B',
      'result upgrade:c1 downloading',
      `download http://fw.example/b.img max=${64 * 1024 * 1024} timeout=600000`,
    ]);
    expect(j.phase).toBe('downloading');
    expect(lines(j.downloaded({ ok: true, image }, 4_000))).toEqual([
      'result upgrade:c1 verified',
      'test /tmp/intelli-mesh-upgrade.img',
    ]);
    expect(lines(j.tested(true, 'ok', 5_000))).toEqual(['save upgrade:c1 A->B']);
    expect(lines(j.saved(true, 'ok', 5_010))).toEqual([
      'result upgrade:c1 installing (urgent)',
      'install /tmp/intelli-mesh-upgrade.img',
    ]);
    expect(lines(j.installed(true, 'ok', 8_000))).toEqual([
      'result upgrade:c1 rebooting',
      'event upgrade A->B',
    ]);
    expect(j.phase).toBe('rebooting');
    expect(j.nextDeadline()).toBe(68_000);
  });

  it('takes the size limit and download timeout from the command', () => {
    const out = job().handle(command({ max_bytes: 1000, download_timeout_s: 30 }), 0);
    expect(out).toContainEqual({
      type: 'download',
      url: 'http://fw.example/b.img',
      maxBytes: 1000,
      timeoutMs: 30_000,
    });
  });

  it('refuses a checksum mismatch: the image is discarded, nothing is tested or installed', () => {
    const j = job();
    j.handle(command({ sha256: OTHER }), 0);
    const out = j.downloaded({ ok: true, image }, 10);
    expect(lines(out)).toEqual([
      'discard /tmp/intelli-mesh-upgrade.img',
      'result upgrade:c1 failed [checksum]',
      'event upgrade-failed A->A',
    ]);
    const failed = out.find((o) => o.type === 'result');
    expect(failed?.type === 'result' && failed.result.reason).toContain(`expected ${OTHER}`);
    expect(j.phase).toBe('idle');
  });

  it.each([
    ['download', 'HTTP 404 Not Found'],
    ['too-large', '70000000 bytes, more than the limit'],
  ] as const)('fails a %s error with its reason and code', (code, detail) => {
    const j = job();
    j.handle(command(), 0);
    const out = j.downloaded({ ok: false, code, detail }, 10);
    expect(lines(out)).toEqual([`result upgrade:c1 failed [${code}]`, 'event upgrade-failed A->A']);
    expect(out[0]!.type === 'result' && out[0]!.result.reason).toBe(detail);
  });

  it('refuses an image the system test rejects: discarded, no journal, no install', () => {
    const j = job();
    j.handle(command(), 0);
    j.downloaded({ ok: true, image }, 1);
    expect(lines(j.tested(false, "Image check 'platform_check_image' failed.", 2))).toEqual([
      'discard /tmp/intelli-mesh-upgrade.img',
      'result upgrade:c1 failed [image-test]',
      'event upgrade-failed A->A',
    ]);
  });

  it('does not install when the journal cannot be written', () => {
    const j = job();
    j.handle(command(), 0);
    j.downloaded({ ok: true, image }, 1);
    j.tested(true, 'ok', 2);
    expect(lines(j.saved(false, 'EROFS', 3))).toEqual([
      'discard /tmp/intelli-mesh-upgrade.img',
      'result upgrade:c1 failed [save]',
      'event upgrade-failed A->A',
    ]);
  });

  it('clears the journal when the install fails before the reboot', () => {
    const j = job();
    j.handle(command(), 0);
    j.downloaded({ ok: true, image }, 1);
    j.tested(true, 'ok', 2);
    j.saved(true, 'ok', 3);
    expect(lines(j.installed(false, 'exit 1', 4))).toEqual([
      'discard /tmp/intelli-mesh-upgrade.img',
      'clear',
      'result upgrade:c1 failed [install]',
      'event upgrade-failed A->A',
    ]);
  });

  it('fails the upgrade when the node is still up long after the install', () => {
    const j = job();
    toRebooting(j);
    expect(j.tick(60_003)).toEqual([]);
    expect(lines(j.tick(60_004))).toEqual([
      'discard /tmp/intelli-mesh-upgrade.img',
      'clear',
      'result upgrade:c1 failed [no-reboot]',
      'event upgrade-failed A->A',
    ]);
    expect(j.nextDeadline()).toBeUndefined();
  });

  it('answers done after the reboot when the journal names the version now running', () => {
    const j = job('B');
    const pending = {
      id: 'upgrade:c1',
      version: 'B',
      from: 'A',
      image_url: 'http://fw.example/b.img',
      sha256: SHA,
      at: 3,
    };
    expect(lines(j.resume(pending, 90_000))).toEqual([
      'result upgrade:c1 done',
      'event upgrade A->B',
      'clear',
    ]);
    // The command redelivered after the reboot gets the same answer, not a second install.
    expect(lines(j.handle(command(), 90_100))).toEqual(['result upgrade:c1 done']);
  });

  it('answers failed after a reboot into another version', () => {
    const j = job('A');
    const pending = { id: 'u9', version: 'B', from: 'A', image_url: 'x', sha256: SHA, at: 3 };
    const out = j.resume(pending, 90_000);
    expect(lines(out)).toEqual([
      'result u9 failed [version-mismatch]',
      'event upgrade-failed A->A',
      'clear',
    ]);
    expect(job('A').resume(undefined, 0)).toEqual([]);
  });

  it('answers a command for the running version done at once, without downloading', () => {
    expect(lines(job('B').handle(command(), 0))).toEqual(['result upgrade:c1 done']);
  });

  it('is busy with one upgrade at a time, and repeats its answer to a redelivered command', () => {
    const j = job();
    j.handle(command(), 0);
    expect(lines(j.handle(command({ id: 'other', version: 'C' }), 1))).toEqual([
      'result other rejected [busy]',
    ]);
    expect(lines(j.handle(command(), 2))).toEqual(['result upgrade:c1 downloading']);
    expect(j.phase).toBe('downloading');
  });

  it('refuses every upgrade on a node that cannot install firmware', () => {
    const j = new UpgradeJob({ node: 'n1', running: null, unsupported: 'no system upgrade' });
    expect(lines(j.handle(command(), 0))).toEqual(['result upgrade:c1 rejected [unsupported]']);
  });

  it('drops an image that arrives for an upgrade already given up on', () => {
    const j = job();
    expect(lines(j.downloaded({ ok: true, image }, 0))).toEqual([
      'discard /tmp/intelli-mesh-upgrade.img',
    ]);
    expect(j.tested(true, 'ok', 0)).toEqual([]);
  });
});

describe('upgrade command and journal', () => {
  it('accepts http(s) URLs and lowercase SHA-256 only, and never an erased configuration', () => {
    const ok = {
      id: 'u1',
      kind: 'upgrade',
      image_url: 'https://h/x.bin',
      sha256: SHA,
      version: 'B',
    };
    expect(commandSchema.safeParse(ok).success).toBe(true);
    expect(commandSchema.safeParse({ ...ok, keep_config: true }).success).toBe(true);
    const paths = (v: object) => {
      const r = commandSchema.safeParse({ ...ok, ...v });
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(paths({ image_url: 'ftp://h/x.bin' })).toEqual([
      'image_url: expected an http:// or https:// URL',
    ]);
    expect(paths({ sha256: SHA.toUpperCase() })).toEqual([
      'sha256: expected 64 lowercase hex digits',
    ]);
    expect(paths({ keep_config: false })).toEqual([
      'keep_config: keep_config must be true: the agent needs its configuration',
    ]);
    expect(paths({ max_bytes: 1024 ** 3 })[0]).toMatch(/^max_bytes:/);
  });

  it('round-trips the journal and refuses a damaged one with the path at fault', () => {
    const p = { id: 'u1', version: 'B', from: 'A', image_url: 'http://h/x', sha256: SHA, at: 5 };
    expect(parsePendingUpgrade(formatPendingUpgrade(p))).toEqual({ ok: true, pending: p });
    expect(parsePendingUpgrade('{"id":"u1"')).toMatchObject({ ok: false });
    const bad = parsePendingUpgrade(JSON.stringify({ ...p, version: 7 }));
    expect(bad.ok === false && bad.error).toMatch(/^version: /);
  });
});
