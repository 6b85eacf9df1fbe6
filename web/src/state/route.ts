// Which page is shown: the path, kept in the browser's history. boot() reads the address and
// follows the back and forward buttons.

import { signal } from '@preact/signals';

export type Route = '/' | '/login' | '/profile' | '/admin';

export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/login' || path === '/profile' || path === '/admin') return path;
  return '/';
}

/** The workspace until boot() reads the address. */
export const route = signal<Route>('/');

export function navigate(to: Route, replace = false): void {
  if (window.location.pathname !== to) {
    if (replace) window.history.replaceState(null, '', to);
    else window.history.pushState(null, '', to);
  }
  route.value = to;
}

/** At boot: the page in the address bar, and the back and forward buttons from then on. */
export function watchRoute(): void {
  route.value = parseRoute(window.location.pathname);
  window.addEventListener('popstate', () => {
    route.value = parseRoute(window.location.pathname);
  });
}
