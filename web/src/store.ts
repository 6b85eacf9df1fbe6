// Application state (signals) and the actions that change it.

import { computed, signal } from '@preact/signals';
import { ApiError, api, setCsrfToken } from './api/client';
import { LANG_STORAGE_KEY, detectLang, translate, type Lang, type MessageKey, type Params } from './i18n';
import { LiveSocket } from './liveSocket';
import { wsUrl } from './seq';
import { isChannelList, sortChannels, withChannel } from './channels';
import { parsePhoneLineChanged } from './phone';
import { applyPatch, parseSettings, type NotificationSettings, type NotificationSettingsPatch } from './alerts';
import type { ChannelChangedData, PhoneLineChangedData, StateChangedData } from './events';
import type { Channel, ChannelSetting, CompanySettings, Me, OperatorState, PauseType, TeamMember } from './types';

// ---- language -------------------------------------------------------------------------------

function readStoredLang(): string | null {
  try {
    return window.localStorage.getItem(LANG_STORAGE_KEY);
  } catch {
    return null;
  }
}

export const lang = signal<Lang>(detectLang(navigator.language, readStoredLang()));
document.documentElement.lang = lang.value;

export function setLang(next: Lang): void {
  lang.value = next;
  document.documentElement.lang = next;
  try {
    window.localStorage.setItem(LANG_STORAGE_KEY, next);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
}

/** Translate in the current language (reading `lang` subscribes the calling component). */
export function t(key: MessageKey, params?: Params): string {
  return translate(lang.value, key, params);
}

// ---- routing --------------------------------------------------------------------------------

export type Route = '/' | '/login' | '/profile' | '/admin';

function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/login' || path === '/profile' || path === '/admin') return path;
  return '/';
}

export const route = signal<Route>(parseRoute(window.location.pathname));

export function navigate(to: Route, replace = false): void {
  if (window.location.pathname !== to) {
    if (replace) window.history.replaceState(null, '', to);
    else window.history.pushState(null, '', to);
  }
  route.value = to;
}

window.addEventListener('popstate', () => {
  route.value = parseRoute(window.location.pathname);
});

// ---- session --------------------------------------------------------------------------------

export const me = signal<Me | null>(null);
export const booted = signal(false);
export const bootError = signal<string | null>(null);
export const pauseTypes = signal<PauseType[]>([]);
export const team = signal<TeamMember[]>([]);
export const socketUp = signal(false);
export const socketEverUp = signal(false);
/** Bumped whenever my own state changes (the profile page reloads its numbers). */
export const myStateVersion = signal(0);

export const isSupervisor = computed(() => {
  const role = me.value?.user.role;
  return role === 'supervisor' || role === 'admin';
});
export const isAdmin = computed(() => me.value?.user.role === 'admin');

/** Other modules (the conversations) hook into sign-in, sign-out and the live stream here. */
export interface LiveListener {
  onSignedIn(current: Me): void;
  onSignedOut(): void;
  /** A fresh stream (or a resume that cannot replay): reload snapshots. */
  onFresh(): void;
  onEvent(event: string, data: unknown): void;
}
const listeners: LiveListener[] = [];
export function addLiveListener(listener: LiveListener): void {
  listeners.push(listener);
}

const live = new LiveSocket({
  url: (lastSeq) => wsUrl(window.location, lastSeq),
  onHello: (_frame, fresh) => {
    if (!fresh) return;
    void refreshSnapshot();
    for (const l of listeners) l.onFresh();
  },
  onEvent: (event, data) => {
    eventsApplied += 1;
    if (event === 'operator.state_changed' && isStateChanged(data)) applyStateChanged(data);
    if (event === 'operator.channel_changed' && isChannelChanged(data)) applyChannelChanged(data);
    if (event === 'me.notification_settings_changed') applyNotificationSettingsEvent(data);
    if (event === 'operator.phone_line_changed') {
      const changed = parsePhoneLineChanged(data);
      if (changed) applyPhoneLineChanged(changed);
    }
    for (const l of listeners) l.onEvent(event, data);
  },
  onConnectionChange: (up) => {
    socketUp.value = up;
    if (up) socketEverUp.value = true;
  },
  onLoggedOut: () => signedOut(),
  onFailure: (failures) => {
    // A socket that keeps failing may mean the session ended: check, and show the login page if so.
    if (failures === 3 || failures % 10 === 0) void checkSession();
  },
});

