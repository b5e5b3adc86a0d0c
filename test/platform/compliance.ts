/**
 * The one compliance suite every Platform passes (linux now; sim and openwrt later). A platform
 * under test comes with a harness that can see the effects: which WAN carries new client traffic,
 * and how to break a WAN. Each implementation's test file is a few lines that call this.
 *
 * @example
 * platformCompliance('linux', async () => linuxHarness(await NetnsLab.create()));
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform, RoutingPlan } from '../../src/platform/platform.ts';

export interface PlatformHarness {
  platform: Platform;
  /** The two WANs' names, primary first. */
  wans: [string, string];
  /** The WAN devices readInterfaces must list. */
  devices: [string, string];
  /** A probe target reachable through both WANs. */
  probeTarget: string;
  /** Which WAN (0 or 1) carried a new client connection, or null when it was lost. */
  carrier(): Promise<0 | 1 | null>;
  /** Silently drops everything on WAN `i` upstream. */
  breakWan(i: 0 | 1): Promise<void>;
  healWan(i: 0 | 1): Promise<void>;
  /** Checks nothing of the platform's state is left after close. */
  residue(): Promise<string[]>;
  destroy(): Promise<void>;
}

const only = (wan: string): RoutingPlan => ({
  rules: [{ name: 'default', match: {}, target: { kind: 'wans', shares: [{ wan, weight: 1 }] } }],
  meshGateway: null,
});

export function platformCompliance(
  name: string,
  make: () => Promise<PlatformHarness>,
  skip: string | null,
): void {
  describe.skipIf(skip !== null)(
    `Platform compliance: ${name}${skip ? ` (skipped: ${skip})` : ''}`,
    () => {
      let h: PlatformHarness;
      beforeAll(async () => {
        h = await make();
        await h.platform.setup();
      }, 30_000);
      afterAll(async () => {
        if (!h) return;
        try {
          await h.platform.close();
        } finally {
          await h.destroy();
        }
      });

      it('routes new client traffic through the WAN the plan names', async () => {
        await h.platform.applyRouting(only(h.wans[0]));
        expect(await h.carrier()).toBe(0);
        await h.platform.applyRouting(only(h.wans[1]));
        expect(await h.carrier()).toBe(1);
      });

      it('spreads new connections by weight', async () => {
        await h.platform.applyRouting({
          rules: [
            {
              name: 'default',
              match: {},
              target: {
                kind: 'wans',
                shares: [
                  { wan: h.wans[0], weight: 1 },
                  { wan: h.wans[1], weight: 1 },
                ],
              },
            },
          ],
          meshGateway: null,
        });
        const seen = new Set<number | null>();
        for (let i = 0; i < 24 && seen.size < 2; i++) {
          await h.platform.flushConntrack(h.wans[0]);
          await h.platform.flushConntrack(h.wans[1]);
          seen.add(await h.carrier());
        }
        expect([...seen].sort()).toEqual([0, 1]);
      });

      it('probes each WAN separately and reports a broken one', async () => {
        const probe = (wan: string) =>
          h.platform.probe({
            probeId: `${wan}#1`,
            wan,
            target: h.probeTarget,
            method: 'icmp',
            timeoutMs: 300,
          });
        expect(await probe(h.wans[0])).toMatchObject({ probeId: `${h.wans[0]}#1`, ok: true });
        await h.breakWan(0);
        try {
          expect(await probe(h.wans[0])).toEqual({ probeId: `${h.wans[0]}#1`, ok: false });
          expect((await probe(h.wans[1])).ok).toBe(true);
        } finally {
          await h.healWan(0);
        }
      });

      it('flushing a WAN moves its established flows to the new plan', async () => {
        await h.platform.applyRouting(only(h.wans[0]));
        expect(await h.carrier()).toBe(0);
        await h.platform.applyRouting(only(h.wans[1]));
        await h.platform.flushConntrack(h.wans[0]);
        expect(await h.carrier()).toBe(1);
      });

      it('restarts a WAN interface and it carries traffic again', async () => {
        await h.platform.restartInterface(h.wans[0]);
        await h.platform.applyRouting(only(h.wans[0]));
        const probe = () =>
          h.platform.probe({
            probeId: `${h.wans[0]}#2`,
            wan: h.wans[0],
            target: h.probeTarget,
            method: 'icmp',
            timeoutMs: 1000,
          });
        expect((await probe()).ok).toBe(true);
        expect(await h.carrier()).toBe(0);
        await expect(h.platform.restartInterface('nope')).rejects.toMatchObject({
          name: 'PlatformConfigError',
        });
      });

      it('lists its WAN devices with carrier', async () => {
        const ifs = await h.platform.readInterfaces();
        for (const d of h.devices)
          expect(ifs.find((i) => i.name === d)).toMatchObject({ up: true, carrier: true });
      });

      it('rejects a plan naming an unknown WAN and keeps the previous one', async () => {
        await h.platform.applyRouting(only(h.wans[1]));
        await expect(h.platform.applyRouting(only('nope'))).rejects.toMatchObject({
          name: 'PlatformConfigError',
        });
        expect(await h.carrier()).toBe(1);
      });

      it('leaves nothing behind after close, and can be set up again', async () => {
        await h.platform.close();
        expect(await h.residue()).toEqual([]);
        await h.platform.setup();
      });
    },
  );
}
