/**
 * The login screen: trades a username and password for a bearer token (POST /api/login).
 */
import { useState, type FormEvent } from 'react';
import { ApiClient } from '../api/client.ts';
import type { Session } from '../api/types.ts';

export function LoginView({ onLogin }: { onLogin: (s: Session) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const api = new ApiClient(
        () => undefined,
        () => undefined,
      );
      onLogin(await api.post<Session>('/api/login', { username, password }));
    } catch (err) {
      const status = (err as { status?: number }).status;
      setError(
        status === 401
          ? 'Wrong username or password.'
          : status === 429
            ? 'Too many failed attempts; wait a minute and try again.'
            : (err as Error).message,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="login-page">
      <form className="login card" onSubmit={(e) => void submit(e)}>
        <div className="brand big">
          Intelli<span>Mesh</span>
        </div>
        <p className="muted">Sign in to the mesh controller.</p>
        <label>
          Username
          <input
            name="username"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        {error && (
          <div className="error" role="alert">
            {error}
          </div>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
