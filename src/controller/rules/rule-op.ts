/**
 * What a time-based alert rule asks of the alert store: open an alert (naming the nodes whose
 * failure would explain it, so notifications can file it under that root cause) or close one.
 */
import type { AlertOpen } from '../store/alert-repo.ts';

export type RuleOp =
  | {
      op: 'open';
      alert: AlertOpen;
      /** Nodes whose own failure would explain this alert (the ends of a link, the gateways a client moved between). */
      related: readonly string[];
    }
  | { op: 'close'; key: string };
