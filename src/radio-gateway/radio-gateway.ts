/**
 * A radio gateway: a meshlink node with its own address that reports the radio network to the
 * controller and runs the controller's commands on it. It learns nodes from pongs (a broadcast
 * ping each round finds the nodes in reach, even the seed's C responder, which answers nothing
 * else), from scans and from messages; pings every known node each round for liveness, RTT and
 * link quality; publishes a retained report per node when it changed, its scan graph, every
 * message addressed to it, and each command's result.
 *
 * No MQTT or socket here: it talks to a `GatewayPublisher` and a `MeshlinkHost` on any medium,
 * on an injected scheduler, so tests run it on the memory hub in virtual time.
 *
 * @example
 * const gw = new RadioGateway({ site: 'lab', network: 'field', gateway: 'gw-1', host, scheduler, publisher });
 * gw.start();
 * link.onCommand((payload) => gw.command(payload));
 */
import type { Logger } from '../core/logger.ts';
import { silentLogger } from '../core/logger.ts';
import type { Scheduler, TimerHandle } from '../core/scheduler.ts';
import { PingTimeoutError, ReceiptTimeoutError, UnreachableError } from '../meshlink/errors.ts';
import type { MeshlinkHost } from '../meshlink/meshlink-host.ts';
import type { MeshStream } from '../meshlink/mesh-stream.ts';
import {
  decodeRadioMessage,
  type RadioCommand,
  type RadioCommandResult,
  type RadioGatewayStatus,
  type RadioGraphReport,
  type RadioMessage,
  type RadioNodeReport,
} from '../mqtt/radio-messages.ts';
import { radioNodeTopic, radioTopic } from '../mqtt/radio-topics.ts';
import { graphAround, mergeGraphs } from './graph-around.ts';
import { RadioNodeTable } from './radio-node-table.ts';

export interface GatewayPublisher {
  publish(topic: string, payload: string, options: { retain: boolean; qos: 0 | 1 }): Promise<void>;
}

export interface RadioGatewayOptions {
  site: string;
  network: string;
  /** The gateway's id: its MQTT username and topic level. */
  gateway: string;
  host: MeshlinkHost;
  scheduler: Scheduler;
  publisher: GatewayPublisher;
  /** Time between ping rounds (a broadcast ping, then each known node). @default 10000 */
  pingIntervalMs?: number;
  /** Time between scans; 0 scans only on command. @default 60000 */
  scanIntervalMs?: number;
  /** Depth of the periodic scan. @default 3 */
  scanDepth?: number;
  logger?: Logger;
}

