import { t } from '../state/lang';
import { socketEverUp, socketUp } from '../state/live';
import { isAdmin, isSupervisor } from '../state/me';
import { isAdminRoute, navigate, route, type Route } from '../state/route';
import { EmailButton } from './EmailButton';
import { PhoneButton } from './PhoneButton';
import { ProfileMenu } from './ProfileMenu';

export function Logo() {
  return (
    <svg class="logo-mark" viewBox="0 0 32 32" aria-hidden="true">
      <rect width="32" height="32" rx="9" fill="currentColor" />
      <path d="M9 10h14a3 3 0 0 1 3 3v6a3 3 0 0 1-3 3h-7l-5 4v-4H9a3 3 0 0 1-3-3v-6a3 3 0 0 1 3-3z" fill="#fff" />
    </svg>
  );
}

export function Header() {
  const current = route.value;
  return (
    <header class="topbar">
      <a
        class="brand"
        href="/"
        onClick={(ev) => {
          ev.preventDefault();
          navigate('/');
        }}
      >
        <Logo />
        <span class="brand-name">{t('app.name')}</span>
      </a>
      {isSupervisor.value && (
        <nav class="topnav" aria-label={t('header.nav')}>
          <NavLink to="/" label={t('header.workspace')} active={current === '/'} />
          <NavLink to="/wallboard" label={t('header.wallboard')} active={current === '/wallboard'} />
          <NavLink to="/reports" label={t('header.reports')} active={current === '/reports'} />
          {isAdmin.value && <NavLink to="/admin" label={t('header.admin')} active={isAdminRoute(current)} />}
        </nav>
      )}
      <div class="topbar-right">
        {socketEverUp.value && !socketUp.value && (
          <span class="reconnecting" role="status">
            <span class="spinner" aria-hidden="true" />
            {t('header.reconnecting')}
          </span>
        )}
        <EmailButton />
        <PhoneButton />
        <ProfileMenu />
      </div>
    </header>
  );
}

export function NavLink({ to, label, active }: { to: Route; label: string; active: boolean }) {
  return (
    <a
      href={to}
      class={`topnav-link${active ? ' is-active' : ''}`}
      aria-current={active ? 'page' : undefined}
      onClick={(ev) => {
        ev.preventDefault();
        navigate(to);
      }}
    >
      {label}
    </a>
  );
}
