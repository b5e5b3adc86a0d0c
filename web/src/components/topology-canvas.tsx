/**
 * The live topology drawn with sigma (WebGL): one long-lived renderer per mount, whose graph is
 * updated in place on each new model so the camera (pan and zoom) survives refreshes. Clicking a
 * node opens its page.
 *
 * @example
 * <TopologyCanvas model={topologyModel(graph, memory)} onNodeClick={(id) => navigate(`#/nodes/${id}`)} />
 */
import Graph from 'graphology';
import { useEffect, useRef } from 'react';
import Sigma from 'sigma';
import { EdgeLineProgram, EdgeRectangleProgram } from 'sigma/rendering';
import type { TopologyModel } from '../lib/topology-model.ts';

/** Link count from which links are drawn as hairlines. */
export const LINE_EDGES_ABOVE = 1500;

export interface TopologyCanvasProps {
  model: TopologyModel;
  onNodeClick?: (id: string) => void;
  height?: number | string;
  /** Called with the renderer once it exists (benchmarks drive its camera). */
  onReady?: (sigma: Sigma) => void;
}

/** Writes the model into the graph, adding, updating and dropping as needed. */
export function syncGraph(graph: Graph, model: TopologyModel): void {
  const nodeIds = new Set(model.nodes.map((n) => n.id));
  graph.forEachNode((id) => {
    if (!nodeIds.has(id)) graph.dropNode(id);
  });
  for (const n of model.nodes) {
    graph.mergeNode(n.id, {
      x: n.x,
      y: n.y,
      size: n.size,
      color: n.colour,
      label: n.label,
    });
  }
  const linkKeys = new Set(model.links.map((l) => l.key));
  graph.forEachEdge((key) => {
    if (!linkKeys.has(key)) graph.dropEdge(key);
  });
  for (const l of model.links) {
    if (!graph.hasNode(l.source) || !graph.hasNode(l.target)) continue;
    const attrs = { color: l.colour, size: l.size };
    if (graph.hasEdge(l.key)) graph.mergeEdgeAttributes(l.key, attrs);
    else graph.addEdgeWithKey(l.key, l.source, l.target, attrs);
  }
}

export function TopologyCanvas({ model, onNodeClick, height = 480, onReady }: TopologyCanvasProps) {
  const container = useRef<HTMLDivElement>(null);
  const sigmaRef = useRef<Sigma | null>(null);
  const graphRef = useRef<Graph | null>(null);
  const clickRef = useRef(onNodeClick);
  const modelRef = useRef(model);
  modelRef.current = model;
  clickRef.current = onNodeClick;

  // Thick links (width by TQ) cost two triangles each; past a few thousand links, hairlines keep
  // pan and zoom fluid on software WebGL, and colour alone still carries the TQ.
  const hairlines = model.links.length > LINE_EDGES_ABOVE;

  useEffect(() => {
    const graph = new Graph({ type: 'undirected', multi: false });
    const edgeProgram = hairlines ? EdgeLineProgram : EdgeRectangleProgram;
    const sigma = new Sigma(graph, container.current!, {
      labelColor: { color: '#dfe6ee' },
      labelSize: 12,
      labelRenderedSizeThreshold: 6,
      defaultEdgeType: 'line',
      edgeProgramClasses: { line: edgeProgram },
      zIndex: true,
      stagePadding: 40,
      // Labels are redrawn on the CPU; while the view moves, the links and nodes matter.
      hideLabelsOnMove: true,
    });
    sigma.on('clickNode', ({ node }) => clickRef.current?.(node));
    sigma.on('enterNode', () => container.current?.classList.add('pointer'));
    sigma.on('leaveNode', () => container.current?.classList.remove('pointer'));
    graphRef.current = graph;
    sigmaRef.current = sigma;
    onReady?.(sigma);
    syncGraph(graph, modelRef.current);
    return () => {
      sigma.kill();
      sigmaRef.current = null;
      graphRef.current = null;
    };
    // One renderer per mount (and per edge style); `onReady` is read once on purpose.
  }, [hairlines]);

  useEffect(() => {
    if (!graphRef.current) return;
    syncGraph(graphRef.current, model);
  }, [model]);

  return (
    <div
      ref={container}
      className="topology-canvas"
      style={{ height }}
      data-testid="topology-canvas"
      data-nodes={model.nodes.length}
      data-links={model.links.length}
    />
  );
}
