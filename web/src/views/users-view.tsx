/**
 * Dashboard users (admins only): who may log in and with which role, a form to add one, and per
 * user a new password, a role change or removal. Every change lands on the timeline; a new
 * password or a removal ends that user's sessions at once.
 */
import { useState, type FormEvent } from 'react';
import type { Role, UserListing } from '../api/types.ts';
import { isAdmin, useApp } from '../app-context.ts';
import { useResource } from '../use-resource.ts';

const ROLES: Role[] = ['viewer', 'operator', 'admin'];

export function UsersView() {
  const { api, session } = useApp();
  const users = useResource<UserListing[]>(
    isAdmin(session) ? '/api/users' : null,
    (c) => c.type === 'event' && c.event.kind.startsWith('user-'),
  );
  const [message, setMessage] = useState<string | null>(null);
  const [draft, setDraft] = useState({ username: '', role: 'viewer' as Role, password: '' });

  if (!isAdmin(session)) return <div className="error">Only admins manage users.</div>;

  const act = (what: string, run: () => Promise<unknown>) => {
    setMessage(null);
    run().then(
      () => {
        setMessage(`${what}: done`);
        users.reload();
      },
      (e: Error) => setMessage(`${what}: ${e.message}`),
    );
  };
  const add = (e: FormEvent) => {
    e.preventDefault();
    act(`add ${draft.username}`, async () => {
      await api.post('/api/users', draft);
      setDraft({ username: '', role: 'viewer', password: '' });
    });
  };
  const path = (name: string) => `/api/users/${encodeURIComponent(name)}`;

  return (
    <div>
      <div className="page-head">
        <h1>Users</h1>
        <span className="muted">
          Viewers read; operators also acknowledge, push, upgrade and inject faults; admins also
          manage users.
        </span>
      </div>
      {message && (
        <div className="muted" data-testid="users-message">
          {message}
        </div>
      )}
      <section className="card">
        {users.error && <div className="error">{users.error.message}</div>}
        <table className="table" data-testid="users-table">
          <thead>
            <tr>
              <th>User</th>
              <th>Role</th>
              <th>Since</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(users.data ?? []).map((u) => (
              <tr key={u.username} data-user={u.username}>
                <td>{u.username}</td>
                <td>
                  <select
                    aria-label={`role of ${u.username}`}
                    value={u.role}
                    onChange={(e) =>
                      act(`role of ${u.username}`, () =>
                        api.put(`${path(u.username)}/role`, { role: e.target.value }),
                      )
                    }
                  >
                    {ROLES.map((r) => (
                      <option key={r}>{r}</option>
                    ))}
                  </select>
                </td>
                <td>{new Date(u.created_at).toLocaleString()}</td>
                <td>
                  <button
                    className="ghost"
                    onClick={() => {
                      const password = prompt(`New password for ${u.username}`);
                      if (password)
                        act(`password of ${u.username}`, () =>
                          api.put(`${path(u.username)}/password`, { password }),
                        );
                    }}
                  >
                    Set password
                  </button>{' '}
                  <button
                    className="ghost"
                    disabled={u.username === session.username}
                    onClick={() => {
                      if (confirm(`Remove ${u.username}?`))
                        act(`remove ${u.username}`, () => api.delete(path(u.username)));
                    }}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="card">
        <h2>Add a user</h2>
        <form onSubmit={add} data-testid="add-user">
          <input
            name="new-username"
            placeholder="username"
            value={draft.username}
            onChange={(e) => setDraft({ ...draft, username: e.target.value })}
          />{' '}
          <select
            name="new-role"
            value={draft.role}
            onChange={(e) => setDraft({ ...draft, role: e.target.value as Role })}
          >
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>{' '}
          <input
            name="new-password"
            type="password"
            placeholder="password (8 characters or more)"
            value={draft.password}
            onChange={(e) => setDraft({ ...draft, password: e.target.value })}
          />{' '}
          <button type="submit">Add</button>
        </form>
      </section>
    </div>
  );
}
