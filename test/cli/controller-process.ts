/**
 * The real `intelli-mesh controller` process for tests: spawned (optionally through a wrapper
 * such as `ip netns exec NS`), read until its startup lines are complete, with the API URL and
 * every `MQTT broker:` line parsed; and a small HTTPS client that trusts a given CA, for an API
 * served with `--http-tls-cert`.
 *
 * @example
 * const ctl = await startControllerProcess(['--port', '0', '--mqtt-port', '0']);
 * ctl.brokers; // [{ url: 'mqtt://127.0.0.1:41234', note: 'plain' }]
 * await ctl.stop(); // SIGTERM; resolves to the exit code
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:https';

const BIN = new URL('../../bin/intelli-mesh', import.meta.url).pathname;

export interface ControllerProcess {
  child: ChildProcess;
  /** The API's URL as printed (`controller for site … at URL`). */
  url: string;
  brokers: { url: string; note: string }[];
  /** Everything printed so far, stdout and stderr. */
  output(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

export async function startControllerProcess(
  args: string[],
  options: { wrap?: string[]; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<ControllerProcess> {
  const argv = [...(options.wrap ?? []), BIN, 'controller', ...args];
  const child = spawn(argv[0]!, argv.slice(1), {
    env: { ...process.env, LOG_LEVEL: 'warn', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const timeoutMs = options.timeoutMs ?? 20_000;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`controller did not start in ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    // The admin line is the last of the startup lines.
    const check = () => {
      if (!/^login: /m.test(out)) return;
      clearTimeout(timer);
      resolve();
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`controller exited with ${code} before it was up:\n${out}`));
    });
  });
  const url = /^controller for site '[^']*' at (\S+)/m.exec(out)?.[1];
  if (!url) throw new Error(`no API URL in:\n${out}`);
  const brokers = [...out.matchAll(/^MQTT broker: (\S+) \((.*)\)$/gm)].map((m) => ({
    url: m[1]!,
    note: m[2]!,
  }));
  return {
    child,
    url,
    brokers,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** One JSON request over HTTPS, trusting `ca` only. */
export function httpsJson(
  url: string,
  ca: string,
  init: { method?: string; body?: unknown; token?: string } = {},
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const payload = init.body === undefined ? undefined : JSON.stringify(init.body);
    const req = request(
      url,
      {
        method: init.method ?? 'GET',
        ca,
        headers: {
          ...(payload ? { 'content-type': 'application/json' } : {}),
          ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.once('error', reject);
    req.end(payload);
  });
}
