// The alerts in the browser: decides (../alerts.ts) for each new queue client and new client message,
// plays the tone (sound.ts), shows the browser notification (whose click brings the workspace to the
// front on that session), and keeps the unread count in the tab title and the favicon. Nothing
// happens until boot() calls startAlerts().

import { computed, effect, signal } from '@preact/signals';
import { badgeText, eventKey, messagePreview, shouldAlert, titleWithCount, type AlertEvent } from '../alerts';
import { CHANNEL_LABEL } from '../channels';
import { armAudio, playTone } from '../sound';
import { TabLeader } from '../tabLeader';
import type { Conversation } from '../conversations';
import type { Message, Session } from '../types';
import { conversations, queueItems, select, selectedId, setAlertSink, totalUnread, type AlertSink } from './conversations';
import { t } from './lang';
import { addLiveListener } from './live';
import { me } from './me';
import { notificationSettings } from './notificationSettings';
import { navigate, route } from './route';
import { windowActive, windowActiveNow } from './windowActive';

export type PermissionState = NotificationPermission | 'unsupported';

function readPermission(): PermissionState {
  return typeof window.Notification === 'function' ? window.Notification.permission : 'unsupported';
}

/** The browser's notification permission, kept current from boot() on. */
export const notificationPermission = signal<PermissionState>('default');
/** The queue entry a notification click pointed at (highlighted in the Queue). */
export const highlightedQueueId = signal<string | null>(null);
/** Queue clients that arrived while the window was not active (part of the unread count). */
const unseenClients = signal<ReadonlySet<string>>(new Set());

const leader = new TabLeader();

function refreshPermission(): void {
  notificationPermission.value = readPermission();
}

async function watchPermission(): Promise<void> {
  try {
    const status = await navigator.permissions?.query({ name: 'notifications' as PermissionName });
    if (status) status.onchange = refreshPermission;
  } catch {
    // Not queryable here; focus and the settings page re-read it.
  }
}

export async function requestPermission(): Promise<void> {
  if (typeof window.Notification !== 'function') return;
  try {
    notificationPermission.value = await window.Notification.requestPermission();
  } catch {
    refreshPermission();
  }
}

function nameOf(session: Session): string {
  const name = session.client.name?.trim();
  return name ? name : t('queue.anonymous');
}

// ---- raising an alert ---------------------------------------------------------------------------

interface Target {
  event: AlertEvent;
  sessionId: string;
}

function raise(event: AlertEvent, key: string, target: Target, title: string, body: string): void {
  const settings = notificationSettings.value;
  const active = windowActiveNow();
  const decision = shouldAlert({
    event,
    settings,
    windowActive: active,
    isLeaderTab: leader.isLeader,
    alreadyAlerted: leader.seen(key),
    permission: notificationPermission.value,
    conversationOpen: event === 'new_message' && selectedId.value === target.sessionId,
  });
  if (!decision.sound && !decision.notification) return;
  if (!leader.claim(key)) return;
  if (decision.sound) void playTone(settings[event].tone, settings[event].volume);
  if (decision.notification) showNotification(title, body, `hovor:${target.event}:${target.sessionId}`, target);
}

function showNotification(title: string, body: string, tag: string, target: Target | null): Notification | null {
  if (typeof window.Notification !== 'function' || window.Notification.permission !== 'granted') return null;
  let n: Notification;
  try {
    n = new window.Notification(title, { body, tag, icon: iconUrl() ?? undefined, lang: document.documentElement.lang });
  } catch {
    return null; // e.g. a browser that only allows notifications from a service worker
  }
  n.onclick = (ev?: Event) => {
    ev?.preventDefault?.();
    window.focus();
    if (target) focusTarget(target);
    n.close();
  };
  return n;
}

/** Brings the workspace to the given conversation or queue entry. */
export function focusTarget(target: Target): void {
  if (route.value !== '/') navigate('/');
  if (target.event === 'new_message') {
    if (conversations.value.some((c) => c.session.id === target.sessionId)) select(target.sessionId);
    return;
  }
  highlightedQueueId.value = target.sessionId;
  // After the render: put the keyboard on that entry's Accept button.
  setTimeout(() => {
    const item = document.querySelector<HTMLElement>(`[data-queue-id="${CSS.escape(target.sessionId)}"]`);
    item?.scrollIntoView({ block: 'nearest' });
    item?.querySelector<HTMLElement>('button')?.focus();
  }, 0);
}

