/**
 * Interoperability with the seed's own C ping/pong programs (their RF24 radio calls replaced by
 * UDP, one datagram = one frame, crc left 0, no ACKs), built with gcc, against the real CLI.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  BIN,
  type RunningProcess,
  freeUdpPorts,
  run,
  startProcess,
} from '../meshlink/cli-process.ts';

const SRC = fileURLToPath(new URL('./c/', import.meta.url));

function hasGcc(): boolean {
  try {
    execFileSync('gcc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const gcc = hasGcc();
if (!gcc) console.warn('test/interop: gcc not found, skipping the seed C interoperability tests');

describe.skipIf(!gcc)("interop with the seed's C ping/pong over UDP", () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshlink-seed-'));
  const pingBin = join(dir, 'seed-ping');
  const pongBin = join(dir, 'seed-pong');
  const running: RunningProcess[] = [];

  beforeAll(() => {
    execFileSync('gcc', ['-O2', '-Wall', '-Werror', '-o', pingBin, join(SRC, 'seed-ping.c')]);
    execFileSync('gcc', ['-O2', '-Wall', '-Werror', '-o', pongBin, join(SRC, 'seed-pong.c')]);
  });

  afterEach(async () => {
    for (const p of running.splice(0)) {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  });

  it('a CLI node with default flags answers the C pinger', async () => {
    const [nodePort, cPort] = await freeUdpPorts(2);
    const node = startProcess(BIN, ['node', '--address', '69', '--udp', `127.0.0.1:${nodePort}`]);
    running.push(node);
    await node.waitFor(/listening on/);
    const r = await run(pingBin, [String(cPort), String(nodePort), '5']);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[4]).toMatch(/^Packet count, sent: 5, received: 5, .*loss \(%\): 0\.00$/);
  });

  it('a CLI node with --require-crc ignores the C pinger (crc 0)', async () => {
    const [nodePort, cPort] = await freeUdpPorts(2);
    const node = startProcess(BIN, [
      'node',
      '--address',
      '69',
      '--udp',
      `127.0.0.1:${nodePort}`,
      '--require-crc',
    ]);
    running.push(node);
    await node.waitFor(/listening on/);
    const r = await run(pingBin, [String(cPort), String(nodePort), '2']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/sent: 2, received: 0/);
  });

  it('the CLI ping gets pongs from the C responder and prints the summary', async () => {
    const [cPort, cliPort] = await freeUdpPorts(2);
    const pong = startProcess(pongBin, [String(cPort)]);
    running.push(pong);
    await pong.waitFor(/Starting main loop/);
    const r = await run(BIN, [
      'ping',
      '69',
      '--address',
      '42',
      '--udp',
      `127.0.0.1:${cliPort}`,
      '--peer',
      `127.0.0.1:${cPort}`,
      '--count',
      '3',
      '--interval',
      '50',
    ]);
    expect(r.code).toBe(0);
    expect(r.out.match(/^pong from 69: ping=\d time=[\d.]+ ms hops=0$/gm)).toHaveLength(3);
    expect(r.out).toMatch(/Packet count, sent: 3, received: 3, .*loss \(%\): 0\.00/);
    expect(pong.output()).toMatch(/Received Ping 3\nSending Pong/);
  });
});
