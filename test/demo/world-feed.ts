/**
 * Feeds a DemoWorld's node reports into a controller Ingest on the simulator's virtual clock, as
 * the demo's MQTT side would (state every 2 s per node, at staggered times; offline when a node
 * is down; every decision as an event), without a broker: for tests of what the controller makes
 * of the simulated mesh.
 */
import type { Ingest } from '../../src/controller/ingest.ts';
import type { DemoWorld } from '../../src/demo/demo-world.ts';

const enc = (x: unknown) => new TextEncoder().encode(JSON.stringify(x));

export class WorldFeed {
  private readonly lastSlot = new Map<string, number>();
  private readonly up = new Map<string, boolean>();

  constructor(
    private readonly world: DemoWorld,
    private readonly ingest: Ingest,
    private readonly site = 'demo',
    private readonly stateEveryMs = 2_000,
  ) {
    world.onEvent((e) => this.ingest.accept(this.topic(e.node, 'events'), enc(e)));
  }

  /** Runs the world `ms` further, reporting as it goes. */
  async run(ms: number): Promise<void> {
    const end = this.world.now() + ms;
    while (this.world.now() < end) {
      await this.world.step(100, 50);
      this.report();
    }
  }

  private report(): void {
    const now = this.world.now();
    this.world.nodeNames.forEach((node, i) => {
      const isUp = this.world.isUp(node);
      if (this.up.get(node) !== isUp) {
        this.up.set(node, isUp);
        this.ingest.accept(this.topic(node, 'status'), enc({ node, online: isUp, at: now }));
      }
      const slot = Math.floor((now - ((i * 83) % this.stateEveryMs)) / this.stateEveryMs);
      if (!isUp || this.lastSlot.get(node) === slot) return;
      this.lastSlot.set(node, slot);
      const state = { ...this.world.report(node), node, at: now, config_version: null };
      this.ingest.accept(this.topic(node, 'state'), enc(state));
    });
  }

  private topic(node: string, channel: string): string {
    return `intelli-mesh/${this.site}/node/${node}/${channel}`;
  }
}
