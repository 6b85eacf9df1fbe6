import { useState } from 'preact/hooks';
import type { MessageKey } from '../i18n';
import { t } from '../state/lang';
import { logIn } from '../state/session';
import { Logo } from './Header';
import { LangSwitch } from './LangSwitch';

export function Login() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<MessageKey | null>(null);

  const submit = async (ev: Event) => {
    ev.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    const failure = await logIn(email.trim(), password);
    setBusy(false);
    if (failure) setError(failure);
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
        <h1 class="login-title">{t('login.title')}</h1>
        <form class="form" onSubmit={(ev) => void submit(ev)} noValidate>
          <label class="field">
            <span class="field-label">{t('login.email')}</span>
            <input
              type="email"
              name="email"
              autocomplete="username"
              required
              value={email}
              onInput={(ev) => setEmail(ev.currentTarget.value)}
            />
          </label>
          <label class="field">
            <span class="field-label">{t('login.password')}</span>
            <input
              type="password"
              name="password"
              autocomplete="current-password"
              required
              value={password}
              onInput={(ev) => setPassword(ev.currentTarget.value)}
            />
          </label>
          {error && (
            <div class="alert alert-error" role="alert">
              {t(error)}
            </div>
          )}
          <button type="submit" class="btn btn-primary btn-block" disabled={busy}>
            {busy ? t('login.submitting') : t('login.submit')}
          </button>
        </form>
        <div class="login-foot">
          <LangSwitch />
        </div>
      </div>
    </main>
  );
}
