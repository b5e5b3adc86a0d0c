/**
 * Real health probes bound to one WAN: ICMP through `ping -I <device>` (SO_BINDTODEVICE, run in
 * the node's namespace), TCP connect, HTTP(S) and DNS from the WAN's source address (policy
 * rules `from <address>` route them out of that WAN). A probe never rejects: a network failure
 * is `ok: false`.
 *
 * TCP/HTTP/DNS sockets open in this process's own network namespace; ICMP honours the
 * platform's `netns` option. Targets: `host` for ICMP, `host:port` for TCP, a URL or host for
 * HTTP(S), `server` or `server/name` for DNS.
 *
 * @example
 * await probeIcmp(run, { device: 'eth1', target: '198.51.100.1', timeoutMs: 300 }); // { ok: true, rttMs: 0.4 }
 */
import { Resolver } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { CommandRunner } from './command-runner.ts';

export interface ProbeOutcome {
  ok: boolean;
  rttMs?: number | undefined;
}

export async function probeIcmp(
  run: CommandRunner,
  p: { device: string; target: string; timeoutMs: number },
): Promise<ProbeOutcome> {
  const seconds = (Math.max(1, p.timeoutMs) / 1000).toFixed(3);
  const r = await run(['ping', '-n', '-q', '-c', '1', '-W', seconds, '-I', p.device, p.target], {
    allowFailure: true,
  });
  if (r.code !== 0) return { ok: false };
  // "rtt min/avg/max/mdev = 0.051/0.051/0.051/0.000 ms"
  const m = /= [\d.]+\/([\d.]+)\//.exec(r.stdout);
  return { ok: true, rttMs: m ? Number(m[1]) : undefined };
}

function splitHostPort(target: string, defaultPort: number): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(target);
  return m ? { host: m[1]!, port: Number(m[2]) } : { host: target, port: defaultPort };
}

export function probeTcp(p: {
  target: string;
  sourceAddress?: string | undefined;
  timeoutMs: number;
}): Promise<ProbeOutcome> {
  const { host, port } = splitHostPort(p.target, 80);
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, localAddress: p.sourceAddress });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok ? { ok, rttMs: performance.now() - started } : { ok });
    };
    const timer = setTimeout(() => done(false), p.timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export function probeHttp(p: {
  target: string;
  secure: boolean;
  sourceAddress?: string | undefined;
  timeoutMs: number;
}): Promise<ProbeOutcome> {
  const url = /^https?:\/\//.test(p.target)
    ? p.target
    : `${p.secure ? 'https' : 'http'}://${p.target}/`;
  const started = performance.now();
  const lib = url.startsWith('https') ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (ok: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(ok ? { ok, rttMs: performance.now() - started } : { ok });
    };
    // Any HTTP answer proves the path works; a 5xx from a captive portal still does.
    const req = lib.get(url, { localAddress: p.sourceAddress, agent: false }, (res) => {
      res.resume();
      finish(true);
    });
    req.on('error', () => finish(false));
    const timer = setTimeout(() => finish(false), p.timeoutMs);
  });
}

export async function probeDns(p: {
  target: string;
  sourceAddress?: string | undefined;
  timeoutMs: number;
}): Promise<ProbeOutcome> {
  const [server, name = 'example.com'] = p.target.split('/');
  const resolver = new Resolver({ timeout: p.timeoutMs, tries: 1 });
  if (p.sourceAddress) resolver.setLocalAddress(p.sourceAddress);
  resolver.setServers([server!]);
  const started = performance.now();
  try {
    await resolver.resolve4(name);
    return { ok: true, rttMs: performance.now() - started };
  } catch (e) {
    // NXDOMAIN and NODATA are answers: the resolver is reachable through this WAN.
    const code = (e as { code?: string }).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA')
      return { ok: true, rttMs: performance.now() - started };
    return { ok: false };
  } finally {
    resolver.cancel();
  }
}
