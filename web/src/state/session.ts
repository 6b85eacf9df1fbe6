// The signed-in session: logging in and out, the check at boot, and keeping the /me snapshot (with
// the team, pause types and company settings) current from REST and the operator's live events.

import { signal } from '@preact/signals';
import { ApiError, api, setCsrfToken } from '../api/client';
import type { MessageKey } from '../i18n';
import type { Me } from '../types';
import { applyChannelChanged, channelsChangedBy, companySettings, loadCompanySettings } from './channels';
import { liveEventCount, startLive, stopLive, tellSignedIn, tellSignedOut, type LiveListener } from './live';
import { me, myStateVersion } from './me';
import { applyNotificationSettingsEvent } from './notificationSettings';
import { applyAfterChatChanged } from './afterChat';
import { applyPhoneLineChanged } from './phoneLine';
import { navigate, route } from './route';
import { applyStateChanged, clearTeam, loadPauseTypes, loadTeam } from './team';
import { clearAdmin } from './admin';

/** False until the check at boot has answered (a splash until then). */
export const booted = signal(false);
/** Why the check at boot failed, other than "not signed in". */
export const bootError = signal<string | null>(null);

/** The first live listener (boot() adds it before the others): snapshots and operator events. */
export const sessionListener: LiveListener = {
  onFresh(meIsCurrent) {
    if (snapshotFallback !== null) {
      clearTimeout(snapshotFallback);
      snapshotFallback = null;
    }
    if (meIsCurrent) void loadRestOfSnapshot();
    else void refreshSnapshot();
  },
  onSettingsChanged() {
    // An admin saved the company's settings or pause types: the channel switches and the status
    // menu follow at once.
    void loadCompanySettings();
    void loadPauseTypes();
  },
  onEvent(event) {
    switch (event.event) {
      case 'operator.state_changed':
        applyStateChanged(event.data);
        break;
      case 'operator.channel_changed':
        applyChannelChanged(event.data);
        break;
      case 'operator.phone_line_changed':
        applyPhoneLineChanged(event.data);
        break;
      case 'operator.after_chat_changed':
        applyAfterChatChanged(event.data);
        break;
      case 'me.notification_settings_changed':
        applyNotificationSettingsEvent(event.data);
        break;
      default:
        // Sessions and messages: the conversations' listener (state/conversations.ts).
        break;
    }
  },
};

async function refreshSnapshot(): Promise<void> {
  try {
    // An event that arrives while /me is on its way is newer than the answer:
    // fetch again rather than overwrite it with the older snapshot.
    let before = liveEventCount();
    let fresh = await api.me();
    for (let attempt = 0; attempt < 2 && liveEventCount() !== before; attempt += 1) {
      before = liveEventCount();
      fresh = await api.me();
    }
    setCsrfToken(fresh.csrf_token);
    me.value = fresh;
    myStateVersion.value += 1;
    await loadRestOfSnapshot();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) signedOut();
  }
}

/** What `/me` does not carry: the pause types, the team and the company's settings. */
async function loadRestOfSnapshot(): Promise<void> {
  try {
    await Promise.all([loadPauseTypes(), loadTeam(), loadCompanySettings()]);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) signedOut();
  }
}

async function checkSession(): Promise<void> {
  try {
    await api.me();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) signedOut();
  }
}

/**
 * The rest of the snapshot (pause types, team, settings) is read once the socket says hello — a
 * fresh stream reloads snapshots anyway, and reading them before would read them twice. Should the
 * socket not come up soon (a proxy that blocks WebSockets), they are read without it.
 */
const SNAPSHOT_WITHOUT_SOCKET_MS = 3000;
let snapshotFallback: ReturnType<typeof setTimeout> | null = null;

async function signedIn(current: Me): Promise<void> {
  setCsrfToken(current.csrf_token);
  me.value = current;
  if (snapshotFallback !== null) clearTimeout(snapshotFallback);
  snapshotFallback = setTimeout(() => {
    snapshotFallback = null;
    void loadRestOfSnapshot();
  }, SNAPSHOT_WITHOUT_SOCKET_MS);
  tellSignedIn(current);
  startLive(
    {
      onLoggedOut: () => signedOut(),
      onFailure: (failures) => {
        // A socket that keeps failing may mean the session ended: check, and show the login page if so.
        if (failures === 3 || failures % 10 === 0) void checkSession();
      },
    },
    current.stream_seq,
  );
}

/** Signed out: to the login page, unless on a page for people who are not signed in. */
function toLogin(): void {
  if (route.value !== '/login' && route.value !== '/set-password') navigate('/login', true);
}

function signedOut(): void {
  if (snapshotFallback !== null) {
    clearTimeout(snapshotFallback);
    snapshotFallback = null;
  }
  stopLive();
  setCsrfToken(null);
  me.value = null;
  tellSignedOut();
  clearTeam();
  clearAdmin();
  companySettings.value = null;
  channelsChangedBy.value = null;
  toLogin();
}

/** At boot: signed in already (the cookie)? Then the workspace, else the login page. */
export async function resumeSession(): Promise<void> {
  // No login in this browser (the server's readable marker): the login page, without asking /me
  // for a 401 the console would show.
  if (!document.cookie.split(';').some((c) => c.trim() === 'hovor_signed_in=1')) {
    toLogin();
    booted.value = true;
    return;
  }
  try {
    const current = await api.me();
    await signedIn(current);
    if (route.value === '/login') navigate('/', true);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      // The login session ended (expired, or logged out elsewhere): forget the marker too.
      document.cookie = 'hovor_signed_in=; Path=/; Max-Age=0; SameSite=Lax';
      toLogin();
    } else {
      bootError.value = err instanceof Error ? err.message : String(err);
    }
  } finally {
    booted.value = true;
  }
}

/** Logs in; resolves to an error message key on failure. */
export async function logIn(email: string, password: string): Promise<MessageKey | null> {
  try {
    const res = await api.login(email, password);
    setCsrfToken(res.csrf_token);
    const current = await api.me();
    await signedIn(current);
    navigate('/', true);
    return null;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return 'login.invalid';
    if (err instanceof ApiError && err.status === 429) return 'login.tooMany';
    return 'login.failed';
  }
}

export async function logOut(): Promise<void> {
  try {
    await api.logout();
  } catch {
    // Logged out locally anyway.
  }
  signedOut();
}
