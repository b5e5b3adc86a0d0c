import { describe, expect, it } from 'vitest';
import {
  mqttTopicToNatsSubject,
  natsPermissions,
  renderNatsConfig,
  type NatsConfigOptions,
} from './nats-config.ts';

const base: NatsConfigOptions = {
  serverName: 'n1',
  mqttPort: 1883,
  clientPort: 4222,
  clusterPort: 6222,
  routes: ['10.0.0.2:6222'],
  storeDir: '/var/lib/nats',
  site: 'lab',
  users: [
    { username: 'controller', password: 'c-pw', role: 'controller' },
    { username: 'node-3', password: 'n"3\\pw', role: 'node' },
  ],
};

describe('NATS MQTT configuration', () => {
  it('turns MQTT topics into subjects as NATS 2.9 does', () => {
    expect(mqttTopicToNatsSubject('intelli-mesh/lab/node/node-3/command/result')).toBe(
      'intelli-mesh.lab.node.node-3.command.result',
    );
    expect(mqttTopicToNatsSubject('intelli-mesh/+/node/n.3/#')).toBe('intelli-mesh.*.node.n//3.>');
  });

  it('confines a node to its own channels in its own site, and to reading its own commands', () => {
    const p = natsPermissions({ username: 'node-3', password: 'x', role: 'node' }, 'lab');
    expect(p.publish).toEqual({
      allow: [
        'intelli-mesh.lab.node.node-3.status',
        'intelli-mesh.lab.node.node-3.state',
        'intelli-mesh.lab.node.node-3.config',
        'intelli-mesh.lab.node.node-3.metrics',
        'intelli-mesh.lab.node.node-3.events',
        'intelli-mesh.lab.node.node-3.command.result',
      ],
    });
    expect(p.subscribe.allow).toEqual(['intelli-mesh.lab.node.node-3.command', '$MQTT.sub.>']);
    // Its own site wins over the default; no site at all means any site.
    const hq = natsPermissions({ username: 'n', password: 'x', role: 'node', site: 'hq' }, 'lab');
    expect(hq.subscribe.allow[0]).toBe('intelli-mesh.hq.node.n.command');
    const any = natsPermissions({ username: 'n', password: 'x', role: 'node' });
    expect(any.subscribe.allow[0]).toBe('intelli-mesh.*.node.n.command');
  });

  it('lets the controller write the tree, a viewer only read it, a gateway speak for its network', () => {
    const ctl = natsPermissions({ username: 'c', password: 'x', role: 'controller' });
    expect(ctl.publish).toEqual({ allow: ['intelli-mesh.>'] });
    const viewer = natsPermissions({ username: 'v', password: 'x', role: 'viewer' });
    expect(viewer.publish).toEqual({ deny: ['>'] });
    expect(viewer.subscribe.allow).toContain('intelli-mesh.>');
    const gw = natsPermissions(
      { username: 'gw-1', password: 'x', role: 'radio-gateway', network: 'field' },
      'lab',
    );
    expect(gw.publish).toEqual({
      allow: expect.arrayContaining([
        'intelli-mesh.lab.radio.field.gw-1.node.*',
        'intelli-mesh.lab.radio.field.gw-1.command.result',
      ]) as unknown,
    });
    expect(gw.subscribe.allow[0]).toBe('intelli-mesh.lab.radio.field.gw-1.command');
    const lost = natsPermissions({ username: 'gw-2', password: 'x', role: 'radio-gateway' });
    expect(lost.publish).toEqual({ deny: ['>'] });
  });

  it('renders one server of a cluster: routes, JetStream, MQTT, MQTT-only users', () => {
    const conf = renderNatsConfig(base);
    expect(conf).toContain('server_name: "n1"');
    expect(conf).toContain('routes: ["nats-route://10.0.0.2:6222"]');
    expect(conf).toContain('store_dir: "/var/lib/nats"');
    expect(conf).toContain('listen: "127.0.0.1:1883"');
    expect(conf).toContain('stream_replicas: 2');
    expect(conf).toContain('jetstream: enabled');
    // Passwords quoted as JSON strings, which NATS's parser reads.
    expect(conf).toContain('"password":"n\\"3\\\\pw"');
    expect(conf.match(/"allowed_connection_types":\["MQTT"\]/g)).toHaveLength(2);
    expect(renderNatsConfig({ ...base, routes: [] })).toContain('stream_replicas: 1');
    expect(
      renderNatsConfig({ ...base, routes: ['a:1', 'b:1', 'c:1'], streamReplicas: undefined }),
    ).toContain('stream_replicas: 3');
  });

  it('refuses names, ports and routes NATS would misread, saying which', () => {
    expect(() => renderNatsConfig({ ...base, serverName: 'n 1' })).toThrow(/server name 'n 1'/);
    expect(() => renderNatsConfig({ ...base, mqttPort: 70_000 })).toThrow(/MQTT port 70000/);
    expect(() => renderNatsConfig({ ...base, routes: ['10.0.0.2'] })).toThrow(
      /route '10.0.0.2': expected host:port/,
    );
    expect(() =>
      renderNatsConfig({
        ...base,
        users: [...base.users, { username: 'node-3', password: 'y', role: 'node' }],
      }),
    ).toThrow(/user 'node-3' is listed twice/);
    expect(() =>
      renderNatsConfig({ ...base, users: [{ username: 'a/b', password: 'y', role: 'node' }] }),
    ).toThrow(/user 'a\/b'/);
    expect(() =>
      renderNatsConfig({ ...base, users: [{ username: 'a', password: '', role: 'node' }] }),
    ).toThrow(/empty password/);
  });
});
