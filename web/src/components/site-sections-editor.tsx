/**
 * The site file's VLANs and SSIDs, edited from the dashboard when the controller runs with a
 * site file: edit the rows, preview what that renders on every node (UCI changes and agent
 * config changes, per node) or every issue with its field, then apply: the controller writes
 * the site file and pushes the nodes that report to it. Viewers can read and preview; applying
 * is for operators and admins. Wi-Fi keys in the file show as "(unchanged)" and stay as they are unless typed.
 */
import { useEffect, useState } from 'react';
import { NotFoundError, RejectedInputError } from '../api/errors.ts';
import { canOperate, useApp } from '../app-context.ts';
import { ConfigForm } from './config-form.tsx';

interface SiteView {
  file: string;
  version: string;
  vlans: unknown[];
  ssids: unknown[];
  nodes: string[];
}

interface NodePreview {
  node: string;
  uci: string[];
  agent: string[];
  push?: { id: string; version: string; status: string } | null;
  note?: string;
}

type Preview =
  | { ok: true; version: string; nodes: NodePreview[] }
  | { ok: false; version: string; errors: { path: string; message: string }[] };

type Sections = { vlans: unknown[]; ssids: unknown[] };

export function SiteSectionsEditor() {
  const { api, session } = useApp();
  const admin = canOperate(session);
  const [site, setSite] = useState<SiteView | null | undefined>(undefined);
  const [draft, setDraft] = useState<Sections | null>(null);
  const [preview, setPreview] = useState<{ of: Sections; result: Preview } | null>(null);
  const [applied, setApplied] = useState<NodePreview[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let cancelled = false;
    api.get<SiteView>('/api/site').then(
      (s) => {
        if (cancelled) return;
        setSite(s);
        setDraft({ vlans: s.vlans, ssids: s.ssids });
        setPreview(null);
      },
      (e: Error) =>
        !cancelled && (e instanceof NotFoundError ? setSite(null) : setError(e.message)),
    );
    return () => {
      cancelled = true;
    };
  }, [api, tick]);

  if (site === null) return null; // No site file on this controller.
  if (!site || !draft) return error ? <pre className="error">{error}</pre> : null;

  const send = async (path: string, body: object): Promise<Preview> => {
    try {
      return await api.post<Preview>(path, body);
    } catch (e) {
      const b = e instanceof RejectedInputError ? (e.body as Preview | undefined) : undefined;
      if (b && b.ok === false && Array.isArray(b.errors)) return b;
      throw e;
    }
  };

  const run = async (what: 'preview' | 'apply') => {
    setBusy(true);
    setError(null);
    try {
      const body = { ...draft, version: site.version };
      const result = await send(`/api/site/${what}`, body);
      if (what === 'apply' && result.ok) {
        setApplied(result.nodes);
        setTick((t) => t + 1);
      } else setPreview({ of: draft, result });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const current = preview && preview.of === draft ? preview.result : null;
  return (
    <section className="card site-editor" data-testid="site-editor">
      <h2>
        VLANs and SSIDs <span className="muted small">from the site file {site.file}</span>
      </h2>
      <ConfigForm
        value={draft}
        template={{ vlans: site.vlans, ssids: site.ssids }}
        errors={current && !current.ok ? current.errors : undefined}
        onChange={(v) => setDraft(v as Sections)}
        disabled={!admin}
      />
      <div className="actions">
        <button onClick={() => void run('preview')} disabled={busy} data-testid="site-preview">
          Preview per node
        </button>
        <button
          className="primary"
          onClick={() => void run('apply')}
          disabled={busy || !admin || current?.ok !== true}
          data-testid="site-apply"
          title={
            admin
              ? 'Preview the current draft first'
              : 'Only operators and admins can change the site'
          }
        >
          Apply to the site
        </button>
      </div>
      {error && <pre className="error">{error}</pre>}
      {current && !current.ok && (
        <ul className="issues" data-testid="site-issues">
          {current.errors.map((i) => (
            <li key={`${i.path}:${i.message}`}>
              <code>{i.path}</code>: {i.message}
            </li>
          ))}
        </ul>
      )}
      {current?.ok && <NodeDiffs nodes={current.nodes} />}
      {applied && (
        <div data-testid="site-applied">
          <h3>Applied</h3>
          <ul>
            {applied.map((n) => (
              <li key={n.node} data-node={n.node}>
                <strong>{n.node}</strong>: {n.note}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

function NodeDiffs({ nodes }: { nodes: NodePreview[] }) {
  return (
    <div className="node-diffs">
      {nodes.map((n) => {
        const count = n.uci.length + n.agent.length;
        return (
          <details key={n.node} data-testid="site-node-diff" data-node={n.node} open={count > 0}>
            <summary>
              {n.node}:{' '}
              {count === 0
                ? 'no change'
                : `${n.uci.length} UCI change(s), ${n.agent.length} agent change(s)`}
            </summary>
            {count > 0 && <pre className="code small">{[...n.uci, ...n.agent].join('\n')}</pre>}
          </details>
        );
      })}
    </div>
  );
}
