import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import * as mqttPacket from 'mqtt-packet';
import type { Packet } from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { RealScheduler } from '../core/real-scheduler.ts';
import { BatchingSession, encodePubacks, type InboundMessage } from './batching-session.ts';

/** A raw TCP peer that speaks just enough MQTT to misbehave on purpose. */
async function rawBroker(onPacket: (socket: Socket, packet: Packet, n: number) => void) {
  const sockets: Socket[] = [];
  let connections = 0;
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    const n = ++connections;
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on('packet', (packet: Packet) => onPacket(socket, packet, n));
    socket.on('data', (chunk: Buffer) => parser.parse(chunk));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const connack = (sessionPresent = false, returnCode = 0) =>
  mqttPacket.generate({ cmd: 'connack', sessionPresent, returnCode });
const suback = (messageId: number) =>
  mqttPacket.generate({ cmd: 'suback', messageId, granted: [1] });

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const options = (url: string, seen: InboundMessage[] = []) => ({
  url,
  clientId: 'controller:ingest',
  username: 'controller',
  password: 'pw',
  scheduler: new RealScheduler(),
  subscriptions: [{ topic: 'intelli-mesh/lab/node/+/#', qos: 1 as const }],
  onBatch: (batch: readonly InboundMessage[]) => void seen.push(...batch),
  reconnectPeriodMs: 20,
});

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('BatchingSession', () => {
  it('encodes PUBACKs exactly as mqtt-packet does', () => {
    const ids = [1, 255, 256, 4660, 65535];
    expect(encodePubacks(ids)).toEqual(
      Buffer.concat(ids.map((messageId) => mqttPacket.generate({ cmd: 'puback', messageId }))),
    );
  });

  it('sends CONNECT with a persistent session, subscribes, and acknowledges after the batch', async () => {
    const received: Packet[] = [];
    const broker = await rawBroker((socket, packet) => {
      received.push(packet);
      if (packet.cmd === 'connect') socket.write(connack());
      if (packet.cmd === 'subscribe') {
        socket.write(suback(packet.messageId!));
        // Three publishes in one write: one batch, three PUBACKs after it.
        socket.write(
          Buffer.concat(
            [7, 8, 9].map((messageId) =>
              mqttPacket.generate({
                cmd: 'publish',
                topic: 'intelli-mesh/lab/node/n1/events',
                payload: Buffer.from(`m${messageId}`),
                qos: 1,
                dup: false,
                retain: false,
                messageId,
              }),
            ),
          ),
        );
      }
    });
    cleanups.push(() => broker.close());
    const batches: string[][] = [];
    const pubacksDuringBatch: number[] = [];
    const session = await BatchingSession.connect({
      ...options(broker.url),
      onBatch: (batch) => {
        // No PUBACK may have reached the broker while the batch is being stored.
        pubacksDuringBatch.push(received.filter((p) => p.cmd === 'puback').length);
        batches.push(batch.map((m) => m.payload.toString()));
      },
    });
    cleanups.push(() => session.close());
    await until('three PUBACKs', () => received.filter((p) => p.cmd === 'puback').length === 3);
    const connect = received[0] as Extract<Packet, { cmd: 'connect' }>;
    expect(connect).toMatchObject({ cmd: 'connect', clean: false, clientId: 'controller:ingest' });
    expect(batches).toEqual([['m7', 'm8', 'm9']]);
    expect(pubacksDuringBatch).toEqual([0]);
    expect(received.filter((p) => p.cmd === 'puback').map((p) => p.messageId)).toEqual([7, 8, 9]);
  });

  it('counts a malformed packet, names it, drops the connection and reconnects', async () => {
    const broker = await rawBroker((socket, packet, n) => {
      if (packet.cmd === 'connect') socket.write(connack(n > 1));
      if (packet.cmd === 'subscribe') {
        socket.write(suback(packet.messageId!));
        // A PUBLISH header whose remaining length claims 5 bytes, then a topic length of 300.
        if (n === 1) socket.write(Buffer.from([0x32, 0x05, 0x01, 0x2c, 0x61, 0x00, 0x01]));
      }
    });
    cleanups.push(() => broker.close());
    const session = await BatchingSession.connect(options(broker.url));
    cleanups.push(() => session.close());
    const errors: Error[] = [];
    session.on('error', (err) => errors.push(err));
    await until('a second connection', () => broker.connections() === 2 && session.connected);
    expect(session.stats.badPackets).toBe(1);
    expect(errors[0]?.name).toBe('MqttProtocolError');
    expect(errors[0]?.message).toMatch(/^malformed packet from mqtt:\/\/127\.0\.0\.1:\d+: /);
  });

  it('refuses a QoS 2 delivery it never subscribed to, as a protocol error', async () => {
    const broker = await rawBroker((socket, packet, n) => {
      if (packet.cmd === 'connect') socket.write(connack());
      if (packet.cmd === 'subscribe') {
        socket.write(suback(packet.messageId!));
        if (n === 1) {
          socket.write(
            mqttPacket.generate({
              cmd: 'publish',
              topic: 'intelli-mesh/lab/node/n1/events',
              payload: Buffer.from('x'),
              qos: 2,
              dup: false,
              retain: false,
              messageId: 1,
            }),
          );
        }
      }
    });
    cleanups.push(() => broker.close());
    const seen: InboundMessage[] = [];
    const session = await BatchingSession.connect(options(broker.url, seen));
    cleanups.push(() => session.close());
    const errors: Error[] = [];
    session.on('error', (err) => errors.push(err));
    await until('a reconnection', () => broker.connections() === 2);
    expect(seen).toEqual([]);
    expect(errors[0]?.message).toContain('QoS 2 PUBLISH on intelli-mesh/lab/node/n1/events');
  });

  it('gives up a first connection that gets no CONNACK in time, naming the URL', async () => {
    const broker = await rawBroker(() => {});
    cleanups.push(() => broker.close());
    const err = await BatchingSession.connect({
      ...options(broker.url),
      connectTimeoutMs: 200,
    }).catch((e: Error) => e);
    expect((err as Error).name).toBe('SessionConnectError');
    expect((err as Error).message).toBe(`no CONNACK from ${broker.url} in 200 ms`);
  });

  it('rejects a URL it cannot use before connecting', async () => {
    for (const url of ['not a url', 'mqtts://broker:8883']) {
      const err = await BatchingSession.connect(options(url)).catch((e: Error) => e);
      expect((err as Error).name).toBe('SessionConnectError');
      expect((err as Error).message).toContain(`'${url}'`);
    }
  });
});
