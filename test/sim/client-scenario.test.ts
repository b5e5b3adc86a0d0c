import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../src/sim/errors.ts';
import { parseScenario } from '../../src/sim/scenario.ts';

const base = `
duration_s: 30
topology: { kind: grid, rows: 2, cols: 2 }
clients:
  - name: a
    mac: 02:00:00:00:00:0A
    ssid: mesh
    auth: sae
    ft: over-ds
    movement: { kind: path, waypoints: [[0, 0], [1, 1]], speed_mps: 1.4 }
`;

function issues(text: string): ReadonlyArray<{ path: string; message: string }> {
  try {
    parseScenario(text, 'bad.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as ScenarioError).issues;
  }
  throw new Error('expected a ScenarioError');
}

describe('scenario clients:', () => {
  it('reads clients with defaults: lower-case MAC, VLAN 0, ft none → false', () => {
    const s = parseScenario(
      `${base}  - { mac: 02:00:00:00:00:0b, ssid: mesh, movement: { kind: static, at: [0, 0] } }\n`,
    );
    expect(s.clients[0]).toMatchObject({ mac: '02:00:00:00:00:0a', auth: 'sae', ft: 'over-ds' });
    expect(s.clients[1]).toMatchObject({ vlan: 0, auth: 'psk', ft: false, start_s: 0 });
    expect(s.stations.metres_per_unit).toBe(30);
  });

  it('refuses unknown keys inside a client and its movement, with the path', () => {
    expect(issues(base.replace('ssid: mesh', 'ssid: mesh\n    speed: 3'))).toContainEqual({
      path: 'clients[0].speed',
      message: expect.stringMatching(/unknown key/),
    });
    expect(issues(base.replace('speed_mps: 1.4', 'speed_mps: 1.4, pace: 2'))[0]!.path).toBe(
      'clients[0].movement.pace',
    );
  });

  it('refuses a malformed MAC, an unknown auth and an unknown FT mode', () => {
    expect(issues(base.replace('02:00:00:00:00:0A', '02:00:00:00:0A'))[0]!.path).toBe(
      'clients[0].mac',
    );
    expect(issues(base.replace('auth: sae', 'auth: wep'))[0]!.path).toBe('clients[0].auth');
    expect(issues(base.replace('ft: over-ds', 'ft: psk'))[0]!.path).toBe('clients[0].ft');
  });

  it('refuses duplicate clients, unknown AP nodes, unserved SSIDs and flows to unknown clients', () => {
    const text = `${base}  - { name: a, mac: 02:00:00:00:00:0a, ssid: guest, movement: { kind: static, at: [0, 0] } }
access_points: [{ node: n0, ssids: [mesh] }, { node: n9, ssids: [mesh] }]
traffic:
  flows: [{ from: n0, to: 'client:nobody', rate_pps: 1 }]
`;
    const paths = issues(text).map((i) => `${i.path}: ${i.message}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^clients\[1\]\.mac: duplicate MAC/),
        expect.stringMatching(/^clients\[1\]\.name: duplicate name 'a'/),
        "clients[1].ssid: no access point serves SSID 'guest'",
        "access_points[1].node: unknown node 'n9'",
        "traffic.flows[0].to: unknown client 'nobody'",
      ]),
    );
  });

  it('refuses a flow to a client with the translation table switched off', () => {
    const text = `${base}routing: { translation_table: false }
traffic:
  flows: [{ from: n0, to: 'client:a', rate_pps: 1 }]
`;
    expect(issues(text)[0]).toEqual({
      path: 'traffic.flows[0].to',
      message: 'a flow to a client needs routing.translation_table (it is off)',
    });
  });
});
