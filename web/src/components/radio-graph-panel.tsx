/**
 * The radio mesh as a graph from recursive scans, drawn by the topology canvas (so it pans and
 * zooms with the mouse, and with one finger and a pinch on a phone). Clicking a node opens its
 * page. Given a `graph` (a scan's result) it draws that; otherwise it follows /api/radio/graph.
 * A list of the links follows in text, for reading and for tests.
 *
 * @example
 * <RadioGraphPanel nodes={nodes} />
 */
import { useMemo } from 'react';
import type { RadioGatewayList, RadioGraph, RadioNode } from '../api/radio-types.ts';
import { useApp } from '../app-context.ts';
import './radio.css';
import { graphNodeAddress, radioModel } from '../lib/radio-graph.ts';
import { useResource } from '../use-resource.ts';
import { TopologyCanvas } from './topology-canvas.tsx';

export function RadioGraphPanel(props: {
  nodes: readonly RadioNode[];
  graph?: RadioGraph;
  title?: string;
  height?: number;
}) {
  const { navigate } = useApp();
  const followed = useResource<RadioGraph>(props.graph ? null : '/api/radio/graph', (c) =>
    c.type.startsWith('radio-'),
  );
  const gatewayList = useResource<RadioGatewayList>('/api/radio/gateways', (c) =>
    c.type.startsWith('radio-'),
  );
  const graph = props.graph ?? followed.data;
  const model = useMemo(() => {
    if (!graph) return { nodes: [], links: [] };
    const gateways = new Set(
      (gatewayList.data?.gateways ?? []).flatMap((g) => (g.address === null ? [] : [g.address])),
    );
    return radioModel(graph, props.nodes, gateways);
  }, [graph, props.nodes, gatewayList.data]);
  return (
    <section className="card" data-testid="radio-graph">
      <div className="card-head">
        <h2>{props.title ?? 'Radio mesh (from scans)'}</h2>
        {graph && (
          <span className="muted small">
            {graph.nodes.length} nodes, {graph.links.length} links
          </span>
        )}
      </div>
      {followed.error && (
        <div className="error">Radio graph unavailable: {followed.error.message}</div>
      )}
      {graph && graph.nodes.length === 0 ? (
        <p className="muted empty">No scan yet: scan from a node&apos;s page to map the mesh.</p>
      ) : (
        <TopologyCanvas
          model={model}
          height={props.height ?? 360}
          onNodeClick={(id) => {
            const n = graph?.nodes.find((x) => x.id === id);
            const address = n ? graphNodeAddress(n) : undefined;
            if (address !== undefined) navigate(`#/radio/${address}`);
          }}
        />
      )}
      {graph && graph.links.length > 0 && (
        <details className="radio-links">
          <summary className="muted small">Links</summary>
          <ul className="plain small" data-testid="radio-links">
            {graph.links.map((l) => (
              <li key={`${l.source}-${l.target}`} data-link={`${l.source}-${l.target}`}>
                {l.source} – {l.target} <span className="muted">cost {l.cost}</span>
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
