/**
 * The Radio section: the radio gateways, every radio node they hear (live: a `radio-node`
 * change refetches the list) and the mesh's graph from recursive scans.
 */
import type { RadioGatewayList, RadioNodeList } from '../api/radio-types.ts';
import { RadioGraphPanel } from '../components/radio-graph-panel.tsx';
import { RadioNodesTable } from '../components/radio-nodes-table.tsx';
import { formatAge } from '../lib/format.ts';
import { useNow } from '../use-now.ts';
import { useResource } from '../use-resource.ts';

const EMPTY: RadioNodeList['nodes'] = [];

export function RadioView() {
  const now = useNow(1000);
  const nodes = useResource<RadioNodeList>('/api/radio/nodes', (c) => c.type === 'radio-node');
  const gateways = useResource<RadioGatewayList>('/api/radio/gateways', (c) =>
    c.type.startsWith('radio-'),
  );
  const list = nodes.data?.nodes ?? EMPTY;
  const unreachable = list.filter((n) => n.status === 'unreachable').length;
  return (
    <div data-testid="radio-view">
      <div className="page-head">
        <h1>Radio</h1>
        {nodes.data && (
          <span className="muted" data-testid="radio-summary">
            {list.length - unreachable} / {list.length} reachable
          </span>
        )}
        <span className="spacer" />
        {gateways.data?.gateways.map((g) => (
          <span
            key={g.id}
            className={`pill ${g.online ? 'good' : 'bad'}`}
            data-testid="radio-gateway"
            title={`network ${g.network}, last seen ${formatAge(g.last_seen, now)}`}
          >
            {g.id} · {g.network}
          </span>
        ))}
      </div>
      <section className="card">
        <h2>Radio nodes</h2>
        {nodes.error && <div className="error">{nodes.error.message}</div>}
        {nodes.data && <RadioNodesTable nodes={list} now={now} />}
      </section>
      <RadioGraphPanel nodes={list} />
    </div>
  );
}
