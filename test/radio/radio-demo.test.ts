/**
 * The demo's simulated radio mesh (startRadioDemo) against a real controller and its embedded
 * broker: its gateway logs in as a radio-gateway, every radio node shows up in the controller,
 * and a node the fault panel kills is reported unreachable, then reachable once revived.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startController, type RunningController } from '../../src/controller/controller.ts';
import { RealScheduler } from '../../src/core/real-scheduler.ts';
import { CredentialStore } from '../../src/mqtt/credential-store.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/mqtt/embedded-broker.ts';
import { hashPassword } from '../../src/mqtt/password-hash.ts';
import {
  RadioDemoFaultError,
  radioDemoCredentials,
  startRadioDemo,
  type RunningRadioDemo,
} from '../../src/radio-gateway/radio-demo.ts';
import { waitFor } from '../openwrt/wait-for.ts';

describe('the demo radio mesh', () => {
  let broker: EmbeddedBroker;
  let controller: RunningController;
  let radio: RunningRadioDemo;

  beforeAll(async () => {
    const creds = radioDemoCredentials();
    const credentials = CredentialStore.fromUsers([
      { username: 'controller', role: 'controller', password_hash: hashPassword('ctl-pw') },
      creds.user,
    ]);
    broker = await startEmbeddedBroker({ credentials, site: 'demo', port: 0 });
    controller = await startController({
      site: 'demo',
      dbPath: join(mkdtempSync(join(tmpdir(), 'im-radio-demo-')), 'c.db'),
      mqttUrl: broker.url,
      mqttPassword: 'ctl-pw',
      scheduler: new RealScheduler(),
      port: 0,
      adminPassword: 'admin-password-1',
      radio: { liveness: { unreachableAfterMs: 2500, alertAfterMs: 60_000 }, sweepMs: 200 },
    });
    radio = await startRadioDemo({
      mqttUrl: broker.url,
      site: 'demo',
      password: creds.password,
      nodes: 6,
      pingIntervalMs: 500,
      scanIntervalMs: 5000,
    });
  });

  afterAll(async () => {
    await radio?.close();
    await controller?.close();
    await broker?.close();
  });

  it('reports every radio node of the mesh through its gateway', async () => {
    const others = radio
      .nodes()
      .filter((n) => !n.gateway)
      .map((n) => n.address);
    expect(others).toEqual([2, 3, 4, 5, 6]);
    const nodes = await waitFor(
      'all five radio nodes heard',
      async () => {
        const list = (await controller.radio.nodes()).filter((n) => n.last_heard_ms !== null);
        return list.length === 5 ? list : null;
      },
      15_000,
    );
    expect(nodes.map((n) => n.address)).toEqual(others);
    expect(nodes.every((n) => n.gateways.join() === 'radio-gw' && n.network === 'demo-radio')).toBe(
      true,
    );
  });

  it('kills and revives a radio node, as the fault panel does', async () => {
    expect(() => radio.kill(1)).toThrow(RadioDemoFaultError);
    expect(() => radio.kill(42)).toThrow(/not in the demo mesh/);
    radio.kill(6);
    expect(() => radio.kill(6)).toThrow(/already off the air/);
    expect((await radio.nodes()).find((n) => n.address === 6)?.alive).toBe(false);
    await waitFor(
      'node 6 unreachable',
      async () =>
        (await controller.radio.nodes()).find((n) => n.address === 6)?.status === 'unreachable',
      10_000,
    );
    radio.revive(6);
    await waitFor(
      'node 6 reachable again',
      async () =>
        (await controller.radio.nodes()).find((n) => n.address === 6)?.status === 'reachable',
      10_000,
    );
  });
});
