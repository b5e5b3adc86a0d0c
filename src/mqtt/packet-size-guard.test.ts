import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { PacketSizeGuard } from './packet-size-guard.ts';

const limits = { maxConnectBytes: 100, maxPacketBytes: 1000 };

const connect = mqttPacket.generate({
  cmd: 'connect',
  protocolId: 'MQTT',
  protocolVersion: 4,
  clean: true,
  clientId: 'node-3:agent',
  keepalive: 30,
  username: 'node-3',
  password: Buffer.from('pw'),
});
const publish = (bytes: number) =>
  mqttPacket.generate({
    cmd: 'publish',
    topic: 'intelli-mesh/lab/node/node-3/state',
    payload: Buffer.alloc(bytes, 0x61),
    qos: 1,
    messageId: 7,
    retain: false,
    dup: false,
  });

/** Feeds the bytes in pieces of `step` and returns the first violation. */
function feed(guard: PacketSizeGuard, bytes: Buffer, step: number) {
  for (let i = 0; i < bytes.length; i += step) {
    const v = guard.feed(bytes.subarray(i, i + step));
    if (v) return v;
  }
  return undefined;
}

describe('PacketSizeGuard', () => {
  it.each([1, 3, 4096])('lets packets within the limits through, in chunks of %i', (step) => {
    const stream = Buffer.concat([connect, publish(900), publish(0), publish(900)]);
    expect(feed(new PacketSizeGuard(limits), stream, step)).toBeUndefined();
  });

  it('refuses a CONNECT by the size it announces, before its body', () => {
    // Type CONNECT, remaining length 268,435,455 (the largest MQTT allows), and no body at all.
    const header = Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f]);
    expect(new PacketSizeGuard(limits).feed(header)).toEqual({
      kind: 'connect',
      size: 268_435_460,
      limit: 100,
    });
  });

  it('refuses a later packet over the maximum, byte by byte too', () => {
    const big = publish(1000);
    const stream = Buffer.concat([connect, publish(10), big]);
    expect(feed(new PacketSizeGuard(limits), stream, 1)).toEqual({
      kind: 'packet',
      size: big.length,
      limit: 1000,
    });
  });

  it('refuses a remaining length longer than four bytes', () => {
    const guard = new PacketSizeGuard({ maxConnectBytes: 1e9, maxPacketBytes: 1e9 });
    expect(guard.feed(Buffer.from([0x10, 0x80, 0x80, 0x80, 0x80, 0x01]))).toEqual({
      kind: 'malformed',
    });
  });
});
