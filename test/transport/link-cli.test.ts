import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openUdpMedium, type UdpMedium } from '../../src/transport/udp-medium.ts';
import { until } from './event-loop.ts';

const bin = fileURLToPath(new URL('../../bin/intelli-mesh', import.meta.url));

function runCli(args: string[]) {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const run = { stdout: '', stderr: '', code: undefined as number | null | undefined };
  child.stdout.setEncoding('utf8').on('data', (t: string) => (run.stdout += t));
  child.stderr.setEncoding('utf8').on('data', (t: string) => (run.stderr += t));
  const exited = new Promise<void>((resolve) =>
    child.on('exit', (code) => {
      run.code = code;
      resolve();
    }),
  );
  return { child, run, exited };
}

const media: UdpMedium[] = [];
afterEach(async () => {
  for (const m of media.splice(0)) await m.close();
});

describe('intelli-mesh link', () => {
  it('prints the frames it hears over UDP, echoes them and exits after --count', async () => {
    const cli = runCli(['link', '--udp', '127.0.0.1:0', '--echo', '--count', '2']);
    await until(() => /listening on /.test(cli.run.stdout), 20_000);
    const address = /listening on (\S+) \(mtu 255\)/.exec(cli.run.stdout)![1]!;
    const me = await openUdpMedium({ bind: '127.0.0.1:0', peers: [address] });
    media.push(me);
    const echoed: string[] = [];
    me.onFrame((frame, from) => echoed.push(`${from} ${Buffer.from(frame).toString('hex')}`));
    me.send(Uint8Array.of(0xca, 0xfe));
    me.send(new Uint8Array(0));
    await until(() => echoed.length === 2, 20_000);
    await cli.exited;
    expect(echoed).toEqual([`${address} cafe`, `${address} `]);
    expect(cli.run.stdout.split('\n').slice(1)).toEqual([
      `${me.address} 2 cafe`,
      `${me.address} 0 `,
      '',
    ]);
    expect(cli.run.code).toBe(0);
  });

  it('sends --send frames to its peers', async () => {
    const me = await openUdpMedium({ bind: '127.0.0.1:0' });
    media.push(me);
    const got: string[] = [];
    me.onFrame((frame) => got.push(Buffer.from(frame).toString('hex')));
    const cli = runCli([
      'link',
      '--udp',
      '127.0.0.1:0',
      '--peer',
      me.address,
      '--send',
      '01 02:0a',
      '--count',
      '1',
    ]);
    await until(() => got.length === 1, 20_000);
    expect(got).toEqual(['01020a']);
    me.send(Uint8Array.of(1), /listening on (\S+)/.exec(cli.run.stdout)![1]!);
    await cli.exited;
    expect(cli.run.code).toBe(0);
  });

  it('fails clearly on a bad address, bad hex and a missing medium', async () => {
    const bad = runCli(['link', '--udp', 'localhost:4000']);
    const hex = runCli(['link', '--udp', '127.0.0.1:0', '--send', 'abc']);
    const none = runCli(['link']);
    await Promise.all([bad.exited, hex.exited, none.exited]);
    expect(bad.run.code).toBe(1);
    expect(bad.run.stderr).toContain("bind address 'localhost:4000' is invalid");
    expect(hex.run.code).not.toBe(0);
    expect(hex.run.stderr).toContain("'abc' is not hex bytes");
    expect(none.run.code).not.toBe(0);
    expect(none.run.stderr).toContain('one of --udp <host:port> or --serial <path> is required');
  });
});
