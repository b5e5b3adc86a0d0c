/**
 * What an operator can do with one radio node: ping it (the RTT and the gateway that answered),
 * scan from it to a depth (the graph it found, drawn below), and send it a text (acknowledged or
 * not). Each result, or the reason it failed (a timeout is the controller's 504), shows next to
 * its button. Only operators and admins see this (the API refuses viewers too).
 *
 * @example
 * <RadioActions address={7} onScan={setScanGraph} onDone={reload} />
 */
import { useState, type FormEvent } from 'react';
import type {
  RadioGraph,
  RadioPingResult,
  RadioScanResult,
  RadioSendResult,
} from '../api/radio-types.ts';
import { MAX_SCAN_DEPTH, MAX_SEND_BYTES } from '../api/radio-types.ts';
import { useApp } from '../app-context.ts';
import './radio.css';

type Outcome = { ok: boolean; text: string } | 'busy' | null;

export function RadioActions(props: {
  address: number;
  onScan: (graph: RadioGraph) => void;
  onDone: () => void;
}) {
  const { api } = useApp();
  const [ping, setPing] = useState<Outcome>(null);
  const [scan, setScan] = useState<Outcome>(null);
  const [send, setSend] = useState<Outcome>(null);
  const [depth, setDepth] = useState(2);
  const [text, setText] = useState('');
  const base = `/api/radio/nodes/${props.address}`;

  const run = <T,>(
    set: (o: Outcome) => void,
    request: () => Promise<T>,
    describe: (r: T) => { ok: boolean; text: string },
  ) => {
    set('busy');
    request().then(
      (r) => {
        set(describe(r));
        props.onDone();
      },
      (e: Error) => set({ ok: false, text: e.message }),
    );
  };

  const onPing = () =>
    run(
      setPing,
      () => api.post<RadioPingResult>(`${base}/ping`),
      (r) => ({
        ok: true,
        text: `${r.rtt_ms == null ? 'answered' : `${Math.round(r.rtt_ms)} ms`} via ${r.gateway}`,
      }),
    );
  const onScan = (e: FormEvent) => {
    e.preventDefault();
    run(
      setScan,
      () => api.post<RadioScanResult>(`${base}/scan`, { depth }),
      (r) => {
        props.onScan(r.graph);
        return { ok: true, text: `${r.graph.nodes.length} nodes, ${r.graph.links.length} links` };
      },
    );
  };
  const onSend = (e: FormEvent) => {
    e.preventDefault();
    run(
      setSend,
      () => api.post<RadioSendResult>(`${base}/send`, { text }),
      (r) => ({ ok: r.ok && r.acked, text: r.acked ? 'acknowledged' : 'sent, not acknowledged' }),
    );
  };

  return (
    <section className="card radio-actions" data-testid="radio-actions">
      <h2>Actions</h2>
      <div className="radio-action">
        <button type="button" className="primary" onClick={onPing} disabled={ping === 'busy'}>
          Ping
        </button>
        <Result testid="ping-result" outcome={ping} />
      </div>
      <form className="radio-action" onSubmit={onScan}>
        <label className="toggle">
          Depth
          <input
            type="number"
            name="depth"
            min={1}
            max={MAX_SCAN_DEPTH}
            value={depth}
            onChange={(e) =>
              setDepth(Math.min(MAX_SCAN_DEPTH, Math.max(1, Number(e.target.value) || 1)))
            }
          />
        </label>
        <button type="submit" disabled={scan === 'busy'}>
          Scan
        </button>
        <Result testid="scan-result" outcome={scan} />
      </form>
      <form className="radio-action" onSubmit={onSend}>
        <input
          type="text"
          name="text"
          placeholder="Message to the node"
          maxLength={MAX_SEND_BYTES}
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <button type="submit" disabled={send === 'busy' || text.length === 0}>
          Send
        </button>
        <Result testid="send-result" outcome={send} />
      </form>
    </section>
  );
}

function Result({ outcome, testid }: { outcome: Outcome; testid: string }) {
  if (outcome === null) return null;
  if (outcome === 'busy')
    return (
      <span className="muted" data-testid={testid} data-state="busy">
        …
      </span>
    );
  return (
    <span
      className={`radio-result ${outcome.ok ? 'good' : 'bad'}`}
      data-testid={testid}
      data-state={outcome.ok ? 'ok' : 'failed'}
    >
      {outcome.text}
    </span>
  );
}
