/**
 * Alerts: the open ones by default, or the recent history including cleared ones.
 */
import { useState } from 'react';
import type { Alert } from '../api/types.ts';
import { AlertList } from '../components/alert-list.tsx';
import { useNow } from '../use-now.ts';
import { useResource } from '../use-resource.ts';

export function AlertsView() {
  const [all, setAll] = useState(false);
  const now = useNow();
  const alerts = useResource<Alert[]>(
    all ? '/api/alerts?state=all' : '/api/alerts',
    (c) => c.type === 'alert',
  );
  return (
    <div>
      <div className="page-head">
        <h1>Alerts</h1>
        <label className="toggle">
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} />
          include cleared
        </label>
      </div>
      <section className="card">
        {alerts.error && <div className="error">{alerts.error.message}</div>}
        {alerts.data && <AlertList alerts={alerts.data} now={now} />}
      </section>
    </div>
  );
}
