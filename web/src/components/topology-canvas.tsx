/**
 * The live topology as a React component: one long-lived TopologyRenderer per mount, given each
 * new model in place so the user's pan and zoom survive refreshes. Clicking a node opens its
 * page. The renderer is also reachable from the element (`topology`), for browser tests.
 *
 * @example
 * <TopologyCanvas model={topologyModel(graph, memory)} onNodeClick={(id) => navigate(`#/nodes/${id}`)} />
 */
import { useEffect, useRef } from 'react';
import { EMPTY_OVERLAY, type ClientOverlay } from '../lib/client-overlay.ts';
import type { TopologyModel } from '../lib/topology-model.ts';
import { TopologyRenderer } from './topology-renderer.ts';

export interface TopologyCanvasProps {
  model: TopologyModel;
  onNodeClick?: (id: string) => void;
  height?: number | string;
  /** Wi-Fi client badges and roam arrows drawn over the nodes. */
  overlay?: ClientOverlay;
  /** Called with the renderer once it exists (the benchmark counts its frames). */
  onReady?: (renderer: TopologyRenderer) => void;
}

/** The canvas's container element, carrying its renderer. */
export type TopologyHost = HTMLDivElement & { topology?: TopologyRenderer };

export function TopologyCanvas({
  model,
  onNodeClick,
  height = 480,
  onReady,
  overlay = EMPTY_OVERLAY,
}: TopologyCanvasProps) {
  const container = useRef<TopologyHost>(null);
  const rendererRef = useRef<TopologyRenderer | null>(null);
  const clickRef = useRef(onNodeClick);
  clickRef.current = onNodeClick;

  useEffect(() => {
    const host = container.current!;
    const renderer = new TopologyRenderer(host, { onNodeClick: (id) => clickRef.current?.(id) });
    host.topology = renderer;
    rendererRef.current = renderer;
    onReady?.(renderer);
    return () => {
      renderer.destroy();
      delete host.topology;
      rendererRef.current = null;
    };
    // One renderer per mount; `onReady` is read once on purpose.
  }, []);

  // Runs after the mount effect above, so the first model reaches the new renderer too.
  useEffect(() => {
    rendererRef.current?.setModel(model);
  }, [model]);

  useEffect(() => {
    rendererRef.current?.setOverlay(overlay);
  }, [overlay]);

  return (
    <div
      ref={container}
      className="topology-canvas"
      style={{ height }}
      data-testid="topology-canvas"
      data-nodes={model.nodes.length}
      data-links={model.links.length}
      data-clients={[...overlay.counts.values()].reduce((a, b) => a + b, 0)}
      data-roams={overlay.roams.map((r) => `${r.mac} ${r.from}>${r.to}`).join(',')}
    />
  );
}
