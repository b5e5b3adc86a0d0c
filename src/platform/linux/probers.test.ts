import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeDns, probeHttp, probeTcp } from './probers.ts';

// Real sockets on loopback only: a TCP listener, an HTTP server, and a tiny DNS responder that
// answers every A query with 127.0.0.1, plus a UDP socket that never answers.
let tcp: net.Server;
let web: http.Server;
let dns: dgram.Socket;
let mute: dgram.Socket;
const accepted = new Set<net.Socket>();
const port = (a: AddressInfo | string | null) => (a as AddressInfo).port;

function dnsAnswer(query: Buffer): Buffer {
  let end = 12;
  while (query[end]! !== 0) end += query[end]! + 1;
  const question = query.subarray(12, end + 5);
  const header = Buffer.from([query[0]!, query[1]!, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]);
  const answer = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1]);
  return Buffer.concat([header, question, answer]);
}

beforeAll(async () => {
  tcp = net.createServer((s) => {
    accepted.add(s);
    s.end();
  });
  web = http.createServer((_req, res) => res.writeHead(503).end('maintenance'));
  dns = dgram.createSocket('udp4');
  mute = dgram.createSocket('udp4');
  dns.on('message', (msg, rinfo) => dns.send(dnsAnswer(msg), rinfo.port, rinfo.address));
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => dns.bind(0, '127.0.0.1', r));
  await new Promise<void>((r) => mute.bind(0, '127.0.0.1', r));
});

afterAll(async () => {
  for (const s of accepted) s.destroy();
  await new Promise((r) => tcp.close(r));
  web.closeAllConnections();
  await new Promise((r) => web.close(r));
  dns.close();
  mute.close();
});

const src = '127.0.0.1';

describe('socket probers (loopback)', () => {
  it('TCP: a listener answers, a closed port does not', async () => {
    const ok = await probeTcp({
      target: `127.0.0.1:${port(tcp.address())}`,
      sourceAddress: src,
      timeoutMs: 1000,
    });
    expect(ok.ok).toBe(true);
    expect(ok.rttMs).toBeGreaterThanOrEqual(0);
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const p = port(closed.address());
    await new Promise((r) => closed.close(r));
    expect(
      await probeTcp({ target: `127.0.0.1:${p}`, sourceAddress: src, timeoutMs: 1000 }),
    ).toEqual({ ok: false });
  });

  it('HTTP: any answer, even a 503, proves the path', async () => {
    expect(
      (
        await probeHttp({
          target: `127.0.0.1:${port(web.address())}`,
          secure: false,
          sourceAddress: src,
          timeoutMs: 1000,
        })
      ).ok,
    ).toBe(true);
    expect(
      await probeHttp({
        target: `http://127.0.0.1:${port(tcp.address())}/`,
        secure: false,
        sourceAddress: src,
        timeoutMs: 1000,
      }),
    ).toEqual({ ok: false });
  });

  it('DNS: an answering resolver is up, a silent one times out', async () => {
    expect(
      (
        await probeDns({
          target: `127.0.0.1:${port(dns.address())}/probe.example`,
          sourceAddress: src,
          timeoutMs: 1000,
        })
      ).ok,
    ).toBe(true);
    const started = performance.now();
    expect(
      await probeDns({
        target: `127.0.0.1:${port(mute.address())}/probe.example`,
        sourceAddress: src,
        timeoutMs: 200,
      }),
    ).toEqual({ ok: false });
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
