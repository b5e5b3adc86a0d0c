/**
 * The live topology with its legend and a link table: fetches the NetJSON graph, refetches it
 * whenever a node reports, and remembers links seen earlier so lost ones stay visible in red.
 * The table gives the same facts in text (for reading exact TQ values, and for tests).
 *
 * @example
 * <TopologyPanel height={520} showTable />
 */
import { useMemo, useRef } from 'react';
import type { NetworkGraph } from '../api/types.ts';
import { useApp } from '../app-context.ts';
import { COLOURS } from '../lib/status-colour.ts';
import { topologyModel, type LinkMemory } from '../lib/topology-model.ts';
import { useResource } from '../use-resource.ts';
import { EmptySite } from './empty-site.tsx';
import { TopologyCanvas } from './topology-canvas.tsx';
import { RecentRoams } from './recent-roams.tsx';
import { useClientOverlay } from './use-client-overlay.ts';

export function TopologyPanel({
  height,
  showTable = false,
}: {
  height?: number | string;
  showTable?: boolean;
}) {
  const { navigate } = useApp();
  const { data, error } = useResource<NetworkGraph>('/api/topology', (c) => c.type === 'node');
  const clients = useClientOverlay();
  const memory = useRef<LinkMemory>(new Map());
  const model = useMemo(
    () => (data ? topologyModel(data, memory.current) : { nodes: [], links: [] }),
    [data],
  );
  const counts = {
    good: model.links.filter((l) => l.status === 'good').length,
    warn: model.links.filter((l) => l.status === 'warn').length,
    bad: model.links.filter((l) => l.status === 'bad').length,
    lost: model.links.filter((l) => l.status === 'lost' || l.status === 'down').length,
  };
  return (
    <section className="card topology" data-testid="topology">
      <div className="card-head">
        <h2>Live topology</h2>
        <div className="legend">
          <Swatch colour={COLOURS.good} label={`TQ ≥ 200 (${counts.good})`} />
          <Swatch colour={COLOURS.warn} label={`120–199 (${counts.warn})`} />
          <Swatch colour={COLOURS.bad} label={`< 120 (${counts.bad})`} />
          <Swatch colour={COLOURS.lost} label={`lost (${counts.lost})`} />
          <span className="swatch">
            <i className="thick" />
            thick: a node&apos;s way to its gateway
          </span>
          <Swatch colour={COLOURS.gateway} label="gateway ⬆" round />
          <Swatch colour={COLOURS.warn} label="gateway not announcing" round />
          <Swatch colour={COLOURS.bad} label="offline node" round />
          {clients.overlay.counts.size > 0 && (
            <>
              <Swatch colour="#1f6feb" label="Wi-Fi clients at the AP" round />
              <Swatch colour="#ffd166" label="a client roaming" />
            </>
          )}
        </div>
      </div>
      {error && <div className="error">Topology unavailable: {error.message}</div>}
      {data && data.nodes.length === 0 ? (
        <EmptySite />
      ) : (
        <TopologyCanvas
          model={model}
          height={height}
          onNodeClick={(id) => navigate(`#/nodes/${encodeURIComponent(id)}`)}
          overlay={clients.overlay}
        />
      )}
      <RecentRoams roams={clients.recent} />
      {showTable && (
        <table className="table compact" data-testid="link-table">
          <thead>
            <tr>
              <th>Link</th>
              <th>TQ</th>
              <th>Loss</th>
              <th>Status</th>
              <th>Internet traffic of</th>
            </tr>
          </thead>
          <tbody>
            {model.links.map((l) => (
              <tr
                key={l.key}
                data-link={l.key}
                data-status={l.status}
                data-uplink-of={l.uplinkOf.join(' ')}
              >
                <td>
                  {l.source} — {l.target}
                </td>
                <td>{l.tq ?? '–'}</td>
                <td>{l.loss == null ? '–' : `${Math.round(l.loss * 100)} %`}</td>
                <td>
                  <span className={`pill ${pillClass(l.status)}`}>{l.status}</span>
                  {l.recovering && (
                    <span title="Loss is back to normal; the TQ average refills over 64 OGMs (about 30 s)">
                      {' '}
                      recovering
                    </span>
                  )}
                </td>
                <td>{l.uplinkOf.join(', ') || '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function pillClass(status: string): string {
  return status === 'lost' || status === 'down' ? 'bad' : status;
}

function Swatch({ colour, label, round }: { colour: string; label: string; round?: boolean }) {
  return (
    <span className="swatch">
      <i style={{ background: colour, borderRadius: round ? '50%' : 2 }} />
      {label}
    </span>
  );
}
