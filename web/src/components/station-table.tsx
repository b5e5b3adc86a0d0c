/**
 * A table of Wi-Fi clients: MAC (to its page), the AP it is at (to the node's page, unless the
 * table is one AP's own list), SSID, signal, since when, and how many roams. Used by the
 * Clients page and, per AP, by the node page.
 *
 * @example
 * <StationTable clients={list.clients} now={now} />
 * <StationTable clients={detail.stations} now={now} showNode={false} testId="node-stations" />
 */
import type { ClientRecord } from '../api/client-types.ts';
import './clients.css';
import { formatSignal, methodLabel, signalHealth } from '../lib/client-format.ts';
import { formatAge } from '../lib/format.ts';

export function StationTable({
  clients,
  now,
  showNode = true,
  testId = 'client-table',
}: {
  clients: readonly ClientRecord[];
  now: number;
  showNode?: boolean;
  testId?: string;
}) {
  return (
    <table className="table compact station-table" data-testid={testId}>
      <thead>
        <tr>
          <th>MAC</th>
          {showNode && <th>AP</th>}
          <th>SSID</th>
          <th>Signal</th>
          <th>Since</th>
          <th>Method</th>
          <th>Roams</th>
        </tr>
      </thead>
      <tbody>
        {clients.map((c) => {
          const here = c.associated !== false;
          return (
            <tr
              key={c.mac}
              data-mac={c.mac}
              data-node={c.node}
              data-associated={String(here)}
              className={here ? undefined : 'stale'}
            >
              <td className="mono">
                <a href={`#/clients/${encodeURIComponent(c.mac)}`}>{c.mac}</a>
              </td>
              {showNode && (
                <td>
                  <a href={`#/nodes/${encodeURIComponent(c.node)}`}>{c.node}</a>
                  {!here && <span className="muted small"> (left)</span>}
                </td>
              )}
              <td>{c.ssid}</td>
              <td>
                <span className={`pill ${signalHealth(c.signal_dbm)}`}>
                  {formatSignal(c.signal_dbm)}
                </span>
              </td>
              <td title={new Date(c.since).toISOString()}>{formatAge(c.since, now)}</td>
              <td>{methodLabel(c.method)}</td>
              <td>{c.roams}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
