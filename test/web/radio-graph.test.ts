/**
 * The radio graph's drawing model and the radio node list's order and wording: columns by hop
 * distance from the scanning gateway, unreachable nodes and their links drawn as down, and which
 * live changes concern a node's page.
 */
import { describe, expect, it } from 'vitest';
import type { RadioGraph, RadioNode } from '../../web/src/api/radio-types.ts';
import { graphNodeAddress, hopsFrom, radioModel } from '../../web/src/lib/radio-graph.ts';
import {
  formatLinkQuality,
  parseRadioAddress,
  radioChangeConcerns,
  sortRadioNodes,
} from '../../web/src/lib/radio-nodes.ts';
import { COLOURS } from '../../web/src/lib/status-colour.ts';

function graph(links: [string, string][], extra: string[] = []): RadioGraph {
  const ids = [...new Set([...links.flat(), ...extra])];
  return {
    type: 'NetworkGraph',
    protocol: 'meshlink',
    version: '1',
    metric: 'hop',
    label: 'radio mesh',
    router_id: '1',
    nodes: ids.map((id) => ({ id, label: id, properties: {} })),
    links: links.map(([source, target]) => ({ source, target, cost: 1, properties: {} })),
  };
}

function node(address: number, status: RadioNode['status'] = 'reachable'): RadioNode {
  return {
    address,
    network: 'lab',
    gateways: ['rgw-1'],
    last_heard: new Date(0).toISOString(),
    last_heard_ms: 0,
    hops: 1,
    rtt_ms: null,
    status,
    link_quality: null,
  };
}

describe('radio graph model', () => {
  const g = graph([
    ['1', '2'],
    ['1', '3'],
    ['3', '4'],
  ]);

  it('counts hops from the router over the links', () => {
    expect(Object.fromEntries(hopsFrom('1', g))).toEqual({ '1': 0, '2': 1, '3': 1, '4': 2 });
  });

  it('puts the gateway first and each hop in its own column, in address order', () => {
    const m = radioModel(g, [node(2), node(3), node(4)], new Set([1]));
    const at = (id: string) => m.nodes.find((x) => x.id === id)!;
    expect(at('1').x).toBe(0);
    expect(at('2').x).toBeGreaterThan(0);
    expect(at('2').x).toBe(at('3').x);
    expect(at('4').x).toBe(2 * at('2').x);
    expect(at('2').y).toBeLessThan(at('3').y);
    expect(at('1').gateway).toBe(true);
    expect(at('1').label).toBe('1 ⬆');
  });

  it('centres a scan on its origin but draws only a gateway as one', () => {
    const fromThree = { ...g, router_id: '3' };
    const m = radioModel(fromThree, [node(2), node(3), node(4)], new Set([1]));
    const three = m.nodes.find((x) => x.id === '3')!;
    expect([three.x, three.y]).toEqual([0, 0]);
    expect(three.gateway).toBe(false);
    expect(m.nodes.find((x) => x.id === '1')!.colour).toBe(COLOURS.gateway);
  });

  it('draws an unreachable node red and its links as down', () => {
    const m = radioModel(g, [node(2), node(3), node(4, 'unreachable')]);
    expect(m.nodes.find((x) => x.id === '4')!.colour).toBe(COLOURS.bad);
    expect(m.links.find((l) => l.key === '3|4')!.status).toBe('down');
    expect(m.links.find((l) => l.key === '1|3')!.status).toBe('good');
  });

  it('reads a node’s address from its property, or from an id with or without its network', () => {
    expect(graphNodeAddress({ id: 'x', label: 'x', properties: { address: 4 } })).toBe(4);
    expect(graphNodeAddress({ id: 'lab/12', label: '12', properties: {} })).toBe(12);
    expect(graphNodeAddress({ id: '3', label: '3', properties: {} })).toBe(3);
    expect(graphNodeAddress({ id: 'gw', label: 'gw', properties: {} })).toBeUndefined();
  });

  it('colours a node the list does not know by the status its scan recorded', () => {
    const g2 = graph([['1', '2']]);
    g2.nodes[1]!.properties.status = 'unreachable';
    expect(radioModel(g2, []).nodes.find((n) => n.id === '2')!.colour).toBe(COLOURS.bad);
  });

  it('puts nodes no link reaches in a last column', () => {
    const m = radioModel(graph([['1', '2']], ['9']), [node(2), node(9)]);
    const x = (id: string) => m.nodes.find((n) => n.id === id)!.x;
    expect(x('9')).toBeGreaterThan(x('2'));
  });
});

describe('radio node list', () => {
  it('lists unreachable nodes first, then by address', () => {
    const sorted = sortRadioNodes([node(9), node(3, 'unreachable'), node(2)]);
    expect(sorted.map((n) => n.address)).toEqual([3, 2, 9]);
  });

  it('says link quality as a percentage, or a dash when unknown', () => {
    expect(formatLinkQuality(0.876)).toBe('88%');
    expect(formatLinkQuality(null)).toBe('–');
  });

  it('reads addresses from the URL and refuses anything else', () => {
    expect(parseRadioAddress('17')).toBe(17);
    expect(parseRadioAddress('0x1f')).toBe(31);
    expect(parseRadioAddress('n1')).toBeUndefined();
    expect(parseRadioAddress('-3')).toBeUndefined();
  });

  it('refetches a node page only for changes about that node', () => {
    expect(radioChangeConcerns({ type: 'radio-node', node: node(7) }, 7)).toBe(true);
    expect(radioChangeConcerns({ type: 'radio-node', node: node(8) }, 7)).toBe(false);
    const message = (address: number) => ({
      id: 1,
      at: 0,
      network: 'lab',
      address,
      direction: 'from-node' as const,
      gateway: 'g',
      text: 'hi',
      bytes_hex: '6869',
      size: 2,
    });
    expect(radioChangeConcerns({ type: 'radio-message', message: message(7) }, 7)).toBe(true);
    expect(radioChangeConcerns({ type: 'radio-message', message: message(8) }, 7)).toBe(false);
    expect(radioChangeConcerns({ type: 'node', node: 'n1' }, 7)).toBe(false);
  });
});
