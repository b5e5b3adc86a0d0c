/**
 * The controller's HTTP app over an in-memory store, as API and browser tests build it: an admin
 * (`admin` / `admin-pw`), a viewer (`watcher` / `viewer-pw`), a push service whose commands are
 * collected instead of sent, and an idle upgrade service. Every dependency can be overridden.
 *
 * @example
 * const api = await apiApp({ site: 'lab', demo: world.faults });
 * const token = await api.login('admin', 'admin-pw');
 * await api.app.inject({ url: '/api/nodes', headers: { authorization: `Bearer ${token}` } });
 */
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../src/core/clock.ts';
import type { Scheduler } from '../../src/core/scheduler.ts';
import { VirtualScheduler } from '../../src/core/virtual-scheduler.ts';
import { ensureAdmin } from '../../src/controller/admin-bootstrap.ts';
import { ConfigPushService, type PushValidator } from '../../src/controller/config-push-service.ts';
import { buildApp, type ApiDeps } from '../../src/controller/http/app.ts';
import { LiveHub } from '../../src/controller/http/live-hub.ts';
import { Ingest } from '../../src/controller/ingest.ts';
import { ControllerStore } from '../../src/controller/store/controller-store.ts';
import { UpgradeCampaignService } from '../../src/controller/upgrade/upgrade-campaign-service.ts';
import type { Command } from '../../src/mqtt/messages.ts';

export interface ApiAppOptions extends Partial<Omit<ApiDeps, 'store' | 'clock' | 'pushes'>> {
  /** @default a VirtualScheduler at 1,700,000,000,000 */
  scheduler?: Scheduler & Clock;
  /** What the push service checks before sending. @default the controller's own validator */
  validate?: PushValidator;
}

export interface ApiApp {
  app: Awaited<ReturnType<typeof buildApp>>;
  store: ControllerStore;
  scheduler: Scheduler & Clock;
  ingest: Ingest;
  /** Commands the push service would have sent to nodes. */
  sent: { node: string; command: Command }[];
  /** Logs in through the API; returns the bearer token (throws on a refused login). */
  login(username: string, password: string): Promise<string>;
  /** Listens on a free port of 127.0.0.1; returns the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export async function apiApp(o: ApiAppOptions = {}): Promise<ApiApp> {
  const { scheduler = new VirtualScheduler(1_700_000_000_000), validate, ...deps } = o;
  const store = await ControllerStore.open(':memory:');
  await ensureAdmin(store.users, 'admin-pw', scheduler.now());
  await store.users.create('watcher', 'viewer', 'viewer-pw', scheduler.now());
  const ingest = new Ingest({ store, scheduler });
  const sent: ApiApp['sent'] = [];
  const app = await buildApp({
    site: 'lab',
    upgrades: new UpgradeCampaignService({
      store,
      scheduler,
      newId: () => 'c1',
      send: async () => {},
      publish: () => {},
    }),
    live: new LiveHub(),
    mqttConnected: () => true,
    ingestStats: () => ingest.stats,
    ...deps,
    store,
    clock: scheduler,
    pushes: new ConfigPushService({
      store,
      clock: scheduler,
      send: async (node, command) => {
        sent.push({ node, command });
      },
      ...(validate ? { validate } : {}),
    }),
  });
  return {
    app,
    store,
    scheduler,
    ingest,
    sent,
    async login(username, password) {
      const r = await app.inject({
        method: 'POST',
        url: '/api/login',
        payload: { username, password },
      });
      if (r.statusCode !== 200) throw new Error(`login of ${username}: ${r.statusCode} ${r.body}`);
      return (r.json() as { token: string }).token;
    },
    async listen() {
      await app.listen({ host: '127.0.0.1', port: 0 });
      return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    },
    async close() {
      await app.close();
      await store.close();
    },
  };
}
