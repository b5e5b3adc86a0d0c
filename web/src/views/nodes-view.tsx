/**
 * The node inventory, live.
 */
import type { NodeRecord } from '../api/types.ts';
import { NodesTable } from '../components/nodes-table.tsx';
import { useResource } from '../use-resource.ts';

export function NodesView() {
  const nodes = useResource<NodeRecord[]>('/api/nodes', (c) => c.type === 'node');
  return (
    <div>
      <div className="page-head">
        <h1>Nodes</h1>
      </div>
      <section className="card">
        {nodes.error && <div className="error">{nodes.error.message}</div>}
        {nodes.data && <NodesTable nodes={nodes.data} />}
      </section>
    </div>
  );
}
