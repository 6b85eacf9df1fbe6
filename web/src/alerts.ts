// Pure model of the operator's alerts: the settings (parsed with defaults), the decision "alert or
// not" for one event in one tab, the cross-tab de-duplication ledger, and the title/favicon count.
// No DOM here: the browser glue lives in notify.ts, sound.ts and tabLeader.ts.

import type { AlertWhen, EventAlert, NotificationSettings as NotificationSettingsJson, Tone } from './types';

export type AlertEvent = 'new_client' | 'new_message';
export const ALERT_EVENTS: readonly AlertEvent[] = ['new_client', 'new_message'];
export type { AlertWhen, Tone };
export const TONES: readonly Tone[] = ['chime', 'bell', 'pop'];

/** One event's settings: sound, tone, volume (0–100), browser notification. */
export type EventSettings = EventAlert;
/** My alert settings, as `/me` and `PATCH /api/v1/me/notification-settings` give them. */
export type NotificationSettings = NotificationSettingsJson;

/** A partial change, as `PATCH /api/v1/me/notification-settings` takes it. */
export interface NotificationSettingsPatch {
  when?: AlertWhen;
  new_client?: Partial<EventSettings>;
  new_message?: Partial<EventSettings>;
}

export const DEFAULT_SETTINGS: NotificationSettings = {
  when: 'inactive',
  new_client: { sound: true, tone: 'chime', volume: 70, browser: true },
  new_message: { sound: true, tone: 'pop', volume: 70, browser: true },
};

export function isTone(value: unknown): value is Tone {
  return value === 'chime' || value === 'bell' || value === 'pop';
}

function parseEvent(raw: unknown, fallback: EventSettings): EventSettings {
  if (typeof raw !== 'object' || raw === null) return { ...fallback };
  const r = raw as Record<string, unknown>;
  const volume = r['volume'];
  return {
    sound: typeof r['sound'] === 'boolean' ? r['sound'] : fallback.sound,
    tone: isTone(r['tone']) ? r['tone'] : fallback.tone,
    volume: typeof volume === 'number' && Number.isFinite(volume) ? clampVolume(volume) : fallback.volume,
    browser: typeof r['browser'] === 'boolean' ? r['browser'] : fallback.browser,
  };
}

/** Reads settings from the server (or anything else); missing or invalid parts take the defaults. */
export function parseSettings(raw: unknown): NotificationSettings {
  if (typeof raw !== 'object' || raw === null) return structuredCopy(DEFAULT_SETTINGS);
  const r = raw as Record<string, unknown>;
  return {
    when: r['when'] === 'always' || r['when'] === 'inactive' ? r['when'] : DEFAULT_SETTINGS.when,
    new_client: parseEvent(r['new_client'], DEFAULT_SETTINGS.new_client),
    new_message: parseEvent(r['new_message'], DEFAULT_SETTINGS.new_message),
  };
}

/** Applies a partial change locally (the optimistic view until the server answers). */
export function applyPatch(settings: NotificationSettings, patch: NotificationSettingsPatch): NotificationSettings {
  return {
    when: patch.when ?? settings.when,
    new_client: { ...settings.new_client, ...(patch.new_client ?? {}) },
    new_message: { ...settings.new_message, ...(patch.new_message ?? {}) },
  };
}

export function clampVolume(v: number): number {
  if (!Number.isFinite(v)) return 0;
  return Math.min(100, Math.max(0, Math.round(v)));
}

/** Gain (0–0.6) for a volume 0–100: perceptually even steps, never painfully loud. */
export function gainFor(volume: number): number {
  const v = clampVolume(volume) / 100;
  return 0.6 * v * v;
}

function structuredCopy(s: NotificationSettings): NotificationSettings {
  return { when: s.when, new_client: { ...s.new_client }, new_message: { ...s.new_message } };
}

// ---- the decision ---------------------------------------------------------------------------------

/** "Active" = the document is visible AND the window has focus (headless browsers keep `visible`). */
export function isWindowActive(state: { hidden: boolean; hasFocus: boolean }): boolean {
  return !state.hidden && state.hasFocus;
}

