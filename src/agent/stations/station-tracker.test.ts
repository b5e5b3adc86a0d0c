/**
 * The station tracker over the simulator's platform: a station model's list, read through
 * SimPlatform.readStations, becomes the state's `stations` and client events with the model's
 * own association times (a platform that knows them is believed; the agent's clock is not used).
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/random.ts';
import { VirtualScheduler } from '../../core/virtual-scheduler.ts';
import { stationReportSchema } from '../../mqtt/messages.ts';
import { SimPlatform } from '../../platform/sim/sim-platform.ts';
import { StationField } from '../../sim/stations/index.ts';
import { StationTracker } from './station-tracker.ts';

describe('StationTracker', () => {
  it('reports what the simulated APs hear, and the comings and goings as events', async () => {
    const s = new VirtualScheduler(0);
    const field = new StationField({
      aps: [{ node: 'n1', x: 0, y: 0, ssids: ['staff'] }],
      random: seededRandom(3),
    });
    field.addStation({
      mac: 'aa:bb:cc:dd:ee:01',
      ssid: 'staff',
      vlan: 10,
      auth: 'sae',
      ft: false,
      movement: { kind: 'static', at: { x: 8, y: 0 } },
    });
    const platform = new SimPlatform({
      wans: new Map(),
      scheduler: s,
      random: seededRandom(1),
      stations: () =>
        field.stationsAt('n1').map((st) => ({
          mac: st.mac,
          ssid: st.ssid,
          vlan: st.vlan,
          signalDbm: st.signal_dbm,
          since: st.since,
          auth: 'sae' as const,
          ft: false as const,
        })),
    });
    const tracker = new StationTracker({ node: 'n1', toWall: (ms) => 1_800_000_000_000 + ms });
    expect(tracker.update(await platform.readStations(), 0)).toEqual([]);

    field.advance(2_000);
    const since = field.stationsAt('n1')[0]!.since;
    const events = tracker.update(await platform.readStations(), 2_000);
    expect(events).toEqual([
      expect.objectContaining({
        at: since,
        node: 'n1',
        kind: 'client-associated',
        subject: 'aa:bb:cc:dd:ee:01',
        mac: 'aa:bb:cc:dd:ee:01',
        ssid: 'staff',
        method: 'sae',
      }),
    ]);
    expect(events[0]!.reason).toBe(
      "client aa:bb:cc:dd:ee:01 associated to n1 on 'staff' with WPA3-SAE",
    );
    const [report] = tracker.reports();
    expect(stationReportSchema.parse(report)).toEqual({
      mac: 'aa:bb:cc:dd:ee:01',
      ssid: 'staff',
      vlan: 10,
      signal_dbm: expect.any(Number),
      since: new Date(1_800_000_000_000 + since).toISOString(),
      auth: 'sae',
      ft: false,
    });
    // The same association read again: nothing new.
    expect(tracker.update(await platform.readStations(), 4_000)).toEqual([]);

    field.removeStation('aa:bb:cc:dd:ee:01');
    expect(tracker.update(await platform.readStations(), 5_000)).toEqual([
      expect.objectContaining({ at: 5_000, kind: 'client-left', subject: 'aa:bb:cc:dd:ee:01' }),
    ]);
    expect(tracker.reports()).toEqual([]);
  });
});
