/** The meshlink sub-commands run for real on 127.0.0.1 UDP ports. */
import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, type RunningProcess, freeUdpPorts, run, startProcess } from './cli-process.ts';

describe('intelli-mesh node / ping / send / scan', () => {
  const running: RunningProcess[] = [];
  afterEach(async () => {
    for (const p of running.splice(0)) {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  });

  it('relays: ping, send and scan across a relay node', async () => {
    const [a, b, c] = await freeUdpPorts(3);
    const udp = (p: number | undefined): string => `127.0.0.1:${p}`;
    // 1 -- 2 -- 3 : the CLI client is 3, node 1 is reachable only through node 2.
    const n1 = startProcess(BIN, ['node', '--address', '1', '--udp', udp(a), '--peer', udp(b)]);
    const n2 = startProcess(BIN, [
      'node',
      '--address',
      '2',
      '--udp',
      udp(b),
      '--peer',
      udp(a),
      '--peer',
      udp(c),
    ]);
    running.push(n1, n2);
    await Promise.all([n1.waitFor(/listening/), n2.waitFor(/listening/)]);
    const link = ['--address', '3', '--udp', udp(c), '--peer', udp(b)];

    const ping = await run(BIN, ['ping', '1', ...link, '--count', '2', '--interval', '50']);
    expect(ping.code).toBe(0);
    expect(ping.out).toMatch(/pong from 1: ping=1 time=[\d.]+ ms hops=1/);
    expect(ping.out).toMatch(/sent: 2, received: 2/);

    const text = 'fragmented across the mesh '.repeat(20);
    const send = await run(BIN, ['send', '1', text, ...link, '--mtu', '32']);
    expect(send.code).toBe(0);
    expect(send.out).toMatch(/delivered 540 bytes to 1 in 34 fragment\(s\)/);
    await n1.waitFor(/message from 3 \(540 bytes, 1 hops\): fragmented across/);

    const scan = await run(BIN, ['scan', ...link, '--depth', '3', '--json']);
    expect(scan.code).toBe(0);
    expect(JSON.parse(scan.out.trim())).toEqual({
      nodes: [1, 2, 3],
      edges: [
        [1, 2],
        [2, 3],
      ],
    });

    n1.child.kill('SIGTERM');
    expect(await n1.exited).toBe(0);
    expect(n1.output()).toMatch(/node 1 stopping: frames in \d+/);
  });

  it('a node flooded with garbage datagrams keeps answering pings', async () => {
    const [a, b, junkPort] = await freeUdpPorts(3);
    const node = startProcess(BIN, ['node', '--address', '5', '--udp', `127.0.0.1:${a}`]);
    running.push(node);
    await node.waitFor(/listening/);
    const sock = createSocket('udp4');
    await new Promise<void>((resolve) => sock.bind(junkPort, '127.0.0.1', resolve));
    let seed = 1;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
    for (let burst = 0; burst < 20; burst++) {
      await Promise.all(
        Array.from({ length: 500 }, () => {
          const junk = Buffer.alloc(rnd(256));
          for (let i = 0; i < junk.length; i++) junk[i] = rnd(256);
          return new Promise<void>((resolve) => sock.send(junk, a!, '127.0.0.1', () => resolve()));
        }),
      );
    }
    sock.close();
    const r = await run(BIN, [
      'ping',
      '5',
      '--address',
      '6',
      '--udp',
      `127.0.0.1:${b}`,
      '--peer',
      `127.0.0.1:${a}`,
      '--count',
      '3',
      '--interval',
      '20',
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/sent: 3, received: 3/);
    node.child.kill('SIGTERM');
    await node.exited;
    const rejected = Number(/rejected (\d+)/.exec(node.output())?.[1]);
    // Of 10 000 junk datagrams, the kernel may drop some under load; most reach the decoder.
    expect(rejected).toBeGreaterThan(1000);
  });

  it('ping exits non-zero with 100% loss when nobody answers', async () => {
    const [a, b] = await freeUdpPorts(2);
    const r = await run(BIN, [
      'ping',
      '9',
      '--address',
      '3',
      '--udp',
      `127.0.0.1:${a}`,
      '--peer',
      `127.0.0.1:${b}`,
      '--count',
      '2',
      '--interval',
      '10',
      '--timeout',
      '100',
    ]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/no pong from 9: ping=2 \(timeout 100 ms\)/);
    expect(r.out).toMatch(/sent: 2, received: 0, .*loss \(%\): 100\.00/);
  });

  it('rejects bad flags with a clear message and a non-zero exit', async () => {
    const cases: [string[], RegExp][] = [
      [['ping', 'abc', '--address', '1', '--udp', '127.0.0.1:1'], /'abc' is not an integer/],
      [['ping', '2', '--address', '70000', '--udp', '127.0.0.1:1'], /70000 is outside 1\.\.65535/],
      [['node', '--address', '1', '--udp', 'nonsense'], /'nonsense' is not HOST:PORT/],
      [['node', '--udp', '127.0.0.1:1'], /required option '--address <n>' not specified/],
      [
        ['send', '2', '--address', '1', '--udp', '127.0.0.1:1'],
        /give the message as TEXT or with --file/,
      ],
      [['meshlink-demo', '--loss', '2'], /'2' is not a loss probability/],
    ];
    for (const [args, message] of cases) {
      const r = await run(BIN, args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.out).toMatch(message);
    }
  });

  it('meshlink-demo runs the in-memory demo and exits 0', async () => {
    const r = await run(BIN, ['meshlink-demo', '--loss', '0.05']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/ping 1: pong from 5 in [\d.]+ ms over 3 relays/);
    expect(r.out).toMatch(/edges 1-2 2-3 3-4 4-5/);
    expect(r.out).toMatch(/node 5 reassembled a 630-byte message from 1/);
  });
});
