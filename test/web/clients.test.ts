/**
 * The dashboard's pure client helpers: the MAC search box, the words for methods, signals and
 * gaps, client counts per AP, and roams seen from the live feed's `client` changes.
 */
import { describe, expect, it } from 'vitest';
import type { ClientRecord } from '../../web/src/api/client-types.ts';
import {
  formatGap,
  formatSignal,
  macQuery,
  methodLabel,
  signalHealth,
} from '../../web/src/lib/client-format.ts';
import {
  activeRoams,
  clientCounts,
  ROAM_FLASH_MS,
  RoamWatcher,
  roamFade,
} from '../../web/src/lib/client-overlay.ts';

const client = (mac: string, node: string, extra: Partial<ClientRecord> = {}): ClientRecord => ({
  mac,
  node,
  ssid: 'Riverside Staff',
  vlan: 10,
  signal_dbm: -60,
  since: 1000,
  last_seen: 2000,
  roams: 0,
  associated: true,
  method: null,
  iface: null,
  ...extra,
});

describe('client words', () => {
  it('takes a MAC or a part of one in either case and separator, and refuses anything else', () => {
    expect(macQuery('  ')).toEqual({ q: '' });
    expect(macQuery(' AA-BB-cc ')).toEqual({ q: 'aa:bb:cc' });
    expect(macQuery('ee:01')).toEqual({ q: 'ee:01' });
    expect(macQuery('phone')).toEqual({
      error: "'phone' is not a MAC address or part of one (hex digits, : or -)",
    });
    expect('error' in macQuery('a'.repeat(18))).toBe(true);
  });

  it('names methods, signals and gaps', () => {
    expect(methodLabel('ft-over-air')).toBe('FT over the air');
    expect(methodLabel('ft-over-ds')).toBe('FT over the DS');
    expect(methodLabel('8021x')).toBe('802.1X/EAP');
    expect(methodLabel('owe')).toBe('owe'); // a newer agent's method, shown as it came
    expect(methodLabel(null)).toBe('–');
    expect(formatSignal(-61.6)).toBe('-62 dBm');
    expect([-50, -67, -68, -80, -81].map(signalHealth)).toEqual([
      'good',
      'good',
      'warn',
      'warn',
      'bad',
    ]);
    expect(formatGap(38.4)).toBe('38 ms');
    expect(formatGap(12_345)).toBe('12.3 s');
    expect(formatGap(null)).toBe('–');
  });
});

describe('client overlay', () => {
  it('counts associated clients per AP, not those that left', () => {
    const counts = clientCounts([
      client('aa:bb:cc:dd:ee:01', 'n3'),
      client('aa:bb:cc:dd:ee:02', 'n3'),
      client('aa:bb:cc:dd:ee:03', 'n7'),
      client('aa:bb:cc:dd:ee:04', 'n7', { associated: false }),
    ]);
    expect([...counts]).toEqual([
      ['n3', 2],
      ['n7', 1],
    ]);
  });

  it('sees a roam when the controller counts one more for a client at another AP', () => {
    const w = new RoamWatcher();
    const X = 'aa:bb:cc:dd:ee:01';
    w.seed([client(X, 'n3')]);
    expect(w.onClient(client('aa:bb:cc:dd:ee:02', 'n5'), 10)).toBeUndefined(); // first sighting
    expect(w.onClient(client(X, 'n3', { signal_dbm: -70 }), 20)).toBeUndefined();
    expect(w.onClient(client(X, 'n7', { roams: 1 }), 30)).toEqual({
      mac: X,
      from: 'n3',
      to: 'n7',
      startedAt: 30,
    });
    // It left n7; much later it associates at n2 and the controller counts no roam: none drawn.
    expect(w.onClient(client(X, 'n7', { roams: 1, associated: false }), 40)).toBeUndefined();
    expect(w.onClient(client(X, 'n2', { roams: 1 }), 50)).toBeUndefined();
    // Two roams in one batch of the feed: drawn from where the dashboard last saw it.
    expect(w.onClient(client(X, 'n9', { roams: 3 }), 60)).toMatchObject({ from: 'n2', to: 'n9' });
  });

  it('keeps a roam on screen for ROAM_FLASH_MS, fading', () => {
    const f = { mac: 'aa:bb:cc:dd:ee:01', from: 'n3', to: 'n7', startedAt: 1000 };
    expect(roamFade(f, 1000)).toBe(0);
    expect(roamFade(f, 1000 + ROAM_FLASH_MS / 2)).toBe(0.5);
    expect(activeRoams([f], 1000 + ROAM_FLASH_MS - 1)).toHaveLength(1);
    expect(activeRoams([f], 1000 + ROAM_FLASH_MS)).toHaveLength(0);
  });
});
