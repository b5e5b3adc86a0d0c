/**
 * One AP's Wi-Fi clients on its node page: the `stations` of `GET /api/nodes/:node`, those still
 * associated first. Absent from older controllers; then nothing is shown.
 *
 * @example
 * <NodeStations stations={detail.stations} />
 */
import type { ClientRecord } from '../api/client-types.ts';
import { useNow } from '../use-now.ts';
import { StationTable } from './station-table.tsx';

export function NodeStations({ stations }: { stations: readonly ClientRecord[] | undefined }) {
  const now = useNow();
  if (stations === undefined) return null;
  const here = stations.filter((s) => s.associated !== false);
  return (
    <section className="card" data-testid="node-clients">
      <h2>
        Wi-Fi clients <span className="muted small">({here.length} associated)</span>
      </h2>
      {here.length === 0 ? (
        <p className="muted empty">No client associated to this AP.</p>
      ) : (
        <StationTable clients={here} now={now} showNode={false} testId="node-stations" />
      )}
    </section>
  );
}
