import { duplexPair, type Duplex } from 'node:stream';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { drainEventLoop, until } from '../../test/transport/event-loop.ts';
import { openPtyPair, socatAvailable } from '../../test/transport/socat-pty.ts';
import { seededRandom } from '../core/random.ts';
import { encodeSerialFrame } from './serial-framing.ts';
import { createSerialMedium, openSerialMedium, type SerialMedium } from './serial-medium.ts';

const cleanup: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** A medium on one side of an in-memory pair, the raw byte stream on the other. */
function withRawPeer(mtu = 255): { medium: SerialMedium; raw: Duplex; got: number[][] } {
  const [left, right] = duplexPair();
  const medium = createSerialMedium(left, { peer: 'dongle', mtu });
  cleanup.push(
    () => medium.close(),
    () => right.destroy(),
  );
  const got: number[][] = [];
  medium.onFrame((frame, from) => {
    expect(from).toBe('dongle');
    got.push([...frame]);
  });
  return { medium, raw: right, got };
}

describe('serial medium', () => {
  it('reassembles frames split across arbitrary chunks', async () => {
    const { raw, got, medium } = withRawPeer();
    const rng = seededRandom(3);
    const frames = Array.from({ length: 50 }, () =>
      Uint8Array.from({ length: rng.int(256) }, () => rng.int(256)),
    );
    const wire = Buffer.concat(frames.map(encodeSerialFrame));
    for (let i = 0; i < wire.length;) {
      const n = 1 + rng.int(40);
      raw.write(wire.subarray(i, i + n));
      i += n;
    }
    await until(() => got.length === frames.length);
    expect(got).toEqual(frames.map((f) => [...f]));
    expect(medium.counters).toMatchObject({ framesIn: 50, dropped: 0 });
  });

  it('resynchronises after garbage and counts what it dropped', async () => {
    const { raw, got, medium } = withRawPeer(32);
    // Noise, a delimiter, more noise: two undecodable blocks (the second one ends at the
    // frame's leading delimiter).
    raw.write(Uint8Array.of(0x13, 0x37, 0x00, 0xff, 0xff));
    raw.write(encodeSerialFrame(Uint8Array.of(1)));
    raw.write(new Uint8Array(5000).fill(0x55)); // a long run with no delimiter
    raw.write(encodeSerialFrame(new Uint8Array(33))); // one byte over the MTU
    raw.write(encodeSerialFrame(Uint8Array.of(2)));
    await until(() => got.length === 2);
    await drainEventLoop();
    expect(got).toEqual([[1], [2]]);
    expect(medium.counters.corrupt).toBe(2);
    expect(medium.counters.oversize).toBe(2);
    expect(medium.counters.dropped).toBe(4);
  });

  it('writes the framed bytes to the stream', async () => {
    const { raw, medium } = withRawPeer();
    const bytes: number[] = [];
    raw.on('data', (chunk: Buffer) => bytes.push(...chunk));
    medium.send(Uint8Array.of(1, 2, 3), 'dongle');
    await until(() => bytes.length === 8);
    expect(Buffer.from(bytes).toString('hex')).toBe('0006010203adad00');
    expect(medium.counters.framesOut).toBe(1);
  });

  it('refuses an unknown peer and a stream that ended', async () => {
    const { raw, medium } = withRawPeer();
    expect(() => medium.send(Uint8Array.of(1), 'elsewhere')).toThrow(
      expect.objectContaining({ name: 'UnknownPeerError', peer: 'elsewhere' }),
    );
    raw.end(); // the far end hangs up
    await until(() => {
      try {
        medium.send(Uint8Array.of(1));
        return false;
      } catch (e) {
        return (e as Error).name === 'ClosedError';
      }
    });
  });

  it('rejects bad options with typed errors', async () => {
    const [left] = duplexPair();
    cleanup.push(() => left.destroy());
    expect(() => createSerialMedium(left, { peer: 'x', mtu: 0 })).toThrow(
      expect.objectContaining({ name: 'InvalidMediumOptionError', option: 'mtu' }),
    );
    await expect(openSerialMedium({ path: '/dev/does-not-exist' })).rejects.toMatchObject({
      name: 'SerialOpenError',
      path: '/dev/does-not-exist',
    });
    await expect(openSerialMedium({ path: '/dev/null', baudRate: 0 })).rejects.toMatchObject({
      name: 'InvalidMediumOptionError',
      option: 'baudRate',
    });
  });
});

describe.runIf(socatAvailable())(
  'serial medium on a real pty pair (skipped without socat: apt-get install -y socat)',
  () => {
    it('resynchronises after garbage written by a raw port', async () => {
      const pair = await openPtyPair();
      cleanup.push(() => pair.close());
      const medium = await openSerialMedium({ path: pair.paths[0], baudRate: 57_600 });
      cleanup.push(() => medium.close());
      const raw = new SerialPort({ path: pair.paths[1], baudRate: 57_600, autoOpen: false });
      await new Promise<void>((resolve, reject) => raw.open((e) => (e ? reject(e) : resolve())));
      cleanup.push(() => new Promise((resolve) => raw.close(resolve)));
      const got: [number[], string][] = [];
      medium.onFrame((f, from) => got.push([[...f], from]));
      const rng = seededRandom(8);
      raw.write(Uint8Array.from({ length: 3000 }, () => rng.int(256)));
      raw.write(encodeSerialFrame(Uint8Array.of(0xc0, 0x00, 0xdb)));
      await until(() => got.length >= 1);
      expect(got.at(-1)).toEqual([[0xc0, 0x00, 0xdb], pair.paths[0]]);
      expect(medium.counters.dropped).toBeGreaterThan(0);
      const echoed: number[] = [];
      raw.on('data', (chunk: Buffer) => echoed.push(...chunk));
      medium.send(Uint8Array.of(9));
      await until(() => echoed.includes(0) && echoed.lastIndexOf(0) > 0);
      expect(Buffer.from(echoed).toString('hex')).toBe(
        Buffer.from(encodeSerialFrame(Uint8Array.of(9))).toString('hex'),
      );
    });
  },
);
