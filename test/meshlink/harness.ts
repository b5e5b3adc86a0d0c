/**
 * Builds meshlink nodes on the in-memory medium and virtual time, for the integration suites.
 *
 * @example
 * const net = lineNetwork([1, 2, 3], { lossRate: 0.1 });
 * const reply = net.run(net.hosts[0]!.ping(3));
 */
import { seededRandom } from '../../src/core/random.ts';
import { VirtualScheduler } from '../../src/core/virtual-scheduler.ts';
import { MeshlinkHost, type MeshlinkHostOptions } from '../../src/meshlink/meshlink-host.ts';
import { MemoryHub, UniformLinkModel } from '../../src/transport/index.ts';

export interface NetworkOptions {
  lossRate?: number;
  mtu?: number;
  seed?: number;
  latencyMs?: number;
  node?: Partial<MeshlinkHostOptions>;
}

export interface Network {
  scheduler: VirtualScheduler;
  hub: MemoryHub;
  model: UniformLinkModel;
  hosts: MeshlinkHost[];
  /** Runs virtual time until the promise settles (or `limitMs` passes) and returns its outcome. */
  settle<T>(p: Promise<T>, limitMs?: number): Promise<{ value?: T; error?: Error }>;
}

export function lineNetwork(addresses: number[], options: NetworkOptions = {}): Network {
  const names = addresses.map((a) => `n${a}`);
  const model = UniformLinkModel.line(names, {
    lossRate: options.lossRate ?? 0,
    latencyMs: options.latencyMs ?? 2,
    seed: options.seed ?? 1,
  });
  return network(addresses, model, options);
}

export function network(
  addresses: number[],
  model: UniformLinkModel,
  options: NetworkOptions = {},
): Network {
  const scheduler = new VirtualScheduler();
  const hub = new MemoryHub(scheduler, model, { mtu: options.mtu ?? 32 });
  const rng = seededRandom(options.seed ?? 1);
  const hosts = addresses.map(
    (address) =>
      new MeshlinkHost({
        address,
        medium: hub.attach(`n${address}`),
        scheduler,
        random: rng.fork(`node-${address}`),
        ...options.node,
      }),
  );
  const settle = async <T>(p: Promise<T>, limitMs = 120_000) => {
    let outcome: { value?: T; error?: Error } | undefined;
    p.then(
      (value) => (outcome = { value }),
      (error: Error) => (outcome = { error }),
    );
    const end = scheduler.now() + limitMs;
    let idle = 0;
    while (outcome === undefined && scheduler.now() < end) {
      const next = scheduler.nextEventAt();
      if (next === undefined) {
        // Stream writes move on through nextTick/setImmediate: let them run before giving up.
        if (++idle > 20) break;
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      idle = 0;
      if (next > end) break;
      scheduler.step();
      // Let promise callbacks run between events.
      await Promise.resolve();
      await Promise.resolve();
    }
    for (let i = 0; i < 5 && outcome === undefined; i++) await Promise.resolve();
    return outcome ?? { error: new Error('did not settle within the virtual time limit') };
  };
  return { scheduler, hub, model, hosts, settle };
}
