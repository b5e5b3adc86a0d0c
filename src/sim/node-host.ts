/**
 * Hosting of several applications (routing engine, meshlink node, later the agent) on one
 * simulated node, with a lifecycle: `boot` creates fresh applications from their factories
 * (a reboot loses all state, as on a real router), `crash` stops them and silences the node.
 * Timers an application set before a crash never fire after it.
 *
 * @example
 * const node = new SimNode({ name: 'n1', address: 1, ... }, [routingApp(opts), trafficApp()]);
 * node.boot();
 * node.app<RoutingApp>('batman')?.nextHop(7);
 */
import type { MeshEvent } from '../core/events.ts';
import type { Medium } from '../core/medium.ts';
import type { Random } from '../core/random.ts';
import type { Scheduler, TimerHandle } from '../core/scheduler.ts';
import type { SimRadio } from './radio.ts';
import type { SimWan } from './wan.ts';

export interface NodeContext {
  readonly node: string;
  readonly address: number;
  /** Node-scoped: timers die with the node. */
  readonly scheduler: Scheduler;
  /** A stream for this boot of this node. */
  readonly random: Random;
  readonly wans: ReadonlyMap<string, SimWan>;
  /** A Medium on this node's radio for a protocol port ('ogm', 'data', 'meshlink', ...). */
  medium(port: string): Medium;
  /** Another application on the same node, by name. */
  app<T extends NodeApp>(name: string): T | undefined;
  /** Records a decision (route change, gateway choice) in the trace. */
  emit(event: MeshEvent): void;
  addressOf(node: string): number | undefined;
  nameOf(address: number): string;
}

export interface NodeApp {
  readonly name: string;
  stop(): void;
}

export type AppFactory = (ctx: NodeContext) => NodeApp;

export interface NodeHostDeps {
  scheduler: Scheduler;
  radio: SimRadio;
  random: Random;
  emit(event: MeshEvent): void;
  addressOf(node: string): number | undefined;
  nameOf(address: number): string;
}

/** Cancels every timer of one boot at once: each timer checks the boot epoch before running. */
class EpochScheduler implements Scheduler {
  constructor(
    private readonly inner: Scheduler,
    private readonly isCurrent: () => boolean,
  ) {}

  now(): number {
    return this.inner.now();
  }

  after(delayMs: number, fn: () => void): TimerHandle {
    return this.inner.after(delayMs, () => {
      if (this.isCurrent()) fn();
    });
  }
}

export class SimNode {
  readonly wans = new Map<string, SimWan>();
  private apps = new Map<string, NodeApp>();
  private media: Medium[] = [];
  private epoch = 0;
  private running = false;
  private boots = 0;

  constructor(
    readonly name: string,
    readonly address: number,
    private readonly deps: NodeHostDeps,
    private readonly factories: AppFactory[],
  ) {}

  get up(): boolean {
    return this.running;
  }

  app<T extends NodeApp>(name: string): T | undefined {
    return this.running ? (this.apps.get(name) as T | undefined) : undefined;
  }

  boot(): void {
    if (this.running) return;
    this.running = true;
    this.boots++;
    const epoch = ++this.epoch;
    this.deps.radio.setNodeUp(this.name, true);
    const ctx: NodeContext = {
      node: this.name,
      address: this.address,
      scheduler: new EpochScheduler(
        this.deps.scheduler,
        () => this.running && this.epoch === epoch,
      ),
      random: this.deps.random.fork(`${this.name}/boot${this.boots}`),
      wans: this.wans,
      medium: (port) => {
        const m = this.deps.radio.attach(this.name, port);
        this.media.push(m);
        return m;
      },
      app: <T extends NodeApp>(name: string) => this.apps.get(name) as T | undefined,
      emit: (e) => this.deps.emit(e),
      addressOf: this.deps.addressOf,
      nameOf: this.deps.nameOf,
    };
    for (const f of this.factories) {
      const app = f(ctx);
      this.apps.set(app.name, app);
    }
  }

  crash(): void {
    if (!this.running) return;
    this.running = false;
    this.deps.radio.setNodeUp(this.name, false);
    for (const app of this.apps.values()) app.stop();
    for (const m of this.media) void m.close();
    this.media = [];
    this.apps = new Map();
  }
}
