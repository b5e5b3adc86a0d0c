/**
 * End to end in simavr: the real firmware ELF runs on two simulated ATmega328P boards
 * (firmware/sim/dongle_sim.c), each UART on a pseudo-terminal and each SPI bus wired to a
 * modelled nRF24L01+; the two radios share a simulated air. The TypeScript serial medium
 * (src/transport/serial-medium.ts) opens the ptys like real dongles, and meshlink runs over them.
 *
 * What is real here: the firmware binary, the AVR core, its UART/SPI/GPIO/interrupt peripherals
 * (simavr's), the serial medium and the pty. What is a model: the radio chip and the air
 * (perfect, no loss or collisions), described in firmware/sim/nrf24_model.h.
 */
import { closeSync, constants, mkdtempSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameTooLargeError } from '../../src/core/errors.ts';
import { seededRandom } from '../../src/core/random.ts';
import { RealScheduler } from '../../src/core/real-scheduler.ts';
import { MeshlinkHost } from '../../src/meshlink/meshlink-host.ts';
import { encodeSerialFrame } from '../../src/transport/serial-framing.ts';
import { openSerialMedium, type SerialMedium } from '../../src/transport/serial-medium.ts';
import { waitFor } from '../openwrt/wait-for.ts';
import { BIN, type RunningProcess, startProcess } from '../meshlink/cli-process.ts';
import { buildFirmware, type DongleSim, simavrSkipReason, startDongleSim } from './dongle-sim.ts';

const skip = simavrSkipReason() !== undefined;
// One build directory for the whole file: make rebuilds nothing that is up to date, so the
// firmware and the harness are compiled once; only the channel-77 variant gets its own.
const build = mkdtempSync(join(tmpdir(), 'firmware-sim-'));

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const DONGLE_MTU = 32;

interface Received {
  frames: string[];
}

function collect(medium: SerialMedium): Received {
  const r: Received = { frames: [] };
  medium.onFrame((frame) => r.frames.push(hex(frame)));
  return r;
}