export interface AlertInput {
  event: AlertEvent;
  settings: NotificationSettings;
  /** This tab's document is visible and its window focused. */
  windowActive: boolean;
  /**
   * Another workspace tab of the same operator is active (in front and focused). The focused tab is
   * normally the leader itself; this covers the moment before leadership moved.
   */
  otherTabActive?: boolean;
  /** This tab is the one (of the operator's tabs in this browser) that alerts. */
  isLeaderTab: boolean;
  /** This event (its key) already alerted, in this tab or another. */
  alreadyAlerted?: boolean;
  /** The browser's notification permission. */
  permission: NotificationPermission | 'unsupported';
  /** For a new message: the operator is looking at exactly that conversation in this active tab. */
  conversationOpen?: boolean;
}

export interface AlertDecision {
  sound: boolean;
  notification: boolean;
}

const NONE: AlertDecision = { sound: false, notification: false };

/** Alert or not: one event, one tab. Pure. */
export function shouldAlert(input: AlertInput): AlertDecision {
  if (!input.isLeaderTab || input.alreadyAlerted) return NONE;
  const s = input.settings;
  const workspaceActive = input.windowActive || input.otherTabActive === true;
  if (s.when === 'inactive' && workspaceActive) return NONE;
  // Even with "always": the message the operator is reading right now needs no alert.
  if (input.event === 'new_message' && input.conversationOpen && input.windowActive) return NONE;
  const e = s[input.event];
  return {
    sound: e.sound && e.volume > 0,
    notification: e.browser && input.permission === 'granted',
  };
}

/** A stable key per event: one alert per queue client, one per client message. */
export function eventKey(event: AlertEvent, sessionId: string, seq?: number): string {
  return event === 'new_client' ? `client:${sessionId}` : `message:${sessionId}:${seq ?? 0}`;
}

// ---- the ledger of alerted keys (shared by the tabs through localStorage) -----------------------

/** key → when it alerted (ms). */
export type Ledger = Record<string, number>;
export const LEDGER_TTL_MS = 10 * 60_000;
const LEDGER_MAX = 500;

export function parseLedger(raw: string | null): Ledger {
  if (!raw) return {};
  try {
    const v: unknown = JSON.parse(raw);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return {};
    const out: Ledger = {};
    for (const [k, t] of Object.entries(v as Record<string, unknown>)) if (typeof t === 'number') out[k] = t;
    return out;
  } catch {
    return {};
  }
}

/** Drops entries older than the TTL and keeps at most the newest LEDGER_MAX. */
export function pruneLedger(ledger: Ledger, now: number): Ledger {
  const entries = Object.entries(ledger)
    .filter(([, t]) => now - t < LEDGER_TTL_MS)
    .sort((a, b) => b[1] - a[1])
    .slice(0, LEDGER_MAX);
  return Object.fromEntries(entries);
}

/** Claims a key: `claimed` is false when it was already there (someone alerted for it). */
export function claimKey(ledger: Ledger, key: string, now: number): { claimed: boolean; ledger: Ledger } {
  const pruned = pruneLedger(ledger, now);
  if (key in pruned) return { claimed: false, ledger: pruned };
  return { claimed: true, ledger: { ...pruned, [key]: now } };
}

// ---- leadership without Web Locks: a lease in localStorage -------------------------------------

export interface Lease {
  tab: string;
  /** Last heartbeat (ms). */
  at: number;
}
export const LEASE_STALE_MS = 15_000;

export function parseLease(raw: string | null): Lease | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as Record<string, unknown>;
    return typeof v['tab'] === 'string' && typeof v['at'] === 'number' ? { tab: v['tab'], at: v['at'] } : null;
  } catch {
    return null;
  }
}

/**
 * Whether `tab` should hold the lease now: it already does, nobody does, the holder went silent,
 * or `tab` has just been focused (the tab in front takes over).
 */
export function shouldTakeLease(lease: Lease | null, tab: string, now: number, focused: boolean): boolean {
  if (focused) return true;
  if (!lease) return true;
  if (lease.tab === tab) return true;
  return now - lease.at > LEASE_STALE_MS;
}

// ---- title and favicon --------------------------------------------------------------------------

/** "(3) Hovor"; just "Hovor" with nothing unread. */
export function titleWithCount(base: string, count: number): string {
  return count > 0 ? `(${count}) ${base}` : base;
}

/** The favicon badge text: "1"…"9", then "9+". */
export function badgeText(count: number): string {
  if (count <= 0) return '';
  return count > 9 ? '9+' : String(count);
}

/** Notification body for a message: the text on one line, shortened. */
export function messagePreview(text: string, max = 140): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
