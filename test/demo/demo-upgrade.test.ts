/**
 * Firmware upgrades of the demo's simulated nodes on virtual time, through the agent's real
 * UpgradeService and the node's SimSystemUpgrade (no broker: the link records what the node
 * would publish). A boot of the node is a fresh agent, as on a router: a new service that reads
 * the journal from the node's flash and answers the upgrade after the reboot.
 */
import { describe, expect, it } from 'vitest';
import { UpgradeService } from '../../src/agent/upgrade/upgrade-service.ts';
import type { CommandResult, UpgradeCommand } from '../../src/mqtt/messages.ts';
import { DEMO_FIRMWARE, DEMO_IMAGES } from '../../src/demo/demo-images.ts';
import { DemoWorld } from '../../src/demo/demo-world.ts';

const [GOOD, BRICKS, OTHER_BOARD] = DEMO_IMAGES as [
  (typeof DEMO_IMAGES)[0],
  (typeof DEMO_IMAGES)[0],
  (typeof DEMO_IMAGES)[0],
];

/** A node's agent side: a new UpgradeService for each boot, results collected across boots. */
function nodeAgent(world: DemoWorld, node: string) {
  const results: CommandResult[] = [];
  let service: UpgradeService | undefined;
  let boots = 0;
  const boot = async () => {
    boots++;
    service?.stop();
    service = new UpgradeService({
      node,
      scheduler: world.sim.scheduler,
      system: world.firmware(node),
      link: {
        publishResult: async (r) => void results.push(r),
        publishEvent: async () => {},
      },
    });
    await service.start();
  };
  /** What the demo's node link does every 250 ms: a node that came back up gets a fresh agent. */
  let wasUp = world.isUp(node);
  const sync = async () => {
    const up = world.isUp(node);
    if (up && !wasUp) await boot();
    if (!up) service?.stop();
    wasUp = up;
  };
  const statuses = () => results.map((r) => (r.code ? `${r.status} [${r.code}]` : r.status));
  return {
    results,
    statuses,
    boot,
    sync,
    get boots() {
      return boots;
    },
    handle: (c: UpgradeCommand) => service!.handle(c),
  };
}

const command = (image: (typeof DEMO_IMAGES)[0], sha256 = image.sha256): UpgradeCommand => ({
  id: 'upgrade:c1',
  kind: 'upgrade',
  image_url: image.url,
  sha256,
  version: image.version,
});

/** Steps the world, keeping the node's agent in step with its boots. */
async function run(world: DemoWorld, agent: ReturnType<typeof nodeAgent>, ms: number) {
  for (let t = 0; t < ms; t += 250) {
    await world.step(250);
    await agent.sync();
  }
}

describe('demo nodes upgrade their firmware (virtual time)', () => {
  it('a good image: downloaded, verified, installed, rebooted, back running the new version', async () => {
    const world = new DemoWorld({ nodes: 24, seed: 5 });
    await world.step(5_000);
    const n = nodeAgent(world, 'n7');
    await n.boot();
    expect(await world.firmware('n7').runningVersion()).toBe(DEMO_FIRMWARE);
    const start = world.now();
    n.handle(command(GOOD));
    await run(world, n, 10_000);
    // 9 MiB at about 20 Mbit/s, the image test, then the node goes down to flash it.
    expect(n.statuses()).toEqual([
      'accepted',
      'downloading',
      'verified',
      'installing',
      'rebooting',
    ]);
    expect(world.isUp('n7')).toBe(false);
    await run(world, n, 50_000);
    expect(world.isUp('n7')).toBe(true);
    expect(n.boots).toBe(2);
    expect(await world.firmware('n7').runningVersion()).toBe(GOOD.version);
    expect(n.statuses().at(-1)).toBe('done');
    const done = n.results.at(-1)!;
    expect(done.reason).toBe(`running ${GOOD.version} after the reboot (was ${DEMO_FIRMWARE})`);
    // Download, test, shutdown, then 20 s of flashing and 25 s of booting.
    expect(done.at - start).toBeGreaterThan(45_000 + 3_000 + 1_500 + 3_000);
    expect(done.at - start).toBeLessThan(60_000);
    expect(world.flashOf('n7').journal).toBeUndefined();
    // Its neighbours still reach it through the mesh after the reboot.
    expect(world.report('n7').neighbours.length).toBeGreaterThan(0);
  }, 60_000);

  it('an image that bricks the node: down for good, until a restore boots the old firmware', async () => {
    const world = new DemoWorld({ nodes: 24, seed: 6 });
    await world.step(5_000);
    const n = nodeAgent(world, 'n9');
    await n.boot();
    n.handle(command(BRICKS));
    await run(world, n, 600_000);
    expect(world.isUp('n9')).toBe(false);
    expect(n.statuses().at(-1)).toBe('rebooting');
    world.faults.apply({ action: 'restore-node', node: 'n9' });
    await run(world, n, 1_000);
    expect(world.isUp('n9')).toBe(true);
    expect(await world.firmware('n9').runningVersion()).toBe(DEMO_FIRMWARE);
    expect(n.statuses().at(-1)).toBe('failed [version-mismatch]');
  }, 60_000);

  it('an image for another board fails the test and a wrong checksum fails before it: no reboot', async () => {
    const world = new DemoWorld({ nodes: 24, seed: 7 });
    await world.step(5_000);
    const n = nodeAgent(world, 'n3');
    await n.boot();
    n.handle(command(OTHER_BOARD));
    await run(world, n, 10_000);
    expect(n.statuses()).toEqual(['accepted', 'downloading', 'verified', 'failed [image-test]']);
    n.handle({ ...command(GOOD, OTHER_BOARD.sha256), id: 'upgrade:c2' });
    await run(world, n, 10_000);
    expect(n.statuses().slice(4)).toEqual(['accepted', 'downloading', 'failed [checksum]']);
    n.handle({ ...command(GOOD), id: 'upgrade:c3', image_url: `${GOOD.url}.missing` });
    await run(world, n, 10_000);
    expect(n.results.at(-1)).toMatchObject({
      status: 'failed',
      code: 'download',
      reason: `${GOOD.url}.missing: HTTP 404 Not Found`,
    });
    expect(world.isUp('n3')).toBe(true);
    expect(n.boots).toBe(1);
    expect(await world.firmware('n3').runningVersion()).toBe(DEMO_FIRMWARE);
  }, 60_000);
});
