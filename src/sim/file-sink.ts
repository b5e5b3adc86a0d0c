/**
 * A buffered, synchronous line writer for traces: collects lines and writes them in 256 KiB
 * chunks, so a long run neither holds its trace in memory nor pays a syscall per line.
 *
 * @example
 * const sink = new FileLineSink('out/trace.jsonl');
 * sink.write('{"t":0}');
 * sink.close();
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export class FileLineSink {
  private readonly fd: number;
  private buffer: string[] = [];
  private size = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }

  readonly write = (line: string): void => {
    this.buffer.push(line);
    this.size += line.length + 1;
    if (this.size >= 256 * 1024) this.flush();
  };

  flush(): void {
    if (this.buffer.length === 0) return;
    writeSync(this.fd, this.buffer.join('\n') + '\n');
    this.buffer = [];
    this.size = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
