/**
 * Where the nodes are: every node that reports coordinates, drawn on its plain (x, y) plane with
 * its links, coloured like the topology. Nodes without coordinates are listed below.
 */
import { useMemo, useRef } from 'react';
import type { NetworkGraph } from '../api/types.ts';
import { useApp } from '../app-context.ts';
import { planProjection } from '../lib/plan-projection.ts';
import { topologyModel, type LinkMemory } from '../lib/topology-model.ts';
import { useResource } from '../use-resource.ts';

const W = 900;
const H = 520;

export function PositionsView() {
  const { navigate } = useApp();
  const graph = useResource<NetworkGraph>('/api/topology', (c) => c.type === 'node');
  const memory = useRef<LinkMemory>(new Map());
  const model = useMemo(
    () => (graph.data ? topologyModel(graph.data, memory.current) : null),
    [graph.data],
  );
  const located = new Set(
    (graph.data?.nodes ?? []).filter((n) => n.properties.x_m !== undefined).map((n) => n.id),
  );
  const placed = model?.nodes.filter((n) => located.has(n.id)) ?? [];
  const project = planProjection(placed, W, H, 40);
  const at = new Map(placed.map((n) => [n.id, project(n)]));
  const missing = model?.nodes.filter((n) => !located.has(n.id)) ?? [];
  return (
    <div>
      <div className="page-head">
        <h1>Positions</h1>
        <span className="muted">Plain site coordinates as the nodes report them.</span>
      </div>
      <section className="card">
        {placed.length === 0 ? (
          <p className="muted empty">No node reports a location.</p>
        ) : (
          <svg viewBox={`0 0 ${W} ${H}`} className="plan" data-testid="positions">
            {model?.links.map((l) => {
              const a = at.get(l.source);
              const b = at.get(l.target);
              if (!a || !b) return null;
              return (
                <line
                  key={l.key}
                  x1={a.x}
                  y1={a.y}
                  x2={b.x}
                  y2={b.y}
                  stroke={l.colour}
                  strokeWidth={l.size}
                  strokeDasharray={l.status === 'lost' || l.status === 'down' ? '6 4' : undefined}
                />
              );
            })}
            {placed.map((n) => {
              const p = at.get(n.id)!;
              return (
                <g
                  key={n.id}
                  transform={`translate(${p.x},${p.y})`}
                  className="plan-node"
                  onClick={() => navigate(`#/nodes/${encodeURIComponent(n.id)}`)}
                >
                  <title>{`${n.id}: x ${n.x}, y ${n.y}`}</title>
                  <circle r={n.size} fill={n.colour} />
                  <text y={-n.size - 4} textAnchor="middle">
                    {n.label}
                  </text>
                </g>
              );
            })}
          </svg>
        )}
        {missing.length > 0 && (
          <p className="muted small">Without coordinates: {missing.map((n) => n.id).join(', ')}</p>
        )}
      </section>
    </div>
  );
}
