import { describe, expect, it } from 'vitest';
import type { ConfigCommand } from '../../mqtt/messages.ts';
import {
  ConfigTransaction,
  type TransactionOutput,
  type ValidateConfig,
} from './config-transaction.ts';

interface Cfg {
  weight: number;
}

const validate: ValidateConfig<Cfg> = (config) => {
  const weight = (config as { weight?: unknown } | null)?.weight;
  return typeof weight === 'number' && weight >= 1 && weight <= 1000
    ? { ok: true, config: { weight } }
    : { ok: false, errors: [{ path: 'weight', message: 'must be a number in 1..1000' }] };
};

function tx() {
  return new ConfigTransaction<Cfg>({
    node: 'n1',
    validate,
    initial: { version: 'v1', config: { weight: 1 } },
    defaultConfirmTimeoutMs: 30_000,
  });
}

const apply = (
  id: string,
  version: string,
  weight: unknown,
  confirm_timeout_s?: number,
): ConfigCommand => ({
  id,
  kind: 'config.apply',
  version,
  config: { weight },
  ...(confirm_timeout_s ? { confirm_timeout_s } : {}),
});

/** The outputs reduced to what a reader checks: results' status, applies, event kinds. */
function summary(outputs: TransactionOutput<Cfg>[]): string[] {
  return outputs.map((o) =>
    o.type === 'result'
      ? `result ${o.result.id} ${o.result.status}`
      : o.type === 'apply'
        ? `apply ${o.version}${o.rollback ? ' (rollback)' : ''} weight=${o.config.weight}`
        : `event ${o.event.kind} ${o.event.from}->${o.event.to}`,
  );
}

describe('ConfigTransaction', () => {
  it('applies, awaits and takes a confirmation', () => {
    const t = tx();
    expect(summary(t.handle(apply('c1', 'v2', 5), 0))).toEqual([
      'result c1 accepted',
      'apply v2 weight=5',
    ]);
    expect(t.state).toBe('applying');
    expect(summary(t.applied(true, 'ok', 100))).toEqual([
      'result c1 applied',
      'event config v1->v2',
    ]);
    expect(t.nextDeadline()).toBe(30_100);
    expect(summary(t.handle({ id: 'c2', kind: 'config.confirm', version: 'v2' }, 5_000))).toEqual([
      'result c2 confirmed',
      'event config v1->v2',
    ]);
    expect(t.state).toBe('stable');
    expect(t.current).toEqual({ version: 'v2', config: { weight: 5 } });
    expect(t.tick(60_000)).toEqual([]);
  });

  it('rejects an invalid configuration with every error and keeps the running one', () => {
    const t = tx();
    const out = t.handle(apply('c1', 'v2', 'heavy'), 0);
    expect(summary(out)).toEqual(['result c1 rejected']);
    const result = out[0]!.type === 'result' ? out[0]!.result : undefined;
    expect(result?.errors).toEqual([{ path: 'weight', message: 'must be a number in 1..1000' }]);
    expect(result?.reason).toMatch(/v1 kept/);
    expect(t.state).toBe('stable');
    expect(t.current.version).toBe('v1');
  });

  it('rolls back by itself when no confirmation comes in time', () => {
    const t = tx();
    t.handle(apply('c1', 'v2', 5, 10), 0);
    t.applied(true, 'ok', 0);
    expect(t.tick(9_999)).toEqual([]);
    expect(summary(t.tick(10_000))).toEqual([
      'event config-rollback v2->v1',
      'apply v1 (rollback) weight=1',
    ]);
    expect(t.state).toBe('rolling-back');
    const done = t.applied(true, 'ok', 10_050);
    expect(summary(done)).toEqual(['result c1 rolled-back']);
    expect(done[0]!.type === 'result' && done[0]!.result.reason).toMatch(
      /no confirmation within 10 s; back to v1/,
    );
    expect(t.current.version).toBe('v1');
    // A confirmation arriving late confirms nothing.
    expect(summary(t.handle({ id: 'c9', kind: 'config.confirm', version: 'v2' }, 11_000))).toEqual([
      'result c9 rejected',
    ]);
  });

  it('rolls back at once when the controller or the WAN goes away while unconfirmed', () => {
    for (const what of ['controller', 'wan'] as const) {
      const t = tx();
      t.handle(apply('c1', 'v2', 5), 0);
      t.applied(true, 'ok', 10);
      expect(summary(t.connectivityLost(what, 2_000))).toEqual([
        'event config-rollback v2->v1',
        'apply v1 (rollback) weight=1',
      ]);
      const done = t.applied(true, 'ok', 2_010);
      expect(done[0]!.type === 'result' && done[0]!.result.reason).toContain(`lost its ${what}`);
    }
  });

  it('waits for an apply in progress before rolling back after a loss', () => {
    const t = tx();
    t.handle(apply('c1', 'v2', 5), 0);
    expect(t.connectivityLost('wan', 5)).toEqual([]);
    expect(summary(t.applied(true, 'ok', 20))).toEqual([
      'event config-rollback v2->v1',
      'apply v1 (rollback) weight=1',
    ]);
  });

  it('restores the previous configuration when applying fails', () => {
    const t = tx();
    t.handle(apply('c1', 'v2', 5), 0);
    expect(summary(t.applied(false, 'uci commit: I/O error', 10))).toEqual([
      'event config-rollback v2->v1',
      'apply v1 (rollback) weight=1',
    ]);
    const done = t.applied(true, 'ok', 20);
    expect(done[0]!.type === 'result' && done[0]!.result.status).toBe('failed');
    expect(done[0]!.type === 'result' && done[0]!.result.reason).toMatch(/uci commit: I\/O error/);
  });

  it('reports a failed rollback loudly', () => {
    const t = tx();
    t.handle(apply('c1', 'v2', 5, 1), 0);
    t.applied(true, 'ok', 0);
    t.tick(1_000);
    expect(summary(t.applied(false, 'disk full', 1_010))).toEqual([
      'result c1 failed',
      'event config-rollback-failed v2->v1',
    ]);
  });

  it('answers a redelivered command with its latest result and never re-applies', () => {
    const t = tx();
    t.handle(apply('c1', 'v2', 5), 0);
    t.applied(true, 'ok', 10);
    expect(summary(t.handle(apply('c1', 'v2', 5), 20))).toEqual(['result c1 applied']);
    t.handle({ id: 'c2', kind: 'config.confirm', version: 'v2' }, 30);
    expect(summary(t.handle(apply('c1', 'v2', 5), 40))).toEqual(['result c1 confirmed']);
  });

  it('refuses a second change while one is unconfirmed', () => {
    const t = tx();
    t.handle(apply('c1', 'v2', 5), 0);
    const out = t.handle(apply('c2', 'v3', 7), 1);
    expect(summary(out)).toEqual(['result c2 rejected']);
    expect(out[0]!.type === 'result' && out[0]!.result.reason).toMatch(/busy: v2 is applying/);
  });

  it('remembers a bounded number of command ids', () => {
    const t = new ConfigTransaction<Cfg>({
      node: 'n1',
      validate,
      initial: { version: 'v1', config: { weight: 1 } },
      rememberedCommands: 3,
    });
    for (let i = 0; i < 10; i++) t.handle({ id: `p${i}`, kind: 'ping' }, i);
    // p0 was forgotten, so it is answered afresh (time 99), p9 is remembered (time 9).
    const again = (id: string) => {
      const o = t.handle({ id, kind: 'ping' }, 99)[0]!;
      return o.type === 'result' ? o.result.at : -1;
    };
    expect(again('p9')).toBe(9);
    expect(again('p0')).toBe(99);
  });
});
