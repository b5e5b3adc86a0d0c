/**
 * The demo's fault panel: kill and restore nodes, cut and restore WANs, degrade and restore
 * links. Present only when the controller runs the simulated demo (GET /api/demo/faults answers);
 * operators and admins only.
 */
import { useEffect, useState } from 'react';
import { NotFoundError } from '../api/errors.ts';
import type { FaultAction, FaultTargets } from '../api/types.ts';
import { canOperate, useApp } from '../app-context.ts';
import { useResource } from '../use-resource.ts';

/** Whether the controller offers the fault API (it is absent outside the simulated demo). */
export function useFaultsAvailable(): boolean {
  const { api } = useApp();
  const [available, setAvailable] = useState(false);
  useEffect(() => {
    let cancelled = false;
    api.get<FaultTargets>('/api/demo/faults').then(
      () => {
        if (!cancelled) setAvailable(true);
      },
      (e: unknown) => {
        // A 404 means no simulated demo; any other failure also leaves the panel hidden.
        if (!cancelled && e instanceof NotFoundError) setAvailable(false);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api]);
  return available;
}

export function FaultsView() {
  const { api, session } = useApp();
  const faults = useResource<FaultTargets>('/api/demo/faults', () => true);
  const [message, setMessage] = useState<string | null>(null);
  const [loss, setLoss] = useState(30);
  const admin = canOperate(session);
  const t = faults.data?.targets;

  const run = (body: { action: FaultAction } & Record<string, unknown>, what: string) => {
    setMessage(null);
    api.post('/api/demo/faults', body).then(
      () => {
        setMessage(`${what}: sent`);
        faults.reload();
      },
      (e: Error) => setMessage(`${what}: ${e.message}`),
    );
  };

  if (faults.error) return <div className="error">{faults.error.message}</div>;
  if (!t) return null;
  return (
    <div>
      <div className="page-head">
        <h1>Fault injection</h1>
        <span className="muted">Break the simulated mesh and watch it heal.</span>
      </div>
      {!admin && <p className="muted">Only operators and admins can inject faults.</p>}
      {message && <div className="notice">{message}</div>}
      <div className="grid-3">
        <section className="card">
          <h2>Nodes</h2>
          {t.nodes.map((n) => (
            <div key={n} className="fault-row">
              <span>{n}</span>
              <button
                className="danger small"
                disabled={!admin}
                onClick={() => run({ action: 'kill-node', node: n }, `kill ${n}`)}
              >
                Kill
              </button>
              <button
                className="small"
                disabled={!admin}
                onClick={() => run({ action: 'restore-node', node: n }, `restore ${n}`)}
              >
                Restore
              </button>
            </div>
          ))}
        </section>
        <section className="card">
          <h2>WANs</h2>
          {t.wans.map((w) => (
            <div key={`${w.node}/${w.wan}`} className="fault-row">
              <span>
                {w.node} / {w.wan}
              </span>
              <button
                className="danger small"
                disabled={!admin}
                onClick={() =>
                  run({ action: 'cut-wan', node: w.node, wan: w.wan }, `cut ${w.node}/${w.wan}`)
                }
              >
                Cut
              </button>
              <button
                className="small"
                disabled={!admin}
                onClick={() =>
                  run(
                    { action: 'restore-wan', node: w.node, wan: w.wan },
                    `restore ${w.node}/${w.wan}`,
                  )
                }
              >
                Restore
              </button>
            </div>
          ))}
        </section>
        <section className="card">
          <h2>Links</h2>
          <label className="small">
            loss when degraded: {loss}%
            <input
              type="range"
              min={5}
              max={100}
              step={5}
              value={loss}
              onChange={(e) => setLoss(Number(e.target.value))}
            />
          </label>
          {t.links.map((l) => (
            <div key={`${l.a}|${l.b}`} className="fault-row">
              <span>
                {l.a} — {l.b}
              </span>
              <button
                className="danger small"
                disabled={!admin}
                onClick={() =>
                  run(
                    { action: 'degrade-link', a: l.a, b: l.b, loss: loss / 100 },
                    `degrade ${l.a}—${l.b}`,
                  )
                }
              >
                Degrade
              </button>
              <button
                className="small"
                disabled={!admin}
                onClick={() =>
                  run({ action: 'restore-link', a: l.a, b: l.b }, `restore ${l.a}—${l.b}`)
                }
              >
                Restore
              </button>
            </div>
          ))}
        </section>
      </div>
      {faults.data && faults.data.active.length > 0 && (
        <section className="card">
          <h2>Active faults</h2>
          <pre className="code">{JSON.stringify(faults.data.active, null, 2)}</pre>
        </section>
      )}
    </div>
  );
}
