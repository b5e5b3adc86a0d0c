/**
 * The radio nodes at a glance: address, status, when last heard ("12 s ago"), hops from the
 * gateway, the last ping's RTT, link quality and the gateways that hear it. On a phone the rows
 * become cards (each cell labelled), so nothing scrolls sideways.
 *
 * @example
 * <RadioNodesTable nodes={nodes} now={Date.now()} />
 */
import type { RadioNode } from '../api/radio-types.ts';
import { formatAge, formatMs } from '../lib/format.ts';
import { formatLinkQuality, radioNodeName, sortRadioNodes } from '../lib/radio-nodes.ts';

export function RadioNodesTable({ nodes, now }: { nodes: readonly RadioNode[]; now: number }) {
  if (nodes.length === 0)
    return (
      <p className="muted empty">No radio node has been heard yet: is a radio gateway running?</p>
    );
  return (
    <table className="table reflow" data-testid="radio-nodes">
      <thead>
        <tr>
          <th>Address</th>
          <th>Status</th>
          <th>Last heard</th>
          <th>Hops</th>
          <th>RTT</th>
          <th>Link</th>
          <th>Gateways</th>
        </tr>
      </thead>
      <tbody>
        {sortRadioNodes(nodes).map((n) => (
          <tr
            key={n.address}
            data-address={n.address}
            data-status={n.status}
            className={n.status === 'unreachable' ? 'offline' : undefined}
          >
            <td data-label="Address">
              <a href={`#/radio/${n.address}`}>{radioNodeName(n)}</a>
            </td>
            <td data-label="Status">
              <span className={`pill ${n.status === 'reachable' ? 'good' : 'bad'}`}>
                {n.status}
              </span>
            </td>
            <td
              data-label="Last heard"
              data-testid="radio-last-heard"
              title={n.last_heard ?? 'only learned of, never heard itself'}
            >
              {n.last_heard_ms === null ? 'never' : formatAge(n.last_heard_ms, now)}
            </td>
            <td data-label="Hops">{n.hops ?? '–'}</td>
            <td data-label="RTT" data-testid="radio-rtt">
              {formatMs(n.rtt_ms)}
            </td>
            <td data-label="Link">{formatLinkQuality(n.link_quality)}</td>
            <td data-label="Gateways" data-testid="radio-gateways">
              {n.gateways.join(', ')}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