function isStateChanged(data: unknown): data is StateChangedData {
  if (typeof data !== 'object' || data === null) return false;
  const d = data as Record<string, unknown>;
  const state = d['state'] as Record<string, unknown> | null | undefined;
  return typeof d['operator_id'] === 'string' && typeof state === 'object' && state !== null && typeof state['presence'] === 'string';
}

function isChannelChanged(data: unknown): data is ChannelChangedData {
  if (typeof data !== 'object' || data === null) return false;
  const d = data as Record<string, unknown>;
  return typeof d['operator_id'] === 'string' && isChannelList(d['channels']);
}

// ---- notification settings (issue 5) -----------------------------------------------------------

/** My alert settings; the defaults until the server says otherwise. */
export const notificationSettings = computed<NotificationSettings>(() => parseSettings(me.value?.notification_settings));

function setNotificationSettings(next: NotificationSettings): void {
  const current = me.value;
  if (current) me.value = { ...current, notification_settings: next };
}

function applyNotificationSettingsEvent(data: unknown): void {
  if (typeof data !== 'object' || data === null) return;
  const raw = (data as Record<string, unknown>)['notification_settings'];
  if (typeof raw === 'object' && raw !== null) setNotificationSettings(parseSettings(raw));
}

/** Saves a partial change (shown at once); resolves to null, or the error after undoing it. */
export async function updateNotificationSettings(patch: NotificationSettingsPatch): Promise<ApiError | null> {
  const before = notificationSettings.value;
  setNotificationSettings(applyPatch(before, patch));
  try {
    setNotificationSettings(parseSettings(await api.updateNotificationSettings(patch)));
    return null;
  } catch (err) {
    setNotificationSettings(before);
    return err instanceof ApiError ? err : new ApiError(0, 'unknown', String(err));
  }
}

// ---- channels and company settings ----------------------------------------------------------

export const myChannels = computed<ChannelSetting[]>(() => sortChannels(me.value?.channels ?? []));
export const companySettings = signal<CompanySettings | null>(null);

export async function loadCompanySettings(): Promise<void> {
  try {
    companySettings.value = await api.companySettings();
  } catch {
    // Keep what we had; the switches stay usable and the server still decides.
  }
}

// The company setting has no live event: re-read it when the operator comes back to the tab.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && me.value) void loadCompanySettings();
});

export function applyChannelChanged(data: ChannelChangedData): void {
  const current = me.value;
  if (current && data.operator_id === current.user.id) {
    me.value = { ...current, channels: sortChannels(data.channels) };
  }
  if (team.value.some((m) => m.id === data.operator_id)) {
    team.value = team.value.map((m) => (m.id === data.operator_id ? { ...m, channels: sortChannels(data.channels) } : m));
  }
}

/** Switches one of my channels; resolves to null, or the error (its code tells why). */
export async function toggleMyChannel(channel: Channel, enabled: boolean): Promise<ApiError | null> {
  const current = me.value;
  if (!current) return null;
  try {
    const updated = await api.setChannel(current.user.id, channel, enabled);
    const now = me.value;
    if (now) me.value = { ...now, channels: withChannel(sortChannels(now.channels ?? []), updated) };
    return null;
  } catch (err) {
    if (err instanceof ApiError && err.code === 'channel_toggle_forbidden') {
      const s = companySettings.value;
      if (s) companySettings.value = { ...s, operators_may_toggle_channels: false };
    }
    return err instanceof ApiError ? err : new ApiError(0, 'unknown', String(err));
  }
}

