/**
 * A real pseudo-terminal pair from socat, for testing serial code against a real tty: the two
 * /dev/pts paths are read from socat's `-d -d` log on stderr.
 *
 * @example
 * const pair = await openPtyPair();
 * if (pair) { use(pair.paths[0], pair.paths[1]); await pair.close(); }
 */
import { spawn, spawnSync } from 'node:child_process';

export interface PtyPair {
  paths: [string, string];
  close(): Promise<void>;
}

export function socatAvailable(): boolean {
  return spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;
}

export async function openPtyPair(): Promise<PtyPair> {
  const child = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const paths = await new Promise<string[]>((resolve, reject) => {
    let log = '';
    const found: string[] = [];
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      log += text;
      for (const m of text.matchAll(/PTY is (\/dev\/\S+)/g)) found.push(m[1]!);
      // socat logs "starting data transfer loop" once both ends exist.
      if (found.length === 2 && log.includes('starting data transfer loop')) resolve(found);
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`socat exited (${code}) before the pair was up: ${log}`)),
    );
  });
  return {
    paths: [paths[0]!, paths[1]!],
    async close() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
