/**
 * One upgrade campaign, live: its status and reason, the image, and each wave with every node's
 * state (pending, upgrading with the step it reported, done with the version it came back with,
 * failed with the reason, skipped after a stop). Admins can cancel a running campaign.
 */
import { useState } from 'react';
import type { UpgradeCampaignDetail } from '../api/types.ts';
import { canOperate, useApp } from '../app-context.ts';
import { formatTime } from '../lib/format.ts';
import { campaignTone, nodeStatus, waveGroups } from '../lib/upgrade-waves.ts';
import { useResource } from '../use-resource.ts';

export function UpgradePage({ id }: { id: string }) {
  const { api, session } = useApp();
  const admin = canOperate(session);
  const path = `/api/upgrades/${encodeURIComponent(id)}`;
  const campaign = useResource<UpgradeCampaignDetail>(
    path,
    (c) => c.type === 'upgrade' && c.id === id,
  );
  const [message, setMessage] = useState<string | null>(null);
  if (campaign.error) return <div className="error">{campaign.error.message}</div>;
  const c = campaign.data;
  if (!c) return null;
  const cancel = () => {
    setMessage(null);
    api.post(`${path}/cancel`).then(
      () => campaign.reload(),
      (e: Error) => setMessage(e.message),
    );
  };
  const total = c.nodes.length;
  return (
    <div data-testid="upgrade-page" data-status={c.status}>
      <div className="page-head">
        <h1>
          <a href="#/upgrades">Upgrades</a> / {c.id}
        </h1>
        <span className={`pill ${campaignTone(c.status)}`} data-testid="campaign-status">
          {c.status}
        </span>
        <span className="spacer" />
        {c.status === 'running' && (
          <button
            className="danger"
            data-testid="upgrade-cancel"
            disabled={!admin}
            title={
              admin
                ? 'Nodes not yet started are left alone'
                : 'Only operators and admins can cancel'
            }
            onClick={cancel}
          >
            Cancel campaign
          </button>
        )}
      </div>
      {message && <div className="error">{message}</div>}
      <section className="card">
        <p data-testid="campaign-reason">{c.reason}</p>
        <div className="facts">
          <Fact label="Version" value={c.version} />
          <Fact
            label="Progress"
            value={`${c.counts.done}/${total} done`}
            testId="campaign-progress"
          />
          <Fact label="Failed / skipped" value={`${c.counts.failed} / ${c.counts.skipped}`} />
          <Fact
            label="Waves"
            value={`canary ${c.canary}, then ${Math.max(0, c.waves - 1)} of up to ${c.wave_size}`}
          />
          <Fact label="Per-node timeout" value={`${c.node_timeout_s} s`} />
          <Fact label="Failures tolerated" value={String(c.max_failures)} />
          <Fact label="Started" value={`${formatTime(c.created_at)} by ${c.requested_by}`} />
          <Fact label="Ended" value={c.finished_at ? formatTime(c.finished_at) : '–'} />
        </div>
        <p className="muted small">
          <code>{c.image_url}</code>
          <br />
          SHA-256 <code>{c.sha256}</code>
        </p>
      </section>
      {waveGroups(c.nodes).map((g) => (
        <section className="card" key={g.wave} data-testid="wave" data-wave={g.wave}>
          <h2>
            {g.title}
            {c.status === 'running' && g.wave === c.wave && (
              <span className="pill warn"> under way</span>
            )}
          </h2>
          <table className="table compact">
            <thead>
              <tr>
                <th>Node</th>
                <th>State</th>
                <th>From</th>
                <th>Updated</th>
              </tr>
            </thead>
            <tbody>
              {g.nodes.map((n) => {
                const s = nodeStatus(n);
                return (
                  <tr key={n.node} data-node={n.node} data-state={n.state}>
                    <td>
                      <a href={`#/nodes/${encodeURIComponent(n.node)}`}>{n.node}</a>
                    </td>
                    <td>
                      <span className={`pill ${s.tone}`} data-testid="node-state">
                        {n.state}
                      </span>{' '}
                      <span data-testid="node-status">{s.text}</span>
                    </td>
                    <td className="muted">{n.from_version ?? '–'}</td>
                    <td className="muted">{formatTime(n.updated_at)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
      ))}
    </div>
  );
}

function Fact({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="fact" data-testid={testId}>
      <div className="fact-label">{label}</div>
      <div className="fact-value">{value}</div>
    </div>
  );
}
