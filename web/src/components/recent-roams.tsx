/**
 * The last few client roams the dashboard saw on the live feed, under the topology: the same
 * facts as the canvas's fading arrows, in text that stays (and that tests can read).
 *
 * @example
 * <RecentRoams roams={recent} />
 */
import { formatTime } from '../lib/format.ts';
import './clients.css';
import type { RecentRoam } from './use-client-overlay.ts';

export function RecentRoams({ roams }: { roams: readonly RecentRoam[] }) {
  if (roams.length === 0) return null;
  return (
    <div className="recent-roams muted small" data-testid="recent-roams">
      Roams just now:{' '}
      {roams.map((r, i) => (
        <span key={`${r.mac}-${r.startedAt}`} data-mac={r.mac} data-from={r.from} data-to={r.to}>
          {i > 0 && ' · '}
          {formatTime(r.seenAt)} <a href={`#/clients/${encodeURIComponent(r.mac)}`}>{r.mac}</a>{' '}
          {r.from} → {r.to}
        </span>
      ))}
    </div>
  );
}