/** Most recent command ids remembered, so a redelivered command is not run twice. */
const SEEN_COMMANDS = 256;
/** Reports of changed nodes go out together this soon after the first change. */
const REPORT_DELAY_MS = 20;

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export class RadioGateway {
  readonly table: RadioNodeTable;
  private readonly o: Required<Omit<RadioGatewayOptions, 'logger'>>;
  private readonly log: Logger;
  private readonly timers: TimerHandle[] = [];
  private reportTimer: TimerHandle | undefined;
  private readonly seen: string[] = [];
  private stopped = false;
  private readonly detach: (() => void)[] = [];

  constructor(options: RadioGatewayOptions) {
    this.o = {
      pingIntervalMs: 10_000,
      scanIntervalMs: 60_000,
      scanDepth: 3,
      ...options,
    } as Required<Omit<RadioGatewayOptions, 'logger'>>;
    this.log = options.logger ?? silentLogger;
    this.table = new RadioNodeTable(options.host.address);
  }

  get address(): number {
    return this.o.host.address;
  }

  /** Announces the gateway, listens to its host and starts the ping and scan rounds. */
  start(): void {
    const { host } = this.o;
    const onPong = (r: { from: number; rttMs: number; hops: number }) => {
      this.table.pong(r.from, r.rttMs, r.hops, this.now());
      this.reportSoon();
    };
    const onMessage = (from: number, data: Uint8Array, hops: number) =>
      this.relayMessage(from, data, hops);
    const onUnreachable = (e: { subject: string; reason: string; at: number }) => {
      const address = Number(e.subject);
      if (!Number.isInteger(address) || address < 1) return;
      void this.publish(
        radioTopic(this.o.site, this.o.network, this.o.gateway, 'events'),
        { ...this.base(), kind: 'unreachable', address, reason: e.reason.slice(0, 512) },
        false,
      );
    };
    const onConnection = (stream: MeshStream) => {
      // A stream a radio node opened to the gateway: relayed as messages, chunk by chunk.
      stream.on('data', (chunk: Buffer) => this.relayMessage(stream.peer, chunk, 0));
      stream.on('error', () => undefined);
      stream.on('end', () => stream.end());
    };
    host.on('pong', onPong);
    host.on('message', onMessage);
    host.on('unreachable', onUnreachable);
    host.on('connection', onConnection);
    this.detach.push(
      () => host.off('pong', onPong),
      () => host.off('message', onMessage),
      () => host.off('unreachable', onUnreachable),
      () => host.off('connection', onConnection),
    );
    void this.publishStatus(true);
    this.every(this.o.pingIntervalMs, () => this.pingRound(), 0);
    if (this.o.scanIntervalMs > 0) {
      // The first scan waits for the first ping round's answers to settle.
      this.every(
        this.o.scanIntervalMs,
        () => this.scanRound(),
        Math.min(1500, this.o.scanIntervalMs),
      );
    }
  }

  /**
   * Says online again and republishes every node report and the graph: after an MQTT
   * reconnection the broker has published the gateway's "offline" last will.
   */
  announce(): void {
    if (this.stopped) return;
    void this.publishStatus(true);
    this.table.touchAll();
    this.reportSoon();
    void this.publishGraph(this.o.scanDepth);
  }

  /** Stops the rounds and says offline (the host stays open: its owner closes it). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers.splice(0)) t.cancel();
    this.reportTimer?.cancel();
    for (const d of this.detach.splice(0)) d();
    await this.publishStatus(false).catch(() => undefined);
  }

  /** A command payload from the controller: validated, run once, answered with its result. */
  command(payload: Uint8Array | string): void {
    const decoded = decodeRadioMessage('command', payload);
    if (!decoded.ok) {
      this.log.warn({ error: decoded.error }, 'radio command refused');
      const id = idOf(payload);
      if (id !== undefined)
        void this.publishResult({ id, ok: false, reason: 'failed', error: decoded.error });
      return;
    }
    const cmd = decoded.value;
    if (this.seen.includes(cmd.id)) return;
    this.seen.push(cmd.id);
    if (this.seen.length > SEEN_COMMANDS) this.seen.shift();
    void this.run(cmd).then(
      (result) => this.publishResult({ id: cmd.id, ...result }),
      (err: unknown) => this.publishResult({ id: cmd.id, ...failure(err) }),
    );
  }

  private async run(cmd: RadioCommand): Promise<Omit<RadioCommandResult, 'id' | keyof Base>> {
    const { host } = this.o;
    switch (cmd.kind) {
      case 'ping': {
        const reply = await host.ping(cmd.address);
        return { ok: true, rtt_ms: round2(reply.rttMs), hops: reply.hops };
      }
      case 'scan': {
        // meshlink scans from the scanning node: reach the node, then `depth` levels past it.
        const hops = this.table.report(cmd.address)?.hops ?? 0;
        const depth = Math.min(16, hops + 1 + cmd.depth);
        const graph = mergeGraphs(await host.scan(depth), this.table.graph());
        this.table.scanned(graph);
        this.reportSoon();
        await this.publishGraph(depth);
        return { ok: true, graph: graphAround(graph, cmd.address, cmd.depth) };
      }
      case 'send':
        await host.send(cmd.address, Buffer.from(cmd.bytes_hex, 'hex'));
        return { ok: true, acked: true };
      case 'stream':
        return { ok: true, bytes_hex: hex(await this.exchange(cmd.address, cmd)) };
    }
  }

  /** Opens a stream, writes, ends our side and collects the answer until the peer ends or the window closes. */
  private async exchange(
    address: number,
    cmd: Extract<RadioCommand, { kind: 'stream' }>,
  ): Promise<Uint8Array> {
    const stream = await this.o.host.connect(address);
    const chunks: Buffer[] = [];
    return new Promise<Uint8Array>((resolve, reject) => {
      const done = () => {
        timer.cancel();
        resolve(new Uint8Array(Buffer.concat(chunks)));
      };
      const timer = this.o.scheduler.after(cmd.window_ms ?? 2000, () => {
        stream.destroy();
        done();
      });
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', done);
      stream.on('error', (err) => {
        timer.cancel();
        reject(err);
      });
      stream.end(Buffer.from(cmd.bytes_hex, 'hex'));
    });
  }

  private relayMessage(from: number, data: Uint8Array, hops: number): void {
    this.table.heard(from, hops, this.now());
    this.reportSoon();
    const message: RadioMessage = {
      ...this.base(),
      from,
      to: this.address,
      hops,
      bytes_hex: hex(data),
    };
    void this.publish(
      radioTopic(this.o.site, this.o.network, this.o.gateway, 'message'),
      message,
      false,
    );
  }

  private pingRound(): void {
    const { host } = this.o;
    // Everyone in reach answers a broadcast ping: how nodes that answer nothing else are found.
    host.ping(0).catch(() => undefined);
    for (const address of this.table.addresses()) {
      host.ping(address).catch((err: unknown) => {
        if (this.stopped) return;
        if (err instanceof PingTimeoutError || err instanceof UnreachableError) {
          this.table.pingMissed(address);
          this.reportSoon();
        }
      });
    }
  }

  private scanRound(): void {
    this.o.host.scan(this.o.scanDepth).then(
      (graph) => {
        if (this.stopped) return;
        this.table.scanned(graph);
        this.reportSoon();
        void this.publishGraph(this.o.scanDepth);
      },
      (err: unknown) => this.log.warn({ err: (err as Error).message }, 'radio scan failed'),
    );
  }

  private reportSoon(): void {
    if (this.stopped) return;
    this.reportTimer ??= this.o.scheduler.after(REPORT_DELAY_MS, () => {
      this.reportTimer = undefined;
      for (const address of this.table.takeChanged()) {
        const k = this.table.report(address);
        if (!k) continue;
        const report: RadioNodeReport = { ...this.base(), ...k };
        void this.publish(
          radioNodeTopic(this.o.site, this.o.network, this.o.gateway, address),
          report,
          true,
        );
      }
    });
  }

  private async publishGraph(depth: number): Promise<void> {
    const graph = this.table.graph();
    const report: RadioGraphReport = {
      ...this.base(),
      origin: this.address,
      depth,
      nodes: graph.nodes,
      edges: graph.edges,
    };
    await this.publish(
      radioTopic(this.o.site, this.o.network, this.o.gateway, 'graph'),
      report,
      true,
    );
  }

  private async publishStatus(online: boolean): Promise<void> {
    const status: RadioGatewayStatus = { ...this.base(), online, address: this.address };
    await this.publish(
      radioTopic(this.o.site, this.o.network, this.o.gateway, 'status'),
      status,
      true,
    );
  }

  private async publishResult(result: Omit<RadioCommandResult, keyof Base>): Promise<void> {
    await this.publish(
      radioTopic(this.o.site, this.o.network, this.o.gateway, 'command/result'),
      { ...this.base(), ...result },
      false,
    );
  }

  private async publish(topic: string, body: object, retain: boolean): Promise<void> {
    try {
      await this.o.publisher.publish(topic, JSON.stringify(body), { retain, qos: 1 });
    } catch (err) {
      this.log.warn({ topic, err: (err as Error).message }, 'radio gateway publish failed');
    }
  }

  /** Whole milliseconds: reports carry epoch times the controller shows as ISO dates. */
  private now(): number {
    return Math.round(this.o.scheduler.now());
  }

  private base(): Base {
    return { gateway: this.o.gateway, network: this.o.network, at: this.now() };
  }

  private every(periodMs: number, fn: () => void, firstAfterMs: number): void {
    const slot = this.timers.length;
    const tick = () => {
      if (this.stopped) return;
      fn();
      this.timers[slot] = this.o.scheduler.after(periodMs, tick);
    };
    this.timers.push(this.o.scheduler.after(firstAfterMs, tick));
  }
}

interface Base {
  gateway: string;
  network: string;
  at: number;
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

/** What a failed command says: a reason the controller maps to an HTTP status, and the text. */
function failure(err: unknown): Omit<RadioCommandResult, 'id' | keyof Base> {
  const error = (err instanceof Error ? err.message : String(err)).slice(0, 512);
  if (err instanceof PingTimeoutError || err instanceof ReceiptTimeoutError)
    return { ok: false, reason: 'timeout', error };
  if (err instanceof UnreachableError) return { ok: false, reason: 'unreachable', error };
  return { ok: false, reason: 'failed', error };
}

/** The id of a command that failed validation, if it has a usable one (to answer it). */
function idOf(payload: Uint8Array | string): string | undefined {
  try {
    const v: unknown = JSON.parse(
      typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8'),
    );
    const id = (v as { id?: unknown } | null)?.id;
    return typeof id === 'string' && id.length > 0 && id.length <= 64 ? id : undefined;
  } catch {
    return undefined;
  }
}