// ---- the phone line (issue 6) ------------------------------------------------------------------

/** My phone line; null without the phone channel (then no handset is shown). */
export const myPhoneLine = computed(() => me.value?.phone_line ?? null);

export function applyPhoneLineChanged(data: PhoneLineChangedData): void {
  const current = me.value;
  if (current && data.operator_id === current.user.id) me.value = { ...current, phone_line: data.phone_line };
  if (team.value.some((m) => m.id === data.operator_id)) {
    team.value = team.value.map((m) => (m.id === data.operator_id ? { ...m, phone_line: data.phone_line } : m));
  }
}

function newer(a: OperatorState, b: OperatorState): boolean {
  // true when a is at least as recent as b
  const ta = Date.parse(a.since);
  const tb = Date.parse(b.since);
  return Number.isNaN(ta) || Number.isNaN(tb) || ta >= tb;
}

export function applyStateChanged(data: StateChangedData): void {
  const current = me.value;
  if (current && data.operator_id === current.user.id) {
    me.value = { ...current, state: data.state };
    myStateVersion.value += 1;
  }
  if (isSupervisor.value) {
    const list = team.value;
    if (list.some((m) => m.id === data.operator_id)) {
      team.value = list.map((m) => (m.id === data.operator_id ? { ...m, state: data.state } : m));
    } else {
      void loadTeam();
    }
  }
}

function applyOwnState(state: OperatorState): void {
  const current = me.value;
  if (!current || state.operator_id !== current.user.id) return;
  if (!newer(state, current.state)) return;
  applyStateChanged({ operator_id: current.user.id, name: current.user.name, state });
}

async function loadPauseTypes(): Promise<void> {
  const page = await api.pauseTypes();
  pauseTypes.value = [...page.items].sort((a, b) => a.name.localeCompare(b.name, lang.value));
}

export async function loadTeam(): Promise<void> {
  if (!isSupervisor.value) return;
  const page = await api.operators();
  team.value = [...page.items].sort((a, b) => a.name.localeCompare(b.name, 'cs'));
}

/** Counts live events applied, so a snapshot older than one of them is not kept. */
let eventsApplied = 0;

async function refreshSnapshot(): Promise<void> {
  try {
    // An event that arrives while /me is on its way is newer than the answer:
    // fetch again rather than overwrite it with the older snapshot.
    let before = eventsApplied;
    let fresh = await api.me();
    for (let attempt = 0; attempt < 2 && eventsApplied !== before; attempt += 1) {
      before = eventsApplied;
      fresh = await api.me();
    }
    setCsrfToken(fresh.csrf_token);
    me.value = fresh;
    myStateVersion.value += 1;
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

async function signedIn(current: Me): Promise<void> {
  setCsrfToken(current.csrf_token);
  me.value = current;
  await Promise.all([loadPauseTypes(), loadTeam(), loadCompanySettings()]).catch(() => undefined);
  for (const l of listeners) l.onSignedIn(current);
  live.start();
}

function signedOut(): void {
  live.stop();
  setCsrfToken(null);
  me.value = null;
  for (const l of listeners) l.onSignedOut();
  team.value = [];
  companySettings.value = null;
  pauseTypes.value = [];
  socketEverUp.value = false;
  if (route.value !== '/login') navigate('/login', true);
}

export async function boot(): Promise<void> {
  try {
    const current = await api.me();
    await signedIn(current);
    if (route.value === '/login') navigate('/', true);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      if (route.value !== '/login') navigate('/login', true);
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

export async function changeMyStatus(status: 'online' | 'away', pauseTypeId: string | null): Promise<void> {
  const current = me.value;
  if (!current) return;
  const state = await api.setState(current.user.id, status, pauseTypeId);
  applyOwnState(state);
}

export async function reloadPauseTypes(): Promise<void> {
  await loadPauseTypes();
}
