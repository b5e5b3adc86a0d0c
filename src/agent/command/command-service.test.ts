import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'aedes';
import { VirtualScheduler } from '../../core/virtual-scheduler.ts';
import { CredentialStore } from '../../mqtt/credential-store.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../mqtt/embedded-broker.ts';
import { decodeMessage, type CommandResult } from '../../mqtt/messages.ts';
import { hashPassword } from '../../mqtt/password-hash.ts';
import { nodeTopic, siteFilter } from '../../mqtt/topics.ts';
import { AgentLink } from '../mqtt/agent-link.ts';
import { CommandService } from './command-service.ts';
import { ConfigTransaction } from './config-transaction.ts';

interface Cfg {
  weight: number;
}

const SITE = 'lab';
let broker: EmbeddedBroker;
let controller: MqttClient;
const results: CommandResult[] = [];
const waiters: { match: (r: CommandResult) => boolean; resolve: (r: CommandResult) => void }[] = [];

function nextResult(match: (r: CommandResult) => boolean): Promise<CommandResult> {
  const seen = results.find(match);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve) => waiters.push({ match, resolve }));
}

beforeAll(async () => {
  const credentials = CredentialStore.fromUsers([
    { username: 'controller', role: 'controller', password_hash: hashPassword('c') },
    { username: 'node-1', role: 'node', password_hash: hashPassword('n1') },
    { username: 'node-2', role: 'node', password_hash: hashPassword('n2') },
  ]);
  broker = await startEmbeddedBroker({ credentials, port: 0 });
  controller = await mqtt.connectAsync(broker.url, {
    username: 'controller',
    password: 'c',
    clientId: 'controller',
  });
  controller.on('message', (topic, payload) => {
    if (!topic.endsWith('/command/result')) return;
    const decoded = decodeMessage('command/result', payload);
    if (!decoded.ok) throw new Error(decoded.error);
    results.push(decoded.value);
    for (const w of waiters.splice(0)) {
      if (w.match(decoded.value)) w.resolve(decoded.value);
      else waiters.push(w);
    }
  });
  await controller.subscribeAsync(siteFilter(SITE), { qos: 1 });
});

afterAll(async () => {
  await controller.endAsync(true);
  await broker.close();
});

async function startNode(node: string, password: string) {
  const scheduler = new VirtualScheduler();
  const applied: string[] = [];
  const link = await AgentLink.connect({
    url: broker.url,
    site: SITE,
    node,
    password,
    clock: scheduler,
    reconnectPeriodMs: 50,
  });
  const transaction = new ConfigTransaction<Cfg>({
    node,
    initial: { version: 'v1', config: { weight: 1 } },
    validate: (c) => {
      const weight = (c as { weight?: unknown } | null)?.weight;
      return typeof weight === 'number'
        ? { ok: true, config: { weight } }
        : { ok: false, errors: [{ path: 'weight', message: 'must be a number' }] };
    },
  });
  const service = new CommandService<Cfg>({
    link,
    scheduler,
    transaction,
    apply: async (config, version, rollback) => {
      applied.push(`${version}${rollback ? '(rollback)' : ''}:${config.weight}`);
    },
  });
  service.start();
  return { link, scheduler, transaction, applied, service };
}

const send = (node: string, command: object) =>
  controller.publishAsync(nodeTopic(SITE, node, 'command'), JSON.stringify(command), { qos: 1 });

describe('CommandService over a real broker', () => {
  it('applies a pushed configuration and keeps it once confirmed', async () => {
    const n = await startNode('node-1', 'n1');
    await send('node-1', { id: 'a1', kind: 'config.apply', version: 'v2', config: { weight: 3 } });
    await nextResult((r) => r.id === 'a1' && r.status === 'applied');
    await send('node-1', { id: 'a2', kind: 'config.confirm', version: 'v2' });
    await nextResult((r) => r.id === 'a2' && r.status === 'confirmed');
    expect(n.applied).toEqual(['v2:3']);
    expect(n.transaction.current.version).toBe('v2');
    n.service.stop();
    await n.link.close();
  });

  it('rolls back when the confirmation deadline passes on the node clock', async () => {
    const n = await startNode('node-1', 'n1');
    await send('node-1', {
      id: 'b1',
      kind: 'config.apply',
      version: 'v9',
      config: { weight: 9 },
      confirm_timeout_s: 30,
    });
    await nextResult((r) => r.id === 'b1' && r.status === 'applied');
    n.scheduler.advance(29_999);
    expect(n.transaction.state).toBe('awaiting-confirm');
    n.scheduler.advance(1);
    const back = await nextResult((r) => r.id === 'b1' && r.status === 'rolled-back');
    expect(back.reason).toMatch(/no confirmation within 30 s; back to v1/);
    expect(n.applied).toEqual(['v9:9', 'v1(rollback):1']);
    n.service.stop();
    await n.link.close();
  });

  it('rolls back when the node loses the broker, and reports it on reconnect', async () => {
    const n = await startNode('node-2', 'n2');
    await send('node-2', { id: 'c1', kind: 'config.apply', version: 'v5', config: { weight: 5 } });
    await nextResult((r) => r.id === 'c1' && r.status === 'applied');
    const clients = (broker.aedes as unknown as { clients: Record<string, Client> }).clients;
    clients['node-2:agent']!.close();
    const back = await nextResult((r) => r.id === 'c1' && r.status === 'rolled-back');
    expect(back.reason).toMatch(/lost its controller/);
    expect(n.applied).toEqual(['v5:5', 'v1(rollback):1']);
    n.service.stop();
    await n.link.close();
  });

  it('answers a malformed command with the path at fault and applies nothing', async () => {
    const n = await startNode('node-1', 'n1');
    await send('node-1', { id: 'd1', kind: 'config.apply', config: { weight: 2 } });
    const r = await nextResult((x) => x.id === 'd1');
    expect(r.status).toBe('rejected');
    expect(r.reason).toMatch(/version/);
    await send('node-1', {
      id: 'd2',
      kind: 'config.apply',
      version: 'v3',
      config: { weight: 'x' },
    });
    const r2 = await nextResult((x) => x.id === 'd2');
    expect(r2.status).toBe('rejected');
    expect(r2.errors).toEqual([{ path: 'weight', message: 'must be a number' }]);
    expect(n.applied).toEqual([]);
    n.service.stop();
    await n.link.close();
  });
});
