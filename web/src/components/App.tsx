import { useEffect } from 'preact/hooks';
import { lang, t } from '../state/lang';
import { me } from '../state/me';
import { isAdminRoute, route } from '../state/route';
import { booted, bootError } from '../state/session';
import { Admin } from './Admin';
import { AudioHint } from './NotificationsTab';
import { Header } from './Header';
import { Login } from './Login';
import { Reports } from './Reports';
import { SetPassword } from './SetPassword';
import { Profile } from './Profile';
import { WallboardPage } from './Wallboard';
import { Workspace } from './Workspace';

export function App() {
  const l = lang.value;
  useEffect(() => {
    document.documentElement.lang = l;
  }, [l]);

  if (!booted.value) {
    return (
      <div class="splash" role="status">
        {t('common.loading')}
      </div>
    );
  }
  if (bootError.value) {
    return (
      <main class="login-page">
        <div class="card login-card">
          <div class="alert alert-error" role="alert">
            {t('common.error', { message: bootError.value })}
          </div>
          <button type="button" class="btn btn-primary" onClick={() => window.location.reload()}>
            {t('common.retry')}
          </button>
        </div>
      </main>
    );
  }
  if (route.value === '/set-password') return <SetPassword />;
  if (!me.value || route.value === '/login') return <Login />;
  return (
    <div class="shell">
      <Header />
      {route.value === '/profile' ? (
        <Profile />
      ) : isAdminRoute(route.value) ? (
        <Admin section={route.value} />
      ) : route.value === '/wallboard' ? (
        <WallboardPage />
      ) : route.value === '/reports' ? (
        <Reports />
      ) : (
        <Workspace />
      )}
      <AudioHint />
    </div>
  );
}
