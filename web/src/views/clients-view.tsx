/**
 * The Wi-Fi clients (`#/clients`): search by MAC address or part of one, where each client is
 * now (AP, SSID, signal, since when); one client (`#/clients/<mac>`): where it is and its roaming
 * history (time, from → to, method, handoff gap). Both follow the live feed's `client` changes.
 */
import { useState } from 'react';
import { isClientChange, type ClientDetail, type ClientList } from '../api/client-types.ts';
import { StationTable } from '../components/station-table.tsx';
import {
  formatGap,
  formatSignal,
  isFastTransition,
  macQuery,
  methodLabel,
  signalHealth,
} from '../lib/client-format.ts';
import { formatAge } from '../lib/format.ts';
import { formatTimestamp } from '../lib/timestamp.ts';
import { useNow } from '../use-now.ts';
import { useResource } from '../use-resource.ts';

export function ClientsView({ mac }: { mac: string | undefined }) {
  return mac ? <ClientPage mac={mac} /> : <ClientSearch />;
}

function ClientSearch() {
  const now = useNow();
  const [text, setText] = useState('');
  const query = macQuery(text);
  const path =
    'q' in query ? `/api/clients${query.q ? `?q=${encodeURIComponent(query.q)}` : ''}` : null;
  const list = useResource<ClientList>(path, isClientChange);
  const clients = list.data?.clients ?? [];
  const associated = clients.filter((c) => c.associated !== false).length;
  return (
    <div data-testid="clients-page">
      <div className="page-head">
        <h1>Clients</h1>
        <input
          type="search"
          className="client-search"
          placeholder="MAC address or part of it"
          aria-label="search clients by MAC"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <span className="muted small" data-testid="client-count">
          {list.data ? `${associated} associated, ${clients.length} known` : ''}
        </span>
      </div>
      <section className="card">
        {'error' in query && <div className="error">{query.error}</div>}
        {list.error && <div className="error">{list.error.message}</div>}
        {list.data &&
          (clients.length === 0 ? (
            <p className="muted empty">
              {text.trim() ? `No client matches '${text.trim()}'.` : 'No client reported yet.'}
            </p>
          ) : (
            <StationTable clients={clients} now={now} />
          ))}
      </section>
    </div>
  );
}

function ClientPage({ mac }: { mac: string }) {
  const now = useNow();
  const detail = useResource<ClientDetail>(
    `/api/clients/${encodeURIComponent(mac)}`,
    (c) => isClientChange(c) && c.client.mac === mac.toLowerCase(),
  );
  const back = (
    <a className="button ghost" href="#/clients">
      All clients
    </a>
  );
  if (detail.error) {
    return (
      <div>
        <div className="page-head">
          <h1 className="mono">{mac}</h1>
          <span className="spacer" />
          {back}
        </div>
        <div className="error">{detail.error.message}</div>
      </div>
    );
  }
  const d = detail.data;
  if (!d) return null;
  const c = d.client;
  const here = c.associated !== false;
  // Newest first: the roam a reader looks for is usually the last one.
  const history = [...d.history].sort((a, b) => b.at - a.at);
  return (
    <div data-testid="client-page" data-mac={c.mac}>
      <div className="page-head">
        <h1 className="mono">{c.mac}</h1>
        <span className={`pill ${here ? 'good' : 'unknown'}`}>{here ? 'associated' : 'left'}</span>
        <span className="spacer" />
        {back}
      </div>
      <div className="facts card">
        <div className="fact" data-testid="client-node">
          <div className="fact-label">{here ? 'At AP' : 'Last AP'}</div>
          <div className="fact-value">
            <a href={`#/nodes/${encodeURIComponent(c.node)}`}>{c.node}</a>
          </div>
        </div>
        <Fact label="SSID" value={c.ssid} />
        <Fact label="VLAN" value={c.vlan === null ? '–' : String(c.vlan)} />
        <div className="fact">
          <div className="fact-label">Signal</div>
          <div className="fact-value">
            <span className={`pill ${signalHealth(c.signal_dbm)}`}>
              {formatSignal(c.signal_dbm)}
            </span>
          </div>
        </div>
        <Fact
          label="Since"
          value={`${formatTimestamp(c.since, now)} (${formatAge(c.since, now)})`}
        />
        <Fact label="Last seen" value={formatAge(c.last_seen, now)} />
        <Fact label="Associated with" value={methodLabel(c.method)} />
        <Fact label="Roams" value={String(c.roams)} />
      </div>
      <section className="card">
        <h2>Roaming history</h2>
        {history.length === 0 ? (
          <p className="muted empty">No roam recorded for this client.</p>
        ) : (
          <table className="table compact" data-testid="roam-history">
            <thead>
              <tr>
                <th>Time</th>
                <th>From → to</th>
                <th>Method</th>
                <th>Gap</th>
              </tr>
            </thead>
            <tbody>
              {history.map((r) => (
                <tr key={`${r.at}-${r.from}-${r.to}`} data-from={r.from} data-to={r.to}>
                  <td title={new Date(r.at).toISOString()}>{formatTimestamp(r.at, now)}</td>
                  <td>
                    <a href={`#/nodes/${encodeURIComponent(r.from)}`}>{r.from}</a> →{' '}
                    <a href={`#/nodes/${encodeURIComponent(r.to)}`}>{r.to}</a>
                  </td>
                  <td>
                    {methodLabel(r.method)}
                    {isFastTransition(r.method) && <span className="pill good small">802.11r</span>}
                    {r.source === 'controller' && (
                      <span
                        className="muted small"
                        title="derived by the controller from where the client showed up"
                      >
                        {' '}
                        (derived)
                      </span>
                    )}
                  </td>
                  <td>{formatGap(r.gap_ms)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <div className="fact">
      <div className="fact-label">{label}</div>
      <div className="fact-value">{value}</div>
    </div>
  );
}
