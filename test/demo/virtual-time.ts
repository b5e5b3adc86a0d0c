/**
 * Steps a demo world on virtual time in small slices, letting promise callbacks (probe results,
 * platform actions) run between slices as they would between timer callbacks in real time.
 *
 * @example
 * await stepWorld(world, 30_000);
 */
import type { DemoWorld } from '../../src/demo/demo-world.ts';

export async function stepWorld(world: DemoWorld, ms: number, sliceMs = 10): Promise<void> {
  const end = world.now() + ms;
  while (world.now() < end) {
    world.advanceTo(Math.min(end, world.now() + sliceMs));
    await new Promise((r) => setImmediate(r));
  }
}