describe.skipIf(skip)('the dongle firmware in simavr, driven by the serial medium', () => {
  let sim: DongleSim;
  const media: SerialMedium[] = [];
  let a: SerialMedium;
  let b: SerialMedium;

  const ptyPath = (i: number) => sim.ptyPath(i);
  const airLines = () => sim.airLines();

  beforeAll(async () => {
    const elf = buildFirmware(build);
    sim = await startDongleSim(build, [elf, elf]);
    a = await openSerialMedium({ path: ptyPath(0), baudRate: 115_200, mtu: DONGLE_MTU });
    b = await openSerialMedium({ path: ptyPath(1), baudRate: 115_200, mtu: DONGLE_MTU });
    media.push(a, b);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(media.map((m) => m.close()));
    await sim?.close();
  });

  it('the firmware set both radios to 2 Mbit/s, channel 76, 2-byte CRC, dynamic payloads, NO_ACK', () => {
    const lines = sim.listening();
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).toMatch(/ch=76 rate=2000kbps addr=f0f0f0f0e1 crc=2 dpl=on no_ack=on retr=00$/);
    }
  });

  it('frames written to one dongle come out of the other, over the simulated air, both ways', async () => {
    const atB = collect(b);
    const atA = collect(a);
    // 1, 16 and 32 bytes (the radio's limit), every byte value, zeros (COBS's special case).
    const frames = [
      Uint8Array.of(0x42),
      Uint8Array.from({ length: 16 }, (_, i) => i * 16),
      Uint8Array.from({ length: 32 }, (_, i) => 0xff - i),
      new Uint8Array(32),
      ...Array.from({ length: 8 }, (_, k) => Uint8Array.from({ length: 32 }, (_, i) => k * 32 + i)),
    ];
    for (const f of frames) a.send(f);
    await waitFor('all frames at dongle B', () => atB.frames.length >= frames.length, 20_000);
    expect(atB.frames).toEqual(frames.map(hex));
    // Each one was a packet from radio 0 taken by radio 1 (mask 2), with the same bytes.
    const air = airLines().filter((l) => l.startsWith('air 0>'));
    expect(air).toEqual(frames.map((f) => `air 0>2 ${f.length} ${hex(f)}`));

    const back = Uint8Array.from('reply from B', (c) => c.charCodeAt(0));
    b.send(back);
    await waitFor('the reply at dongle A', () => atA.frames.length >= 1, 10_000);
    expect(atA.frames).toEqual([hex(back)]);
    expect(a.counters.dropped + b.counters.dropped).toBe(0);
  });

  it('a frame too big for one radio packet is refused by the medium at MTU 32 and dropped by the dongle', async () => {
    expect(() => a.send(new Uint8Array(33))).toThrow(FrameTooLargeError);
    // A host that ignores the dongle's MTU: framed bytes written straight to the pty (serialport
    // holds an exclusive lock on it, a plain write does not need one).
    const atB = collect(b);
    const airBefore = airLines().length;
    const fd = openSync(ptyPath(0), constants.O_WRONLY | constants.O_NOCTTY);
    try {
      writeSync(fd, encodeSerialFrame(new Uint8Array(100).fill(7))); // oversize for the dongle
      writeSync(fd, encodeSerialFrame(new Uint8Array(0))); // an nRF24 payload is 1..32 bytes
      writeSync(fd, Uint8Array.of(0x00, 0x05, 0x01, 0x02, 0x00)); // not COBS + CRC
      writeSync(fd, encodeSerialFrame(Uint8Array.of(1, 2, 3))); // proves the dongle resynchronised
    } finally {
      closeSync(fd);
    }
    await waitFor('the marker at dongle B', () => atB.frames.length >= 1, 10_000);
    expect(atB.frames).toEqual(['010203']);
    expect(airLines().slice(airBefore)).toEqual(['air 0>2 3 010203']);
  });

  it('meshlink runs over the two simulated dongles: ping, and a message in 16-byte fragments', async () => {
    const scheduler = new RealScheduler();
    const one = new MeshlinkHost({ address: 1, medium: a, scheduler, random: seededRandom(1) });
    const two = new MeshlinkHost({ address: 2, medium: b, scheduler, random: seededRandom(2) });
    const airBefore = airLines().length;
    try {
      const reply = await one.ping(2);
      expect(reply).toMatchObject({ from: 2, hops: 0 });
      expect(reply.rttMs).toBeGreaterThan(0);

      const text = 'A message longer than one nRF24 packet, carried as meshlink fragments.';
      const got = new Promise<string>((resolve) =>
        two.on('message', (from, data) => resolve(`${from}:${Buffer.from(data).toString()}`)),
      );
      await one.send(2, new TextEncoder().encode(text)); // resolves on node 2's receipt
      expect(await got).toBe(`1:${text}`);
      // The message crossed the air as meshlink DATA frames (type 9 at offset 7) from radio 0,
      // 16 bytes of data under a 16-byte header each: one full 32-byte packet per fragment.
      const data = airLines()
        .slice(airBefore)
        .map((line) => line.split(' '))
        .filter(([, from, , bytes]) => from!.startsWith('0>') && bytes!.slice(14, 16) === '09');
      expect(data.length).toBeGreaterThanOrEqual(Math.ceil(text.length / 16));
      expect(data.filter(([, , length]) => length === '32').length).toBeGreaterThanOrEqual(
        Math.floor(text.length / 16),
      );
    } finally {
      one.close();
      two.close();
    }
  }, 30_000);
});

describe.skipIf(skip)('dongles built for different channels in simavr', () => {
  let sim: DongleSim;
  const media: SerialMedium[] = [];

  afterAll(async () => {
    await Promise.all(media.map((m) => m.close()));
    await sim?.close();
  });

  it('do not hear each other: the radio settings the firmware writes are what decides', async () => {
    const on76 = buildFirmware(build);
    const on77 = buildFirmware(join(build, 'ch77'), ['RADIO_CHANNEL=77']);
    sim = await startDongleSim(build, [on76, on77]);
    expect(sim.listening()[1]).toMatch(/ch=77 /);
    const a = await openSerialMedium({ path: sim.ptyPath(0), mtu: DONGLE_MTU });
    const b = await openSerialMedium({ path: sim.ptyPath(1), mtu: DONGLE_MTU });
    media.push(a, b);
    const atA = collect(a);
    const atB = collect(b);
    a.send(Uint8Array.of(1, 2, 3));
    b.send(Uint8Array.of(4, 5, 6));
    // Both went on air (so both firmwares took their frame) and no radio took either (mask 0).
    await waitFor('both packets on air', () => sim.airLines().length >= 2, 10_000);
    expect(sim.airLines().sort()).toEqual(['air 0>0 3 010203', 'air 1>0 3 040506']);
    expect(atA.frames).toEqual([]);
    expect(atB.frames).toEqual([]);
  });
});

