import { useState } from 'preact/hooks';
import { ApiError } from './api';
import { t, type TextKey } from './i18n';
import { signInWithPassword } from './session';

/** A refused sign-in in plain words: wrong credentials, throttled (with the wait), membership system down. */
function signInProblem(err: unknown): string {
  if (!(err instanceof ApiError)) return t('serverError');
  switch (err.status) {
    case 0:
      return t('offline');
    case 400:
      return t('fillBoth');
    case 401:
      return t('wrongCredentials');
    case 429:
      return t('throttled', { minutes: Math.max(1, Math.ceil((err.retryAfterSeconds ?? 900) / 60)) });
    case 503:
      return t('checkUnavailable');
    default:
      return t('serverError');
  }
}

export function SignIn({ notice }: { notice: TextKey | null }) {
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    if (!login.trim() || !password) return setProblem(t('fillBoth'));
    setBusy(true);
    setProblem(null);
    try {
      await signInWithPassword(login.trim(), password);
    } catch (err) {
      setProblem(signInProblem(err));
      setBusy(false);
    }
  }

  return (
    <main class="page sign-in">
      <h1>{t('signInTitle')}</h1>
      {notice && <p class="notice">{t(notice)}</p>}
      <form onSubmit={submit} noValidate>
        <label>
          {t('login')}
          <input name="login" autocomplete="username" inputMode="email" value={login} onInput={(e) => setLogin(e.currentTarget.value)} />
        </label>
        <label>
          {t('password')}
          <input name="password" type="password" autocomplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        <p class="hint">{t('signInHint')}</p>
        {problem && (
          <p class="problem" role="alert">
            {problem}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {t('signIn')}
        </button>
      </form>
    </main>
  );
}
