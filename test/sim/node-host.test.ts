import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/core/random.ts';
import { VirtualScheduler } from '../../src/core/virtual-scheduler.ts';
import { SimChannel } from '../../src/sim/channel.ts';
import { DEFAULT_LINK } from '../../src/sim/link-params.ts';
import { type NodeApp, SimNode } from '../../src/sim/node-host.ts';
import { SimRadio } from '../../src/sim/radio.ts';
import { Trace } from '../../src/sim/trace.ts';

function setup() {
  const scheduler = new VirtualScheduler();
  const channel = new SimChannel(seededRandom(1));
  channel.addLink('a', 'b', { ...DEFAULT_LINK, latencyMs: 3 });
  const lines: string[] = [];
  const radio = new SimRadio(scheduler, channel, new Trace((l) => lines.push(l)), 100);
  const deps = {
    scheduler,
    radio,
    random: seededRandom(1),
    emit: () => {},
    addressOf: () => 1,
    nameOf: String,
  };
  return { scheduler, radio, deps, lines };
}

describe('SimNode hosting several applications', () => {
  it('runs apps side by side on separate ports, and a crash silences timers and radio', () => {
    const { scheduler, deps, lines } = setup();
    const heard: string[] = [];
    const ticks: number[] = [];
    let boots = 0;
    const ticker = (
      ctx: Parameters<ConstructorParameters<typeof SimNode>[3][number]>[0],
    ): NodeApp => {
      boots++;
      const loop = (): void => {
        ticks.push(ctx.scheduler.now());
        ctx.medium('p1').send(Uint8Array.of(1));
        ctx.scheduler.after(10, loop);
      };
      ctx.scheduler.after(10, loop);
      return { name: 'ticker', stop: () => {} };
    };
    const listener = (ctx: Parameters<typeof ticker>[0]): NodeApp => {
      ctx
        .medium('p1')
        .onFrame((f, from) => heard.push(`${ctx.node}<${from}@${ctx.scheduler.now()}`));
      ctx.medium('p2').onFrame(() => heard.push('wrong port'));
      return { name: 'listener', stop: () => {} };
    };
    const a = new SimNode('a', 1, deps, [ticker]);
    const b = new SimNode('b', 2, deps, [listener]);
    a.boot();
    b.boot();
    scheduler.runUntil(25);
    expect(ticks).toEqual([10, 20]);
    expect(heard).toEqual(['b<a@13', 'b<a@23']);
    a.crash();
    scheduler.runUntil(100);
    expect(ticks).toEqual([10, 20]); // no timer of the crashed boot fires
    expect(a.app('ticker')).toBeUndefined();
    a.boot(); // a reboot starts fresh applications
    expect(boots).toBe(2);
    scheduler.runUntil(115);
    expect(ticks).toEqual([10, 20, 110]);
    b.crash();
    scheduler.runUntil(125);
    expect(heard).toHaveLength(3);
    // the frame reached b's antenna while b was off: traced as a drop, never delivered
    expect(
      lines.filter((l) => l.includes('"src":"drop"') && l.includes('"reason":"receiver-down"')),
    ).toHaveLength(1);
  });
});
