/**
 * The topology on its own page, larger, with the table of every link and its TQ.
 */
import { TopologyPanel } from '../components/topology-panel.tsx';

export function TopologyView() {
  return (
    <div>
      <div className="page-head">
        <h1>Topology</h1>
        <span className="muted">Drag to pan, scroll to zoom, click a node to open it.</span>
      </div>
      <TopologyPanel height="65vh" showTable />
    </div>
  );
}
