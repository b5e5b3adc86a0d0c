import { describe, expect, it } from 'vitest';
import { mayKeepSession, mayPublish, maySubscribe, mayUseClientId } from './acl.ts';
import type { Principal } from './principal.ts';

const node: Principal = { username: 'node-3', role: 'node' };
const controller: Principal = { username: 'controller', role: 'controller' };
const viewer: Principal = { username: 'viewer', role: 'viewer' };

describe('MQTT ACL', () => {
  it('confines a node to publishing its own non-command channels', () => {
    expect(mayPublish(node, 'intelli-mesh/lab/node/node-3/state')).toBe(true);
    expect(mayPublish(node, 'intelli-mesh/lab/node/node-3/command/result')).toBe(true);
    expect(mayPublish(node, 'intelli-mesh/lab/node/node-3/command')).toBe(false);
    expect(mayPublish(node, 'intelli-mesh/lab/node/node-30/state')).toBe(false);
    expect(mayPublish(node, 'intelli-mesh/lab/node/node-4/state')).toBe(false);
    expect(mayPublish(node, 'elsewhere/x')).toBe(false);
  });

  it('lets the controller command and the viewer only read', () => {
    expect(mayPublish(controller, 'intelli-mesh/lab/node/node-3/command')).toBe(true);
    expect(mayPublish(controller, 'elsewhere/x')).toBe(false);
    expect(mayPublish(viewer, 'intelli-mesh/lab/node/node-3/command')).toBe(false);
    expect(maySubscribe(viewer, 'intelli-mesh/#')).toBe(true);
    expect(maySubscribe(viewer, '#')).toBe(false);
  });

  it('lets a node subscribe to nothing but its own commands', () => {
    expect(maySubscribe(node, 'intelli-mesh/lab/node/node-3/command')).toBe(true);
    expect(maySubscribe(node, 'intelli-mesh/+/node/node-3/command')).toBe(true);
    expect(maySubscribe(node, 'intelli-mesh/#')).toBe(false);
    expect(maySubscribe(node, 'intelli-mesh/lab/node/+/command')).toBe(false);
    expect(maySubscribe(node, 'intelli-mesh/lab/node/node-4/command')).toBe(false);
    expect(maySubscribe(node, 'intelli-mesh/lab/node/node-3/#')).toBe(false);
  });

  it("ties a node's client id to its username", () => {
    expect(mayUseClientId(node, 'node-3')).toBe(true);
    expect(mayUseClientId(node, 'node-3:agent')).toBe(true);
    expect(mayUseClientId(node, 'node-30')).toBe(false);
  });

  it("ties every login's client id to its username, whatever the role", () => {
    expect(mayUseClientId(controller, 'controller:ingest')).toBe(true);
    expect(mayUseClientId(controller, 'anything')).toBe(false);
    expect(mayUseClientId(viewer, 'viewer:cli')).toBe(true);
    expect(mayUseClientId(viewer, 'controller:ingest')).toBe(false);
    expect(mayUseClientId(viewer, 'controller')).toBe(false);
  });

  it('confines a node with a site to that site', () => {
    const sited: Principal = { username: 'node-3', role: 'node', site: 'lab' };
    expect(mayPublish(sited, 'intelli-mesh/lab/node/node-3/state')).toBe(true);
    expect(mayPublish(sited, 'intelli-mesh/hq/node/node-3/state')).toBe(false);
    expect(maySubscribe(sited, 'intelli-mesh/lab/node/node-3/command')).toBe(true);
    expect(maySubscribe(sited, 'intelli-mesh/hq/node/node-3/command')).toBe(false);
    expect(maySubscribe(sited, 'intelli-mesh/+/node/node-3/command')).toBe(false);
  });

  it('lets only nodes and the controller keep a session while away', () => {
    expect(mayKeepSession(node)).toBe(true);
    expect(mayKeepSession(controller)).toBe(true);
    expect(mayKeepSession(viewer)).toBe(false);
  });

  it('lets a radio gateway speak only for its own radio network, as itself, in its site', () => {
    const gw: Principal = {
      username: 'gw-1',
      role: 'radio-gateway',
      site: 'lab',
      network: 'field',
    };
    expect(mayPublish(gw, 'intelli-mesh/lab/radio/field/gw-1/node/69')).toBe(true);
    expect(mayPublish(gw, 'intelli-mesh/lab/radio/field/gw-1/status')).toBe(true);
    expect(mayPublish(gw, 'intelli-mesh/lab/radio/field/gw-1/command/result')).toBe(true);
    expect(mayPublish(gw, 'intelli-mesh/lab/radio/other/gw-1/node/69')).toBe(false);
    expect(mayPublish(gw, 'intelli-mesh/lab/radio/field/gw-2/node/69')).toBe(false);
    expect(mayPublish(gw, 'intelli-mesh/hq/radio/field/gw-1/node/69')).toBe(false);
    expect(mayPublish(gw, 'intelli-mesh/lab/radio/field/gw-1/command')).toBe(false);
    expect(mayPublish(gw, 'intelli-mesh/lab/radio/field/gw-1/node/0')).toBe(false);
    expect(mayPublish(gw, 'intelli-mesh/lab/node/gw-1/state')).toBe(false);
    expect(maySubscribe(gw, 'intelli-mesh/lab/radio/field/gw-1/command')).toBe(true);
    expect(maySubscribe(gw, 'intelli-mesh/lab/radio/other/gw-1/command')).toBe(false);
    expect(maySubscribe(gw, 'intelli-mesh/lab/radio/field/+/command')).toBe(false);
    expect(maySubscribe(gw, 'intelli-mesh/lab/radio/#')).toBe(false);
    const noNetwork: Principal = { username: 'gw-1', role: 'radio-gateway', site: 'lab' };
    expect(mayPublish(noNetwork, 'intelli-mesh/lab/radio/field/gw-1/status')).toBe(false);
  });
});
