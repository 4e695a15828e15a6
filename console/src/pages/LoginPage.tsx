/**
 * Log in with a username and password (POST /api/v1/login), or paste an
 * access token (the admin token under the instance home, or one from
 * `graymesh login -o token`) where password login is not offered.
 */
import { useState, type FormEvent } from 'react';
import { ApiError, describeError, get, post, setSession } from '../api/client';
import { paths } from '../api/endpoints';
import type { LoginAnswer } from '../api/types';
import { Button } from '../components/Button';
import { Logo } from '../components/Icons';
import { useRouter } from '../router/router';

function userName(u: LoginAnswer['user'] | undefined, fallback: string): string {
  if (typeof u === 'string') return u;
  return u?.username ?? u?.name ?? fallback;
}

export function LoginPage({ onLogin }: { onLogin: (token: string, user: string, next: string) => void }) {
  const { query } = useRouter();
  const next = query.get('next') ?? '';
  const [mode, setMode] = useState<'password' | 'token'>(query.get('mode') === 'token' ? 'token' : 'password');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const handlePassword = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setError('');
    setBusy(true);
    try {
      const a = await post<LoginAnswer>(paths.login, { username, password }, { anonymous: true });
      setSession(a.token, userName(a.user, username));
      onLogin(a.token, userName(a.user, username), next);
    } catch (err) {
      if (err instanceof ApiError && err.missingRoute) {
        setMode('token');
        setError('This control plane does not offer password login yet. Paste an access token instead.');
      } else if (err instanceof ApiError && err.status === 401) {
        setError('The username or password is not correct.');
      } else {
        setError(describeError(err));
      }
    } finally {
      setBusy(false);
    }
  };

  const handleToken = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setError('');
    const t = token.trim();
    if (!t) {
      setError('Paste a token first.');
      return;
    }
    setBusy(true);
    try {
      // Any authenticated read tells whether the token is good; /me names its user where accounts exist.
      await fetchWithToken(t);
      const me = await get<{ user?: LoginAnswer['user'] }>(paths.me, { token: t }).catch(() => undefined);
      const user = me?.user ? userName(me.user, 'token') : 'token';
      setSession(t, user);
      onLogin(t, user, next);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? 'This token is not valid (or has expired).' : describeError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="login">
      <div className="login-card">
        <div className="login-brand">
          <Logo />
          <span>graymesh</span>
        </div>
        <h1>Log in to the console</h1>
        {mode === 'password' ? (
          <form onSubmit={handlePassword} className="form">
            <label className="field">
              <span>Username</span>
              <input autoFocus autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} data-testid="login-username" required />
            </label>
            <label className="field">
              <span>Password</span>
              <input type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} data-testid="login-password" required />
            </label>
            {error ? (
              <p className="form-error" role="alert" data-testid="login-error">
                {error}
              </p>
            ) : null}
            <Button variant="primary" type="submit" disabled={busy} data-testid="login-submit">
              {busy ? 'Logging in…' : 'Log In'}
            </Button>
          </form>
        ) : (
          <form onSubmit={handleToken} className="form">
            <label className="field">
              <span>Access token</span>
              <textarea
                autoFocus
                rows={3}
                value={token}
                onChange={(e) => setToken(e.target.value)}
                data-testid="login-token"
                placeholder="gm_…"
                spellCheck={false}
              />
            </label>
            <p className="hint">
              The admin token is in <code>admin-credentials</code> under the instance home (<code>~/.graymesh</code>), or print one with{' '}
              <code>graymesh login -o token</code>.
            </p>
            {error ? (
              <p className="form-error" role="alert" data-testid="login-error">
                {error}
              </p>
            ) : null}
            <Button variant="primary" type="submit" disabled={busy} data-testid="login-token-submit">
              {busy ? 'Checking…' : 'Use Token'}
            </Button>
          </form>
        )}
        <button
          type="button"
          className="link-button login-switch"
          onClick={() => {
            setError('');
            setMode(mode === 'password' ? 'token' : 'password');
          }}
          data-testid="login-switch"
        >
          {mode === 'password' ? 'Use an access token instead' : 'Log in with a password instead'}
        </button>
      </div>
    </div>
  );
}

async function fetchWithToken(token: string): Promise<void> {
  await get(paths.projects, { token });
}