describe.skipIf(skip)('intelli-mesh link over two simulated dongles', () => {
  let sim: DongleSim;
  const running: RunningProcess[] = [];

  afterAll(async () => {
    // SIGKILL: a process that held one of these ptys open through serialport for a while was
    // seen not to exit after closing it (see the report on issue 14); not what is tested here.
    for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await Promise.all(running.map((p) => p.exited));
    await sim?.close();
  });

  it('the documented command line sends a frame through dongle A, B echoes it, A hears it back', async () => {
    const elf = buildFirmware(build);
    sim = await startDongleSim(build, [elf, elf]);
    const echo = startProcess(BIN, ['link', '--serial', sim.ptyPath(1), '--mtu', '32', '--echo']);
    running.push(echo);
    await echo.waitFor(/listening on .* \(mtu 32\)/, 45_000); // tsx start-up on a loaded CI
    const sender = startProcess(BIN, [
      ...['link', '--serial', sim.ptyPath(0), '--mtu', '32'],
      ...['--send', '68656c6c6f'],
    ]);
    running.push(sender);
    await sender.waitFor(new RegExp(`^${sim.ptyPath(0)} 5 68656c6c6f$`, 'm'), 60_000);
    expect(echo.output()).toContain(`${sim.ptyPath(1)} 5 68656c6c6f`);
    expect(sim.airLines()).toEqual(['air 0>2 5 68656c6c6f', 'air 1>1 5 68656c6c6f']);
  }, 120_000);
});

describe.skipIf(skip)('an overloaded simulated dongle', () => {
  let sim: DongleSim;
  const media: SerialMedium[] = [];

  afterAll(async () => {
    await Promise.all(media.map((m) => m.close()));
    await sim?.close();
  });

  it('drops whole packets when two senders outrun its UART, and never garbles a frame', async () => {
    const elf = buildFirmware(build);
    sim = await startDongleSim(build, [elf, elf, elf]);
    const [a, b, c] = await Promise.all(
      [0, 1, 2].map((i) => openSerialMedium({ path: sim.ptyPath(i), mtu: DONGLE_MTU })),
    );
    media.push(a!, b!, c!);
    const atB = collect(b!);
    // Two senders, 40 full frames each: B's radio receives about 540 frames/s, its UART
    // (117647 baud) carries about 290, so its 256-byte ring and the radio's 3-packet FIFO fill.
    const frame = (sender: number, seq: number) =>
      Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? sender : i === 1 ? seq : sender ^ i));
    for (let seq = 0; seq < 40; seq++) {
      a!.send(frame(0xa, seq));
      c!.send(frame(0xc, seq));
    }
    await waitFor('80 packets on air', () => sim.airLines().length >= 80, 30_000);
    // The packets B's radio took (bit 1 of the receiver mask); the others found its 3-packet
    // FIFO full, as the firmware leaves them there until its UART ring has room.
    const tookByB = sim
      .airLines()
      .map((l) => l.split(' '))
      .filter(([, fromTo]) => (parseInt(fromTo!.split('>')[1]!, 16) & 2) !== 0)
      .map(([, , , bytes]) => bytes!);
    expect(tookByB.length).toBeLessThan(80); // the overload is real
    expect(tookByB.length).toBeGreaterThan(30);
    // Every packet the radio took comes out of B's UART, whole and in order: the firmware
    // itself drops nothing it has taken.
    await waitFor('B forwarded them all', () => atB.frames.length >= tookByB.length, 20_000);
    expect(atB.frames).toEqual(tookByB);
    expect(b!.counters.corrupt).toBe(0);
    for (const s of [0xa, 0xc]) {
      const seqs = atB.frames
        .filter((f) => parseInt(f.slice(0, 2), 16) === s)
        .map((f) => parseInt(f.slice(2, 4), 16));
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y)); // per sender: in order, no repeats
      expect(new Set(seqs).size).toBe(seqs.length);
    }
    for (const f of atB.frames) {
      expect(f).toBe(hex(frame(parseInt(f.slice(0, 2), 16), parseInt(f.slice(2, 4), 16))));
    }
  }, 120_000);
});
