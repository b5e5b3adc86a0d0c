/**
 * The demo's fault panel: kill and restore nodes, cut and restore WANs, degrade and restore
 * links, each button enabled only when its action makes sense in the target's current state, and
 * the faults in force as a table with their times. Present only when the controller runs the
 * simulated demo (GET /api/demo/faults answers); operators and admins only.
 */
import { useEffect, useState } from 'react';
import { NotFoundError } from '../api/errors.ts';
import type { FaultRequest, FaultTargets } from '../api/types.ts';
import { canOperate, useApp } from '../app-context.ts';
import {
  faultKindLabel,
  formatFaultParameters,
  formatSince,
  linkActions,
  nodeActions,
  wanActions,
} from '../lib/fault-panel.ts';
import { radioTargetAddress } from '../../../src/demo/radio-fault-target.ts';
import { useNow } from '../use-now.ts';
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
  const now = useNow(1000);
  const admin = canOperate(session);
  const t = faults.data?.targets;
  const st = faults.data?.state;

  const run = (body: FaultRequest, what: string) => {
    setMessage(null);
    api.post('/api/demo/faults', body).then(
      () => {
        setMessage(`${what}: sent`);
        faults.reload();
      },
      (e: Error) => {
        setMessage(`${what}: ${e.message}`);
        // A refusal (409) means the panel's picture was out of date: refresh it.
        faults.reload();
      },
    );
  };

  if (faults.error) return <div className="error">{faults.error.message}</div>;
  if (!t) return null;
  const nodeState = (n: string) => st?.nodes.find((x) => x.node === n)?.state;
  const wanState = (node: string, wan: string) =>
    st?.wans.find((x) => x.node === node && x.wan === wan)?.state;
  const linkState = (a: string, b: string) => st?.links.find((x) => x.a === a && x.b === b);
  const active = faults.data?.active ?? [];
  // Radio nodes (`radio-<address>`) are killed and restored like mesh nodes, listed apart.
  const meshNodes = t.nodes.filter((n) => radioTargetAddress(n) === undefined);
  const radioNodes = t.nodes.filter((n) => radioTargetAddress(n) !== undefined);
  const nodeRow = (n: string) => {
    const state = nodeState(n);
    const can = nodeActions(state);
    return (
      <div key={n} className="fault-row" data-node={n} data-state={state}>
        <span>
          {n} <StatePill state={state} good="up" />
        </span>
        <button
          className="danger small"
          disabled={!admin || !can.kill}
          onClick={() => run({ action: 'kill-node', node: n }, `kill ${n}`)}
        >
          Kill
        </button>
        <button
          className="small"
          disabled={!admin || !can.restore}
          onClick={() => run({ action: 'restore-node', node: n }, `restore ${n}`)}
        >
          Restore
        </button>
      </div>
    );
  };
  return (
    <div>
      <div className="page-head">
        <h1>Fault injection</h1>
        <span className="muted">Break the simulated mesh and watch it heal.</span>
      </div>
      {!admin && <p className="muted">Only operators and admins can inject faults.</p>}
      {message && <div className="notice">{message}</div>}
      <section className="card" data-testid="active-faults">
        <h2>Active faults</h2>
        {active.length === 0 ? (
          <p className="muted empty">None: the mesh runs as configured.</p>
        ) : (
          <table className="table compact">
            <thead>
              <tr>
                <th>Fault</th>
                <th>Target</th>
                <th>Since</th>
                <th>Parameters</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {active.map((f) => (
                <tr key={`${f.kind}:${f.target}`} data-fault={f.kind} data-target={f.target}>
                  <td>{faultKindLabel(f.kind)}</td>
                  <td>{f.target}</td>
                  <td data-testid="fault-since" title={f.since}>
                    {formatSince(f.since_ms, now)}
                  </td>
                  <td>{formatFaultParameters(f.parameters)}</td>
                  <td>
                    <button
                      className="small"
                      disabled={!admin}
                      onClick={() => run(f.restore, `restore ${f.target}`)}
                    >
                      Restore
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <div className="grid-3">
        <section className="card">
          <h2>Nodes</h2>
          {meshNodes.map(nodeRow)}
          {radioNodes.length > 0 && (
            <>
              <h3>Radio nodes</h3>
              {radioNodes.map(nodeRow)}
            </>
          )}
        </section>
        <section className="card">
          <h2>WANs</h2>
          {t.wans.map((w) => {
            const state = wanState(w.node, w.wan);
            const can = wanActions(state);
            return (
              <div key={`${w.node}/${w.wan}`} className="fault-row" data-state={state}>
                <span>
                  {w.node} / {w.wan} <StatePill state={state} good="up" />
                </span>
                <button
                  className="danger small"
                  disabled={!admin || !can.cut}
                  onClick={() =>
                    run({ action: 'cut-wan', node: w.node, wan: w.wan }, `cut ${w.node}/${w.wan}`)
                  }
                >
                  Cut
                </button>
                <button
                  className="small"
                  disabled={!admin || !can.restore}
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
            );
          })}
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
          {t.links.map((l) => {
            const ls = linkState(l.a, l.b);
            const can = linkActions(ls?.state);
            return (
              <div key={`${l.a}|${l.b}`} className="fault-row" data-state={ls?.state}>
                <span>
                  {l.a} — {l.b}{' '}
                  {ls?.state === 'degraded' ? (
                    <span className="pill warn">loss {Math.round(ls.loss * 100)}%</span>
                  ) : (
                    <StatePill state={ls?.state} good="normal" />
                  )}
                </span>
                <button
                  className="danger small"
                  disabled={!admin || !can.degrade}
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
                  disabled={!admin || !can.restore}
                  onClick={() =>
                    run({ action: 'restore-link', a: l.a, b: l.b }, `restore ${l.a}—${l.b}`)
                  }
                >
                  Restore
                </button>
              </div>
            );
          })}
        </section>
      </div>
    </div>
  );
}

function StatePill({ state, good }: { state: string | undefined; good: string }) {
  if (!state) return null;
  return <span className={`pill ${state === good ? 'good' : 'bad'}`}>{state}</span>;
}
