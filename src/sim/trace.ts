/**
 * Named trace sources as JSON lines (tx, rx, drop, route-change, fault, event), on virtual time
 * only, so the same scenario and seed give byte-identical traces.
 *
 * @example
 * const lines: string[] = [];
 * const trace = new Trace((l) => lines.push(l));
 * trace.fault(60_000, 'node-crash', 'n12', 'scheduled');
 */
import type { MeshEvent } from '../core/events.ts';

export type TraceSource = 'tx' | 'rx' | 'drop' | 'route-change' | 'fault' | 'event';

export type TraceSink = (line: string) => void;

/** Milliseconds rounded to microseconds: stable text for the same float. */
const ms = (t: number): number => Math.round(t * 1000) / 1000;

export class Trace {
  lines = 0;

  constructor(
    /** Undefined: count lines without formatting them (benches, runs that keep no trace). */
    private readonly sink: TraceSink | undefined,
    /** Also trace every routing (OGM) frame; off by default, it dominates the volume. */
    readonly controlFrames = false,
    /** Trace route-change events (they are counted either way). */
    readonly routeChanges = true,
  ) {}

  frame(
    src: 'tx' | 'rx',
    t: number,
    node: string,
    proto: string,
    bytes: number,
    peer: string,
    info?: string,
  ): void {
    if (!this.sink) {
      this.lines++;
      return;
    }
    this.write(
      `{"t":${ms(t)},"src":"${src}","node":"${node}","proto":"${proto}","bytes":${bytes},"peer":"${peer}"${info === undefined ? '' : `,"info":${JSON.stringify(info)}`}}`,
    );
  }

  drop(t: number, node: string, proto: string, reason: string, info?: string): void {
    if (!this.sink) {
      this.lines++;
      return;
    }
    this.write(
      `{"t":${ms(t)},"src":"drop","node":"${node}","proto":"${proto}","reason":${JSON.stringify(reason)}${info === undefined ? '' : `,"info":${JSON.stringify(info)}`}}`,
    );
  }

  fault(t: number, kind: string, target: string, detail: string): void {
    this.write(
      `{"t":${ms(t)},"src":"fault","kind":"${kind}","target":${JSON.stringify(target)},"detail":${JSON.stringify(detail)}}`,
    );
  }

  event(e: MeshEvent): void {
    const src: TraceSource = e.kind === 'route-change' ? 'route-change' : 'event';
    if (src === 'route-change' && !this.routeChanges) return;
    if (!this.sink) {
      this.lines++;
      return;
    }
    this.write(
      JSON.stringify({
        t: ms(e.at),
        src,
        node: e.node,
        kind: e.kind,
        subject: e.subject,
        from: e.from,
        to: e.to,
        reason: e.reason,
      }),
    );
  }

  private write(line: string): void {
    this.lines++;
    this.sink?.(line);
  }
}
