/**
 * Issue 12, finding 5 (the MQTT part): wrong-password storms were not throttled; 134 CONNECTs in
 * 10 s, each checked with a deliberately slow hash, slowed every other client 5x. The embedded
 * broker now counts failed logins per source address and, past the limit, refuses that address
 * for a while without checking any password, while other addresses log in as before. (The
 * table's bound against address sprays is tested on its core, src/mqtt/auth-failure-throttle.)
 * Mosquitto has no such throttle: docs/deployment.md says so.
 */
import { connect as netConnect } from 'node:net';
import mqttPacket from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogFn, Logger } from '../../src/core/logger.ts';
import { embeddedBroker, type RunningBroker, type TestUser } from './mqtt-brokers.ts';

const node3: TestUser = { username: 'node-3', password: 'n3-pw', role: 'node', site: 'lab' };

/** What a raw CONNECT from `localAddress` got: a CONNACK's return code, or a closed socket. */
function connectFrom(
  url: string,
  localAddress: string,
  password: string,
): Promise<number | 'closed'> {
  const { hostname, port } = new URL(url);
  const socket = netConnect({ host: hostname, port: Number(port), localAddress });
  const parser = mqttPacket.parser();
  return new Promise((resolve) => {
    parser.on('packet', (packet) => {
      if (packet.cmd === 'connack') {
        socket.destroy();
        resolve(packet.returnCode ?? 0);
      }
    });
    socket.on('data', (chunk) => parser.parse(chunk));
    socket.on('error', () => resolve('closed'));
    socket.on('close', () => resolve('closed'));
    socket.write(
      mqttPacket.generate({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clean: true,
        clientId: 'node-3:probe',
        keepalive: 30,
        username: node3.username,
        password: Buffer.from(password),
      }),
    );
  });
}

/** A logger that keeps the messages the broker thread forwards. */
function collectingLogger(lines: string[]): Logger {
  const keep: LogFn = ((objOrMsg: object | string, msg?: string) => {
    lines.push(typeof objOrMsg === 'string' ? objOrMsg : (msg ?? ''));
  }) as LogFn;
  return { debug: keep, info: keep, warn: keep, error: keep };
}

describe('MQTT auth-failure throttle per address: embedded on its thread', () => {
  let broker: RunningBroker;
  const lines: string[] = [];

  beforeAll(async () => {
    broker = await embeddedBroker.start([node3], {
      site: 'lab',
      embedded: {
        limits: { authFailures: 5, authFailureWindowMs: 60_000, authBlockMs: 60_000 },
        logger: collectingLogger(lines),
      },
    });
  });
  afterAll(async () => {
    await broker.close();
  });

  it('refuses an address after 5 failures, even with the right password, and not the others', async () => {
    const attacker = '127.0.0.2';
    for (let i = 0; i < 5; i++) {
      // Return code 4: bad user name or password (each one checked).
      expect(await connectFrom(broker.url, attacker, `guess-${i}`)).toBe(4);
    }
    // Blocked now: refused at once, whatever it sends.
    for (let i = 0; i < 30; i++) {
      expect(await connectFrom(broker.url, attacker, `guess-more-${i}`)).not.toBe(0);
    }
    expect(await connectFrom(broker.url, attacker, node3.password)).not.toBe(0);
    // Another address logs in as usual.
    expect(await connectFrom(broker.url, '127.0.0.1', node3.password)).toBe(0);
    // The 31 refused attempts cost no password check: only the first 5 reached one.
    expect(lines.filter((l) => l === 'mqtt login refused: bad credentials')).toHaveLength(5);
    expect(lines).toContain('mqtt logins from this address refused for a while: too many failures');
  });
});
