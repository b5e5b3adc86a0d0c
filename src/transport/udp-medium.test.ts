import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../core/random.ts';
import { drainEventLoop, until } from '../../test/transport/event-loop.ts';
import { openUdpMedium, type UdpMedium } from './udp-medium.ts';

const open: { close(): unknown }[] = [];

async function medium(options: Parameters<typeof openUdpMedium>[0]): Promise<UdpMedium> {
  const m = await openUdpMedium(options);
  open.push(m);
  return m;
}

/** A plain socket standing in for a foreign program, such as the seed's C ping/pong. */
async function rawSocket(
  type: 'udp4' | 'udp6' = 'udp4',
): Promise<{ socket: Socket; port: number; got: [Buffer, string][] }> {
  const socket = createSocket(type);
  const got: [Buffer, string][] = [];
  socket.on('message', (msg, rinfo) => got.push([msg, `${rinfo.address}:${rinfo.port}`]));
  await new Promise<void>((resolve) =>
    socket.bind(0, type === 'udp4' ? '127.0.0.1' : '::1', resolve),
  );
  open.push({ close: () => socket.close() });
  return { socket, port: socket.address().port, got };
}

function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(':') + 1));
}

afterEach(async () => {
  for (const m of open.splice(0)) await m.close();
});

describe('openUdpMedium', () => {
  it('reports the real port when bound to port 0, and canonical peers', async () => {
    const m = await medium({ bind: '127.0.0.1:0', peers: ['127.0.0.1:9'] });
    expect(m.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(portOf(m.address)).toBeGreaterThan(0);
    expect(m.peers).toEqual(['127.0.0.1:9']);
    const v6 = await medium({ bind: '[::1]:0', peers: ['[0::1]:9'] });
    expect(v6.address).toMatch(/^\[::1\]:\d+$/);
    expect(v6.peers).toEqual(['[::1]:9']);
  });

  it('fails with AddressInUseError when the port is taken', async () => {
    const first = await medium({ bind: '127.0.0.1:0' });
    await expect(openUdpMedium({ bind: first.address })).rejects.toMatchObject({
      name: 'AddressInUseError',
      address: first.address,
    });
  });

  it('fails with InvalidAddressError for bad or foreign addresses', async () => {
    await expect(openUdpMedium({ bind: 'localhost:4000' })).rejects.toMatchObject({
      name: 'InvalidAddressError',
      what: 'bind address',
    });
    // 192.0.2.0/24 is TEST-NET-1: never an address of this host.
    await expect(openUdpMedium({ bind: '192.0.2.1:0' })).rejects.toMatchObject({
      name: 'InvalidAddressError',
      message: expect.stringContaining('EADDRNOTAVAIL'),
    });
    await expect(
      openUdpMedium({ bind: '127.0.0.1:0', peers: ['[::1]:4000'] }),
    ).rejects.toMatchObject({ name: 'InvalidAddressError', what: 'peer' });
    await expect(openUdpMedium({ bind: '127.0.0.1:0', peers: ['127.0.0.1:0'] })).rejects.toThrow(
      /port 0/,
    );
    await expect(openUdpMedium({ bind: '127.0.0.1:0', mtu: 0 })).rejects.toMatchObject({
      name: 'InvalidMediumOptionError',
    });
  });
});

describe('UDP medium', () => {
  it('takes frames from any sender and replies to it by its from', async () => {
    const m = await medium({ bind: '127.0.0.1:0' });
    const foreign = await rawSocket();
    m.onFrame((frame, from) =>
      m.send(
        Uint8Array.from(frame, (b) => b ^ 0xff),
        from,
      ),
    );
    foreign.socket.send(Uint8Array.of(1, 2), portOf(m.address), '127.0.0.1');
    await until(() => foreign.got.length === 1);
    expect([...foreign.got[0]![0]]).toEqual([0xfe, 0xfd]);
    expect(foreign.got[0]![1]).toBe(m.address);
    expect(m.counters).toMatchObject({ framesIn: 1, framesOut: 1, dropped: 0 });
  });

  it('reports IPv6 senders as [host]:port', async () => {
    const m = await medium({ bind: '[::1]:0' });
    const foreign = await rawSocket('udp6');
    const from: string[] = [];
    m.onFrame((_f, f) => from.push(f));
    foreign.socket.send(Uint8Array.of(1), portOf(m.address), '::1');
    await until(() => from.length === 1);
    expect(from).toEqual([`[::1]:${foreign.port}`]);
  });

  it('drops and counts oversize datagrams, keeps going, and never crashes on garbage', async () => {
    const m = await medium({ bind: '127.0.0.1:0', mtu: 64 });
    const foreign = await rawSocket();
    const got: number[][] = [];
    m.onFrame((f) => got.push([...f]));
    const rng = seededRandom(42);
    const datagrams = Array.from({ length: 200 }, () =>
      Uint8Array.from({ length: rng.int(301) }, () => rng.int(256)),
    );
    for (const d of datagrams) foreign.socket.send(d, portOf(m.address), '127.0.0.1');
    const small = datagrams.filter((d) => d.length <= 64);
    const large = datagrams.length - small.length;
    expect(small.length).toBeGreaterThan(10);
    expect(large).toBeGreaterThan(10);
    await until(() => m.counters.framesIn + m.counters.dropped === datagrams.length);
    expect(m.counters.dropped).toBe(large);
    expect(got).toEqual(small.map((d) => [...d]));
  });

  it('rejects a malformed or wrong-family destination without sending', async () => {
    const m = await medium({ bind: '127.0.0.1:0' });
    expect(() => m.send(Uint8Array.of(1), 'nowhere')).toThrow(
      expect.objectContaining({ name: 'InvalidAddressError', what: 'destination' }),
    );
    expect(() => m.send(Uint8Array.of(1), '[::1]:4000')).toThrow(/bound to IPv4/);
    expect(m.counters.framesOut).toBe(0);
  });

  it('sends a broadcast to every peer and follows peer changes', async () => {
    const a = await foreignPair();
    const m = await medium({ bind: '127.0.0.1:0', peers: [`127.0.0.1:${a[0].port}`] });
    expect(m.addPeer(`127.0.0.1:${a[1].port}`)).toBe(`127.0.0.1:${a[1].port}`);
    m.send(Uint8Array.of(1));
    await until(() => a[0].got.length === 1 && a[1].got.length === 1);
    expect(m.removePeer(`127.0.0.1:${a[0].port}`)).toBe(true);
    expect(m.removePeer(`127.0.0.1:${a[0].port}`)).toBe(false);
    m.send(Uint8Array.of(2));
    await until(() => a[1].got.length === 2);
    await drainEventLoop();
    expect(a[0].got.map(([b]) => [...b])).toEqual([[1]]);
    expect(() => m.addPeer('127.0.0.1:0')).toThrow(/port 0/);
  });

  it('copies the frame at send time', async () => {
    const m = await medium({ bind: '127.0.0.1:0' });
    const foreign = await rawSocket();
    const buffer = Uint8Array.of(1, 2, 3);
    m.send(buffer, `127.0.0.1:${foreign.port}`);
    buffer.fill(9);
    await until(() => foreign.got.length === 1);
    expect([...foreign.got[0]![0]]).toEqual([1, 2, 3]);
  });
});

async function foreignPair() {
  return [await rawSocket(), await rawSocket()] as const;
}
