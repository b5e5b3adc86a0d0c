/**
 * The configuration editor: pick a node, edit its configuration in a form or as JSON, validate
 * it and read the diff, then push it and follow the push to `confirmed` (or `rolled-back`).
 * Pushing is for admins; viewers can read the configuration and the pushes. The draft is checked
 * by the controller (the node's own validator) as it is edited, and each issue is shown next to
 * its field; a push the node itself rejected shows the node's issues.
 */
import { useEffect, useState } from 'react';
import {
  loadNodeConfig,
  nextVersion,
  validateConfig,
  type NodeConfig,
} from '../api/config-source.ts';
import type { ConfigPush, NodeRecord, ValidationResult } from '../api/types.ts';
import { canOperate, useApp } from '../app-context.ts';
import { ConfigForm } from '../components/config-form.tsx';
import { SiteSectionsEditor } from '../components/site-sections-editor.tsx';
import { configDiff } from '../lib/config-diff.ts';
import { formatValue } from '../lib/format.ts';
import { useResource } from '../use-resource.ts';
import { PushTable } from './node-page.tsx';

export function ConfigView({ initialNode }: { initialNode: string | undefined }) {
  const { api, session, navigate } = useApp();
  const admin = canOperate(session);
  const nodes = useResource<NodeRecord[]>('/api/nodes');
  const node = initialNode ?? nodes.data?.[0]?.node;
  const pushes = useResource<ConfigPush[]>(
    node ? `/api/config/pushes?node=${encodeURIComponent(node)}` : null,
    (c) => c.type === 'push',
  );
  const [base, setBase] = useState<NodeConfig | null>(null);
  const [draft, setDraft] = useState<unknown>(null);
  const [json, setJson] = useState('');
  const [jsonError, setJsonError] = useState<string | null>(null);
  const [mode, setMode] = useState<'form' | 'json'>('form');
  const [version, setVersion] = useState('');
  const [check, setCheck] = useState<ValidationResult | null>(null);
  const [checkedDraft, setCheckedDraft] = useState<unknown>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // A confirmed push changes what runs: read it again (the node reports it right after).
  const lastConfirmed = pushes.data?.find((p) => p.status === 'confirmed')?.id;

  useEffect(() => {
    if (!node) return;
    let cancelled = false;
    setBase(null);
    setCheck(null);
    loadNodeConfig(api, node).then(
      (b) => {
        if (cancelled) return;
        setBase(b);
        setDraft(b.config);
        setJson(JSON.stringify(b.config, null, 2));
        setVersion(nextVersion(b.version, new Date()));
      },
      (e: Error) => !cancelled && setError(e.message),
    );
    return () => {
      cancelled = true;
    };
  }, [api, node, lastConfirmed]);

  // Check the draft as it is edited (debounced), so issues show next to their fields.
  useEffect(() => {
    if (!node || !base || jsonError) return;
    let cancelled = false;
    const timer = setTimeout(() => {
      validateConfig(api, node, draft).then(
        (result) => {
          if (cancelled) return;
          setCheck(result);
          setCheckedDraft(draft);
        },
        () => undefined,
      );
    }, 400);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [api, node, base, draft, jsonError]);

  const edit = (v: unknown) => {
    setDraft(v);
    setJson(JSON.stringify(v, null, 2));
    setCheck(null);
  };

  const editJson = (text: string) => {
    setJson(text);
    setCheck(null);
    try {
      setDraft(JSON.parse(text));
      setJsonError(null);
    } catch (e) {
      setJsonError((e as Error).message);
    }
  };

  const validate = async () => {
    if (!node || !base) return;
    setBusy(true);
    setError(null);
    try {
      setCheck(await validateConfig(api, node, draft));
      setCheckedDraft(draft);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const push = async () => {
    if (!node) return;
    setBusy(true);
    setError(null);
    try {
      await api.post('/api/config/push', { node, version, config: draft });
      setCheck(null);
      pushes.reload();
    } catch (e) {
      const issues = (e as { issues?: string[] }).issues ?? [];
      setError([(e as Error).message, ...issues].join('\n'));
    } finally {
      setBusy(false);
    }
  };

  const pending = base && !jsonError ? configDiff(base.config, draft).length : 0;
  const canPush =
    admin && check?.ok === true && checkedDraft === draft && !jsonError && version.trim() !== '';

  return (
    <div className="config-view">
      <div className="page-head">
        <h1>Configuration</h1>
        <select
          aria-label="node"
          data-testid="config-node"
          value={node ?? ''}
          onChange={(e) => navigate(`#/config/${encodeURIComponent(e.target.value)}`)}
        >
          {(nodes.data ?? []).map((n) => (
            <option key={n.node} value={n.node}>
              {n.node}
            </option>
          ))}
        </select>
        {base && (
          <span className="muted small">
            running {base.version ?? 'unknown version'} ·{' '}
            {base.source === 'controller'
              ? 'as the node confirmed it'
              : base.source === 'last-confirmed-push'
                ? 'from the last confirmed push'
                : 'no known configuration yet'}
          </span>
        )}
      </div>
      {!admin && (
        <p className="notice">You are a viewer: you can read configurations, not push them.</p>
      )}
      {error && <pre className="error">{error}</pre>}
      {base && (
        <div className="grid-config">
          <section className="card">
            <div className="card-head">
              <h2>
                Edit{' '}
                <span className="muted small" data-testid="pending-changes">
                  {pending === 0
                    ? 'no changes'
                    : `${pending} pending change${pending > 1 ? 's' : ''}`}
                </span>
              </h2>
              <div className="tabs">
                <button
                  className={mode === 'form' ? 'tab active' : 'tab'}
                  onClick={() => setMode('form')}
                  disabled={!!jsonError}
                >
                  Form
                </button>
                <button
                  className={mode === 'json' ? 'tab active' : 'tab'}
                  onClick={() => setMode('json')}
                >
                  JSON
                </button>
              </div>
            </div>
            {mode === 'form' ? (
              <ConfigForm
                value={draft}
                template={base.config}
                errors={checkedDraft === draft ? check?.errors : undefined}
                onChange={edit}
                disabled={!admin}
              />
            ) : (
              <>
                <textarea
                  className="code"
                  data-testid="config-json"
                  value={json}
                  rows={24}
                  spellCheck={false}
                  readOnly={!admin}
                  onChange={(e) => editJson(e.target.value)}
                />
                {jsonError && <div className="error">Not valid JSON: {jsonError}</div>}
              </>
            )}
          </section>
          <section className="card">
            <h2>Review and push</h2>
            <label>
              Version
              <input
                data-testid="config-version"
                value={version}
                onChange={(e) => setVersion(e.target.value)}
                disabled={!admin}
              />
            </label>
            <div className="actions">
              <button
                onClick={() => void validate()}
                disabled={busy || !!jsonError}
                data-testid="config-validate"
              >
                Validate and preview
              </button>
              <button
                className="primary"
                onClick={() => void push()}
                disabled={busy || !canPush}
                data-testid="config-push"
                title={
                  admin ? 'Validate the current draft first' : 'Only operators and admins can push'
                }
              >
                Push to {node}
              </button>
            </div>
            {check && <ValidationReport check={check} />}
            <h3>Pushes to {node}</h3>
            {pushes.data && <PushTable pushes={pushes.data} />}
            {pushes.data && <NodeRejections pushes={pushes.data} />}
          </section>
        </div>
      )}
      <SiteSectionsEditor />
    </div>
  );
}

function ValidationReport({ check }: { check: ValidationResult }) {
  return (
    <div className="validation" data-testid="validation" data-ok={check.ok}>
      <div className={`pill ${check.ok ? 'good' : 'bad'}`}>
        {check.ok ? 'valid' : `${check.issues.length} issue(s)`}
      </div>{' '}
      <span className="muted small">
        checked by the controller; the node validates again before it applies
      </span>
      {check.issues.length > 0 && (
        <ul className="issues">
          {check.issues.map((i) => (
            <li key={i}>{i}</li>
          ))}
        </ul>
      )}
      {check.diff.length === 0 ? (
        <p className="muted">No change from the running configuration.</p>
      ) : (
        <table className="table compact diff" data-testid="config-diff">
          <thead>
            <tr>
              <th>Setting</th>
              <th>Now</th>
              <th>After push</th>
            </tr>
          </thead>
          <tbody>
            {check.diff.map((d) => (
              <tr key={d.path} data-path={d.path}>
                <td>
                  <code>{d.path}</code>
                </td>
                <td className="from">{formatValue(d.from)}</td>
                <td className="to">{formatValue(d.to)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** What the node found wrong in the pushes it rejected, each issue with its path. */
function NodeRejections({ pushes }: { pushes: ConfigPush[] }) {
  const rejected = pushes.filter((p) => p.issues && p.issues.length > 0).slice(0, 5);
  if (rejected.length === 0) return null;
  return (
    <div className="node-rejections">
      {rejected.map((p) => (
        <div key={p.id} className="validation" data-testid="push-issues" data-push={p.id}>
          <div>
            <span className="pill bad">{p.status}</span> <code>{p.version}</code>{' '}
            <span className="muted small">by the node: {p.reason}</span>
          </div>
          <ul className="issues">
            {p.issues.map((i) => (
              <li key={`${i.path}:${i.message}`}>
                <code>{i.path}</code>: {i.message}
              </li>
            ))}
          </ul>
        </div>
      ))}
    </div>
  );
}