const alertSink = {
  newClient(session: Session) {
    if (!windowActiveNow()) unseenClients.value = new Set([...unseenClients.value, session.id]);
    const body = t('alert.clientBody', { name: nameOf(session), channel: t(CHANNEL_LABEL[session.channel]) });
    raise('new_client', eventKey('new_client', session.id), { event: 'new_client', sessionId: session.id }, t('alert.newClient'), body);
  },
  newMessage(conv: Conversation, message: Message) {
    // A file message says which file came (it has no text).
    const text = message.text || message.attachments.map((f) => `📎 ${f.name}`).join(', ');
    const body = t('alert.messageBody', { name: nameOf(conv.session), text: messagePreview(text) });
    const key = eventKey('new_message', conv.session.id, message.seq);
    raise('new_message', key, { event: 'new_message', sessionId: conv.session.id }, t('alert.newMessage'), body);
  },
} satisfies AlertSink;

// ---- test buttons -------------------------------------------------------------------------------

export function testSound(event: AlertEvent): Promise<boolean> {
  const s = notificationSettings.value[event];
  return playTone(s.tone, s.volume);
}

/** Shows a sample notification; false when the permission is missing. */
export function testNotification(event: AlertEvent): boolean {
  refreshPermission();
  const title = t(event === 'new_client' ? 'alert.newClient' : 'alert.newMessage');
  return showNotification(title, t('alert.testBody'), `hovor:test:${event}`, null) !== null;
}

// ---- unread count: title and favicon ------------------------------------------------------------

/** Unread client messages + queue clients that arrived while I was away and still wait. */
export const unreadAlerts = computed(() => {
  const waiting = new Set(queueItems.value.map((s) => s.id));
  let clients = 0;
  for (const id of unseenClients.value) if (waiting.has(id)) clients += 1;
  return totalUnread.value + clients;
});

let baseIcon: string | null = null;
let baseImage: HTMLImageElement | null = null;
const badgeCache = new Map<string, string>();

function iconLink(): HTMLLinkElement | null {
  return document.querySelector<HTMLLinkElement>('link[rel~="icon"]');
}

function iconUrl(): string | null {
  return baseIcon ?? iconLink()?.href ?? null;
}

function drawBadge(text: string): string | null {
  if (!baseImage || !baseImage.complete) return null;
  const cached = badgeCache.get(text);
  if (cached) return cached;
  const size = 64;
  const canvas = document.createElement('canvas');
  canvas.width = size;
  canvas.height = size;
  const g = canvas.getContext('2d');
  if (!g) return null;
  try {
    g.drawImage(baseImage, 0, 0, size, size);
  } catch {
    // Draw the badge alone.
  }
  const r = text.length > 1 ? 19 : 16;
  const cx = size - r - 1;
  const cy = r + 1;
  g.beginPath();
  g.arc(cx, cy, r, 0, Math.PI * 2);
  g.fillStyle = '#dc2626';
  g.fill();
  g.lineWidth = 3;
  g.strokeStyle = '#ffffff';
  g.stroke();
  g.fillStyle = '#ffffff';
  g.font = `bold ${text.length > 1 ? 22 : 26}px system-ui, sans-serif`;
  g.textAlign = 'center';
  g.textBaseline = 'middle';
  g.fillText(text, cx, cy + 1);
  let url: string;
  try {
    url = canvas.toDataURL('image/png');
  } catch {
    return null;
  }
  badgeCache.set(text, url);
  return url;
}

function setFavicon(count: number): void {
  const link = iconLink();
  if (!link) return;
  if (baseIcon === null) {
    baseIcon = link.href;
    baseImage = new Image();
    baseImage.onload = () => setFavicon(unreadAlerts.peek());
    baseImage.src = baseIcon;
  }
  const text = badgeText(count);
  const next = text ? (drawBadge(text) ?? baseIcon) : baseIcon;
  if (link.href !== next) link.href = next;
  link.dataset['unread'] = String(count);
}

/** At boot: report new clients and messages here, keep the title and favicon, follow the session. */
export function startAlerts(): void {
  refreshPermission();
  setAlertSink(alertSink);
  effect(() => {
    const count = me.value ? unreadAlerts.value : 0;
    document.title = titleWithCount(t('app.name'), count);
    setFavicon(count);
  });
  // Back in front: the waiting clients have been seen; the permission may have changed meanwhile.
  windowActive.subscribe((active) => {
    if (!active) return;
    refreshPermission();
    if (unseenClients.peek().size > 0) unseenClients.value = new Set();
  });
  addLiveListener({
    onSignedIn(current) {
      leader.start(current.user.id);
      armAudio();
      refreshPermission();
      void watchPermission();
    },
    onSignedOut() {
      leader.stop();
      unseenClients.value = new Set();
      highlightedQueueId.value = null;
    },
  });
}
