/**
 * Firmware upgrades: start a campaign (image URL, SHA-256, version, target nodes, canary count,
 * wave size, per-node timeout, failures tolerated), each field checked as it is typed; the demo's
 * example images, one click to use; and every campaign with its progress, live. Starting is for
 * admins; viewers see the same page with the form disabled.
 */
import { useEffect, useState } from 'react';
import { ApiError, NotFoundError } from '../api/errors.ts';
import type { DemoImage, NodeRecord, UpgradeCampaignSummary } from '../api/types.ts';
import { canOperate, useApp } from '../app-context.ts';
import { formatAge } from '../lib/format.ts';
import {
  EMPTY_DRAFT,
  checkDraft,
  draftFromImage,
  issueField,
  type DraftErrors,
  type DraftField,
  type UpgradeDraft,
} from '../lib/upgrade-form.ts';
import { campaignTone } from '../lib/upgrade-waves.ts';
import { useNow } from '../use-now.ts';
import { useResource } from '../use-resource.ts';

/** The demo's example images, or undefined where no simulated demo runs (404). */
function useDemoImages(): DemoImage[] | undefined {
  const { api } = useApp();
  const [images, setImages] = useState<DemoImage[] | undefined>(undefined);
  useEffect(() => {
    let cancelled = false;
    api.get<DemoImage[]>('/api/demo/images').then(
      (i) => !cancelled && setImages(i),
      (e: unknown) => {
        if (!cancelled && e instanceof NotFoundError) setImages(undefined);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api]);
  return images;
}

export function UpgradesView() {
  const campaigns = useResource<UpgradeCampaignSummary[]>(
    '/api/upgrades',
    (c) => c.type === 'upgrade',
  );
  const images = useDemoImages();
  const [draft, setDraft] = useState<UpgradeDraft>(EMPTY_DRAFT);
  return (
    <div>
      <div className="page-head">
        <h1>Upgrades</h1>
        <span className="muted">
          Firmware in waves: the canary first, then wave by wave; a failure stops the rest.
        </span>
      </div>
      <div className="grid-2">
        <CampaignForm draft={draft} setDraft={setDraft} />
        <div>
          {images && (
            <DemoImages images={images} onUse={(i) => setDraft((d) => draftFromImage(d, i))} />
          )}
          <section className="card">
            <h2>Campaigns</h2>
            {campaigns.error && <div className="error">{campaigns.error.message}</div>}
            {campaigns.data && <CampaignList campaigns={campaigns.data} />}
          </section>
        </div>
      </div>
    </div>
  );
}

function CampaignForm({
  draft,
  setDraft,
}: {
  draft: UpgradeDraft;
  setDraft: (f: (d: UpgradeDraft) => UpgradeDraft) => void;
}) {
  const { api, session, navigate } = useApp();
  const admin = canOperate(session);
  const nodes = useResource<NodeRecord[]>('/api/nodes', (c) => c.type === 'node');
  // n2 before n10, as the controller orders every online node by default.
  const byName = [...(nodes.data ?? [])].sort((a, b) =>
    a.node.localeCompare(b.node, 'en', { numeric: true }),
  );
  const [showErrors, setShowErrors] = useState(false);
  const [serverIssues, setServerIssues] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const checked = checkDraft(draft);
  const errors: DraftErrors = checked.ok || !showErrors ? {} : checked.errors;
  const online = byName.filter((n) => n.online);
  const targets = draft.target === 'online' ? online.length : draft.nodes.length;
  const canary = Number(draft.canary) || 0;
  const waveSize = Number(draft.wave_size) || 0;
  const waves = waveSize > 0 ? Math.ceil(Math.max(0, targets - canary) / waveSize) : 0;

  const set = (field: DraftField, value: string) => {
    setDraft((d) => ({ ...d, [field]: value }));
    setServerIssues([]);
  };
  const toggle = (node: string, on: boolean) => {
    const order = byName.map((n) => n.node);
    setDraft((d) => ({
      ...d,
      nodes: order.filter((n) => (n === node ? on : d.nodes.includes(n))),
    }));
    setServerIssues([]);
  };
  const submit = () => {
    setShowErrors(true);
    if (!checked.ok) return;
    setBusy(true);
    setServerIssues([]);
    api.post<UpgradeCampaignSummary>('/api/upgrades', checked.body).then(
      (c) => navigate(`#/upgrades/${encodeURIComponent(c.id)}`),
      (e: Error) => {
        setBusy(false);
        setServerIssues(e instanceof ApiError && e.issues.length > 0 ? e.issues : [e.message]);
      },
    );
  };
  const fieldIssues = (field: DraftField) => serverIssues.filter((i) => issueField(i) === field);
  const text = (field: 'image_url' | 'sha256' | 'version', label: string, hint: string) => (
    <label>
      {label}
      <input
        name={field}
        data-testid={`upgrade-${field}`}
        value={draft[field]}
        placeholder={hint}
        spellCheck={false}
        disabled={!admin}
        onChange={(e) => set(field, e.target.value)}
      />
      <FieldError field={field} errors={errors} issues={fieldIssues(field)} />
    </label>
  );
  const number = (
    field: 'canary' | 'wave_size' | 'node_timeout_s' | 'max_failures',
    label: string,
  ) => (
    <label>
      {label}
      <input
        name={field}
        data-testid={`upgrade-${field}`}
        inputMode="numeric"
        value={draft[field]}
        disabled={!admin}
        onChange={(e) => set(field, e.target.value)}
      />
      <FieldError field={field} errors={errors} issues={fieldIssues(field)} />
    </label>
  );

  return (
    <section className="card" data-testid="upgrade-form">
      <h2>Start a campaign</h2>
      {!admin && <p className="muted">Only operators and admins can start upgrades.</p>}
      {text('image_url', 'Image URL', 'https://…/sysupgrade.itb')}
      {text('sha256', 'SHA-256 of the image', '64 hex digits')}
      {text(
        'version',
        'Version the nodes will report',
        'as in /etc/openwrt_release DISTRIB_DESCRIPTION',
      )}
      <fieldset>
        <legend>Nodes</legend>
        <label className="toggle">
          <input
            type="radio"
            name="target"
            data-testid="target-online"
            checked={draft.target === 'online'}
            disabled={!admin}
            onChange={() => setDraft((d) => ({ ...d, target: 'online' }))}
          />
          every online node ({online.length})
        </label>
        <label className="toggle">
          <input
            type="radio"
            name="target"
            data-testid="target-selected"
            checked={draft.target === 'selected'}
            disabled={!admin}
            onChange={() => setDraft((d) => ({ ...d, target: 'selected' }))}
          />
          these nodes, in this order (the first ones are the canaries)
        </label>
        {draft.target === 'selected' && (
          <div className="node-picks" data-testid="node-picks">
            {byName.map((n) => (
              <label key={n.node} className="toggle" title={n.state?.firmware_version ?? ''}>
                <input
                  type="checkbox"
                  data-node={n.node}
                  checked={draft.nodes.includes(n.node)}
                  disabled={!admin || !n.online}
                  onChange={(e) => toggle(n.node, e.target.checked)}
                />
                {n.node}
                {!n.online && <span className="muted"> offline</span>}
              </label>
            ))}
          </div>
        )}
        <FieldError field="nodes" errors={errors} issues={fieldIssues('nodes')} />
      </fieldset>
      <div className="field-grid">
        {number('canary', 'Canaries')}
        {number('wave_size', 'Wave size')}
        {number('node_timeout_s', 'Per-node timeout (s)')}
        {number('max_failures', 'Failures tolerated')}
      </div>
      <p className="muted small" data-testid="upgrade-plan">
        {targets} node(s): {Math.min(canary, targets)} canary, then {waves} wave(s) of up to{' '}
        {waveSize}. A node that fails or is not back within the timeout stops the campaign.
      </p>
      {serverIssues.filter((i) => issueField(i) === undefined).length > 0 && (
        <ul className="issues" data-testid="upgrade-issues">
          {serverIssues
            .filter((i) => issueField(i) === undefined)
            .map((i) => (
              <li key={i}>{i}</li>
            ))}
        </ul>
      )}
      <div className="actions">
        <button
          className="primary"
          data-testid="upgrade-start"
          disabled={!admin || busy || (showErrors && !checked.ok)}
          title={admin ? '' : 'Only operators and admins can start upgrades'}
          onClick={submit}
        >
          Start upgrade
        </button>
      </div>
    </section>
  );
}

function FieldError({
  field,
  errors,
  issues,
}: {
  field: DraftField;
  errors: DraftErrors;
  issues: string[];
}) {
  const messages = [...(errors[field] ? [`expected ${errors[field]}`] : []), ...issues];
  if (messages.length === 0) return null;
  return (
    <span className="field-error" data-testid={`error-${field}`}>
      {messages.join('; ')}
    </span>
  );
}

function DemoImages({ images, onUse }: { images: DemoImage[]; onUse: (i: DemoImage) => void }) {
  return (
    <section className="card" data-testid="demo-images">
      <h2>Example images of the demo</h2>
      <p className="muted small">
        The simulated nodes fetch these from a catalogue; nothing is downloaded for real.
      </p>
      <table className="table compact">
        <tbody>
          {images.map((i) => (
            <tr key={i.url} data-outcome={i.outcome}>
              <td>
                <strong>{i.name}</strong>
                <div className="muted small">{i.note}</div>
                <div className="muted small">
                  <code>{i.sha256.slice(0, 16)}…</code> · {(i.bytes / 1048576).toFixed(1)} MiB
                </div>
              </td>
              <td>
                <button className="small" data-testid="use-image" onClick={() => onUse(i)}>
                  Use
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function CampaignList({ campaigns }: { campaigns: UpgradeCampaignSummary[] }) {
  const now = useNow();
  if (campaigns.length === 0) return <p className="muted empty">No campaign yet.</p>;
  return (
    <table className="table" data-testid="campaign-list">
      <thead>
        <tr>
          <th>Campaign</th>
          <th>Status</th>
          <th>Version</th>
          <th>Nodes</th>
          <th>Started</th>
        </tr>
      </thead>
      <tbody>
        {campaigns.map((c) => {
          const total = Object.values(c.counts).reduce((s, n) => s + n, 0);
          return (
            <tr key={c.id} data-campaign={c.id}>
              <td>
                <a href={`#/upgrades/${encodeURIComponent(c.id)}`}>{c.id}</a>
              </td>
              <td>
                <span className={`pill ${campaignTone(c.status)}`} data-testid="campaign-status">
                  {c.status}
                </span>
              </td>
              <td>{c.version}</td>
              <td>
                {c.counts.done}/{total} done
                {c.counts.failed > 0 && `, ${c.counts.failed} failed`}
                {c.counts.skipped > 0 && `, ${c.counts.skipped} skipped`}
              </td>
              <td className="muted">
                {formatAge(c.created_at, now)} by {c.requested_by}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
