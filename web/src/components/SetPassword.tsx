// /set-password#<token>: a user follows the link an administrator gave them and chooses their own
// password; then they log in with it. The token stays in the fragment: it reaches no server log.

import { useState } from 'preact/hooks';
import { ApiError, api } from '../api/client';
import { MIN_PASSWORD } from '../admin/userDraft';
import { t } from '../state/lang';
import { navigate } from '../state/route';
import { Logo } from './Header';
import { LangSwitch } from './LangSwitch';

export function SetPassword() {
  const [token] = useState(() => window.location.hash.replace(/^#/, ''));
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (ev: Event) => {
    ev.preventDefault();
    if ([...password].length < MIN_PASSWORD) return setError(t('users.err.password'));
    if (password !== again) return setError(t('setpw.mismatch'));
    setBusy(true);
    setError(null);
    try {
      await api.setPassword(token, password);
      window.history.replaceState(null, '', '/set-password');
      setDone(true);
    } catch (err) {
      setError(err instanceof ApiError && err.code === 'link_invalid' ? t('setpw.invalid') : t('common.error', { message: err instanceof Error ? err.message : String(err) }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login-page">
      <div class="login-card card">
        <div class="login-brand">
          <Logo />
          <div>
            <div class="brand-name">{t('app.name')}</div>
            <div class="muted small">{t('app.tagline')}</div>
          </div>
        </div>
        <h1 class="login-title">{t('setpw.title')}</h1>
        {done ? (
          <>
            <p role="status">{t('setpw.done')}</p>
            <button type="button" class="btn btn-primary btn-block" onClick={() => navigate('/login', true)}>
              {t('login.submit')}
            </button>
          </>
        ) : !token ? (
          <div class="alert alert-error" role="alert">
            {t('setpw.invalid')}
          </div>
        ) : (
          <form class="form" onSubmit={(ev) => void submit(ev)} noValidate>
            <label class="field">
              <span class="field-label">{t('setpw.password')}</span>
              <input type="password" autocomplete="new-password" value={password} onInput={(ev) => setPassword(ev.currentTarget.value)} />
              <span class="field-hint">{t('setpw.hint')}</span>
            </label>
            <label class="field">
              <span class="field-label">{t('setpw.again')}</span>
              <input type="password" autocomplete="new-password" value={again} onInput={(ev) => setAgain(ev.currentTarget.value)} />
            </label>
            {error && (
              <div class="alert alert-error" role="alert">
                {error}
              </div>
            )}
            <button type="submit" class="btn btn-primary btn-block" disabled={busy}>
              {t('setpw.submit')}
            </button>
          </form>
        )}
        <div class="login-foot">
          <LangSwitch />
        </div>
      </div>
    </main>
  );
}
