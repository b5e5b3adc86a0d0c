/**
 * One radio node: status, last heard, hops, RTT, link quality and gateways; ping, scan and send
 * (operators and admins); its RTT history as a chart; its neighbours; and the messages to and
 * from it. A `radio-node` or `radio-message` change about it refetches the page.
 */
import { useMemo, useState } from 'react';
import type { RadioGraph, RadioMessage, RadioNodeDetail } from '../api/radio-types.ts';
import type { MetricPoint } from '../api/types.ts';
import { canOperate, useApp } from '../app-context.ts';
import { SeriesChart } from '../components/metric-chart.tsx';
import { RadioActions } from '../components/radio-actions.tsx';
import { RadioGraphPanel } from '../components/radio-graph-panel.tsx';
import { formatAge, formatMs, formatTime } from '../lib/format.ts';
import {
  formatLinkQuality,
  parseRadioAddress,
  radioChangeConcerns,
  radioNodeName,
} from '../lib/radio-nodes.ts';
import { COLOURS } from '../lib/status-colour.ts';
import { useNow } from '../use-now.ts';
import { useResource } from '../use-resource.ts';

export function RadioNodePage({ address: text }: { address: string }) {
  const address = parseRadioAddress(text);
  if (address === undefined)
    return <div className="error">&apos;{text}&apos; is not a radio address (a number).</div>;
  return <RadioNodeDetailPage address={address} />;
}

function RadioNodeDetailPage({ address }: { address: number }) {
  const { session } = useApp();
  const now = useNow(1000);
  const [scan, setScan] = useState<RadioGraph | null>(null);
  const detail = useResource<RadioNodeDetail>(`/api/radio/nodes/${address}`, (c) =>
    radioChangeConcerns(c, address),
  );
  const rtt = useMemo<MetricPoint[] | undefined>(
    () =>
      detail.data?.rtt_history.map((p) => {
        const at = p.at;
        return { at, count: 1, avg: p.rtt_ms, min: p.rtt_ms, max: p.rtt_ms };
      }),
    [detail.data],
  );
  if (detail.error) return <div className="error">{detail.error.message}</div>;
  const d = detail.data;
  if (!d) return null;
  const n = d.node;
  return (
    <div className="radio-node-page" data-testid="radio-node-page" data-address={n.address}>
      <div className="page-head">
        <a href="#/radio" className="muted">
          Radio
        </a>
        <h1>Radio node {radioNodeName(n)}</h1>
        <span
          className={`pill ${n.status === 'reachable' ? 'good' : 'bad'}`}
          data-testid="radio-status"
        >
          {n.status}
        </span>
      </div>
      <div className="facts card">
        <Fact label="Network" value={n.network} />
        <Fact
          label="Last heard"
          value={n.last_heard_ms === null ? 'never' : formatAge(n.last_heard_ms, now)}
          title={n.last_heard ?? undefined}
        />
        <Fact label="Hops" value={n.hops === null ? '–' : String(n.hops)} />
        <Fact label="Last RTT" value={formatMs(n.rtt_ms)} testid="radio-last-rtt" />
        <Fact label="Link quality" value={formatLinkQuality(n.link_quality)} />
        <Fact label="Gateways" value={n.gateways.join(', ') || '–'} />
      </div>
      <div className="grid-2">
        <div>
          {canOperate(session) ? (
            <RadioActions address={n.address} onScan={setScan} onDone={detail.reload} />
          ) : (
            <p className="muted" data-testid="radio-viewer-note">
              Operators and admins can ping, scan and send to radio nodes.
            </p>
          )}
          <section className="card">
            <SeriesChart
              points={rtt}
              title="Round-trip time (pings)"
              unit=" ms"
              colour={COLOURS.accent}
              gaps={false}
              empty="No ping yet."
            />
          </section>
        </div>
        <section className="card">
          <h2>Neighbours</h2>
          {d.neighbours.length === 0 ? (
            <p className="muted empty">None known: scan from this node to find them.</p>
          ) : (
            <ul className="plain" data-testid="radio-neighbours">
              {d.neighbours.map((a) => (
                <li key={a}>
                  <a href={`#/radio/${a}`}>{a}</a>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      {scan && <RadioGraphPanel nodes={[n]} graph={scan} title="Scan result" height={280} />}
      <section className="card">
        <h2>Messages</h2>
        {d.messages.length === 0 ? (
          <p className="muted empty">No message to or from this node yet.</p>
        ) : (
          <table className="table compact reflow" data-testid="radio-messages">
            <thead>
              <tr>
                <th>Time</th>
                <th>Direction</th>
                <th>Gateway</th>
                <th>Content</th>
                <th>Size</th>
              </tr>
            </thead>
            <tbody>
              {newestFirst(d.messages).map((m) => (
                <tr key={m.id} data-direction={m.direction}>
                  <td data-label="Time" title={new Date(m.at).toISOString()}>
                    {formatTime(m.at)}
                  </td>
                  <td data-label="Direction">
                    {m.direction === 'from-node' ? '← from node' : '→ to node'}
                  </td>
                  <td data-label="Gateway">{m.gateway}</td>
                  <td data-label="Content" className={m.text === null ? 'mono' : undefined}>
                    {m.text ?? m.bytes_hex}
                  </td>
                  <td data-label="Size">{m.size} B</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

/** Messages newest first, whichever order the API lists them in. */
function newestFirst(messages: readonly RadioMessage[]): RadioMessage[] {
  return [...messages].sort((a, b) => b.at - a.at || b.id - a.id);
}

function Fact(props: { label: string; value: string; title?: string; testid?: string }) {
  return (
    <div>
      <div className="fact-label">{props.label}</div>
      <div className="fact-value" title={props.title} data-testid={props.testid}>
        {props.value}
      </div>
    </div>
  );
}
