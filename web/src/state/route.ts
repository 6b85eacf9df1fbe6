// Which page is shown: the path, kept in the browser's history. boot() reads the address and
// follows the back and forward buttons.

import { signal } from '@preact/signals';

/** The administration's sections: the company (settings, pause types), users, groups, e-mail inboxes, integrations (API keys, webhooks), the widget. */
export const ADMIN_ROUTES = ['/admin', '/admin/users', '/admin/groups', '/admin/inboxes', '/admin/canned', '/admin/integrations', '/admin/widget'] as const;
export type AdminRoute = (typeof ADMIN_ROUTES)[number];
export type Route = '/' | '/login' | '/profile' | '/wallboard' | '/reports' | '/set-password' | AdminRoute;

export function isAdminRoute(route: Route): route is AdminRoute {
  return route.startsWith('/admin');
}

export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/login' || path === '/profile' || path === '/wallboard' || path === '/reports' || path === '/set-password') return path;
  const admin = ADMIN_ROUTES.find((r) => r === path);
  return admin ?? '/';
}

/** The conversation open in the workspace, as the address names it: `/c/<session id>`. */
export function conversationInPath(pathname: string): string | null {
  const m = /^\/c\/([A-Za-z0-9_-]{1,64})\/?$/.exec(pathname);
  return m?.[1] ?? null;
}

/** The workspace until boot() reads the address. */
export const route = signal<Route>('/');
/** The conversation the address names (the workspace opens it once it is loaded). */
export const conversationInUrl = signal<string | null>(null);

export function navigate(to: Route, replace = false): void {
  if (window.location.pathname !== to) {
    if (replace) window.history.replaceState(null, '', to);
    else window.history.pushState(null, '', to);
  }
  route.value = to;
  conversationInUrl.value = null;
}

/**
 * Puts the open conversation (or none) in the address, so a reload reopens it and Back closes it.
 * Only on the workspace.
 */
export function showConversationInUrl(sessionId: string | null): void {
  if (route.value !== '/') return;
  const to = sessionId ? `/c/${sessionId}` : '/';
  conversationInUrl.value = sessionId;
  if (window.location.pathname !== to) window.history.pushState(null, '', to);
}

/** At boot: the page in the address bar, and the back and forward buttons from then on. */
export function watchRoute(): void {
  const read = () => {
    route.value = parseRoute(window.location.pathname);
    conversationInUrl.value = conversationInPath(window.location.pathname);
  };
  read();
  window.addEventListener('popstate', read);
}
