// The operator's queue and conversations (signals + actions), fed by REST snapshots and the
// WebSocket events session.offered, session.changed, message.created and queue.changed.

import { computed, effect, signal } from '@preact/signals';
import { ApiError, api } from '../api/client';
import {
  addMessages,
  alertsMe,
  applySession,
  applyToQueue,
  markRead,
  withReadSeq,
  orderQueue,
  unreadCount,
  type Conversation,
} from '../conversations';
import { lastSeqOf, newMessageId, type CryptoLike } from '../messages';
import { SnapshotSync } from '../snapshotSync';
import type { Message, Session } from '../types';
import { deliverCallSignal } from './calls';
import { addLiveListener, sendOverSocket, type LiveListener } from './live';
import { me, myId } from './me';
import { conversationInUrl, showConversationInUrl } from './route';
import { windowActive, windowActiveNow } from './windowActive';

export const queueItems = signal<Session[]>([]);
export const conversations = signal<Conversation[]>([]);
/** Per conversation, until when its client counts as typing (ms since the epoch). */
export const clientTyping = signal<ReadonlyMap<string, number>>(new Map());
/** How long "is typing" shows after the last sign of it. */
export const TYPING_SHOWS_MS = 5_000;
/** Per e-mail conversation, how often its replies' sending changed (`email.send_state_changed`). */
export const emailRevisions = signal<ReadonlyMap<string, number>>(new Map());
export const selectedId = signal<string | null>(null);
/** Ticks every second while signed in (wait times, offer countdowns). */
export const now = signal(Date.now());

export const orderedQueue = computed(() => orderQueue(queueItems.value, myId()));
export const selected = computed(() => conversations.value.find((c) => c.session.id === selectedId.value) ?? null);
export const totalUnread = computed(() => conversations.value.reduce((n, c) => n + unreadCount(c), 0));

/** Where new clients and new client messages are reported (the alerts, see alerts.ts). */
export interface AlertSink {
  newClient(session: Session): void;
  newMessage(conversation: Conversation, message: Message): void;
}
let alertSink: AlertSink | null = null;
export function setAlertSink(sink: AlertSink | null): void {
  alertSink = sink;
}
/** Sessions already seen in my queue (a new one is "a new client in the queue"). */
const knownQueue = new Set<string>();
/** False until the first queue snapshot after sign-in (which only records what is there). */
let queuePrimed = false;

function noteQueue(report: boolean): void {
  const current = me.value;
  const mine = {
    id: myId(),
    online: current?.state.status === 'online',
    channels: current?.channels ?? [],
  };
  for (const s of orderQueue(queueItems.value, mine.id)) {
    if (knownQueue.has(s.id)) continue;
    knownQueue.add(s.id);
    if (report && alertsMe(s, mine)) alertSink?.newClient(s);
  }
}

let ticker: ReturnType<typeof setInterval> | null = null;
let queueTimer: ReturnType<typeof setTimeout> | null = null;

/** Read marks survive a reload: kept per session in this browser. */
const READ_KEY = 'hovor.read.';
function storedReadSeq(sessionId: string): number {
  try {
    const n = Number(window.localStorage.getItem(READ_KEY + sessionId));
    return Number.isFinite(n) ? n : 0;
  } catch {
    return 0;
  }
}
function storeReadSeq(sessionId: string, readSeq: number): void {
  try {
    if (readSeq > storedReadSeq(sessionId)) window.localStorage.setItem(READ_KEY + sessionId, String(readSeq));
  } catch {
    // Private mode or full storage: the mark lasts until the reload.
  }
}

function setConversations(list: Conversation[]): void {
  const next = list.map((c) => {
    const kept = withReadSeq(c, storedReadSeq(c.session.id));
    if (kept.readSeq > 0) storeReadSeq(c.session.id, kept.readSeq);
    return kept;
  });
  conversations.value = next;
  if (selectedId.value && !next.some((c) => c.session.id === selectedId.value)) selectedId.value = null;
}

/**
 * The session facts that came while a snapshot of the queue or of my conversations travelled are
 * applied over it when it lands (see snapshotSync.ts).
 */
const queueSync = new SnapshotSync<Session>();
const mineSync = new SnapshotSync<Session>();

export async function loadQueue(): Promise<void> {
  const ticket = queueSync.begin();
  let items: Session[];
  try {
    items = (await api.queue()).items;
  } catch {
    // The next queue.changed or reconnect tries again.
    queueSync.fail();
    return;
  }
  const since = queueSync.land(ticket);
  if (since === null) return;
  const id = myId();
  queueItems.value = since.reduce((queue, s) => applyToQueue(queue, s, id), items);
  noteQueue(queuePrimed);
  queuePrimed = true;
}

/** Coalesces bursts of queue.changed into one fetch. */
function scheduleQueueLoad(): void {
  if (queueTimer !== null) return;
  queueTimer = setTimeout(() => {
    queueTimer = null;
    void loadQueue();
  }, 150);
}

export async function loadMine(): Promise<void> {
  const id = myId();
  if (!id) return;
  const ticket = mineSync.begin();
  // What the server says, applied in this order once it has all come.
  const read: Session[] = [];
  const gone = new Set<string>();
  let active: Session[];
  try {
    active = (await api.sessions({ status: 'active', operator_id: id })).items;
    const activeIds = new Set(active.map((s) => s.id));
    // Conversations that are no longer active for me (ended elsewhere while we were away) are refreshed.
    for (const c of conversations.value) {
      if (c.session.status === 'active' && !activeIds.has(c.session.id)) {
        try {
          read.push(await api.session(c.session.id));
        } catch {
          gone.add(c.session.id);
        }
      }
    }
    read.push(...active);
  } catch {
    // Retried on the next reconnect.
    mineSync.fail();
    return;
  }
  const since = mineSync.land(ticket);
  if (since === null) return;
  // Over the list as it is now (messages may have come meanwhile): the snapshot, then what
  // happened while it travelled.
  let next = conversations.value.filter((c) => !gone.has(c.session.id));
  for (const s of [...read, ...since]) next = applySession(next, s, id);
  setConversations(next);
  await Promise.all(active.map((s) => loadMessages(s.id)));
}

export async function loadMessages(sessionId: string): Promise<void> {
  const conv = conversations.value.find((c) => c.session.id === sessionId);
  if (!conv) return;
  try {
    const page = await api.messages(sessionId, lastSeqOf(conv.messages));
    addIncoming(sessionId, page.items);
  } catch {
    // Retried on the next reconnect.
  }
}

function addIncoming(sessionId: string, messages: Message[]): void {
  // Messages arriving while the window is not active stay unread (the title shows them).
  const open = selectedId.value === sessionId && windowActiveNow();
  setConversations(conversations.value.map((c) => (c.session.id === sessionId ? addMessages(c, messages, open) : c)));
}

export function select(sessionId: string | null): void {
  selectedId.value = sessionId;
  showConversationInUrl(sessionId);
  if (sessionId) {
    setConversations(conversations.value.map((c) => (c.session.id === sessionId ? markRead(c) : c)));
  }
}

/** Removes an ended conversation from the list. */
export function closeConversation(sessionId: string): void {
  if (selectedId.value === sessionId) select(null);
  setConversations(conversations.value.filter((c) => c.session.id !== sessionId));
}

export function applySessionEverywhere(session: Session, live = false): void {
  const id = myId();
  queueSync.noteFact(session);
  mineSync.noteFact(session);
  queueItems.value = applyToQueue(queueItems.value, session, id);
  noteQueue(live || queuePrimed);
  const before = conversations.value.some((c) => c.session.id === session.id);
  setConversations(applySession(conversations.value, session, id));
  const after = conversations.value.some((c) => c.session.id === session.id);
  if (!before && after) void loadMessages(session.id);
}

export type AcceptProblem = 'queue.alreadyTaken' | 'queue.capacityFull' | 'queue.declineGone' | { message: string } | null;

export async function accept(sessionId: string): Promise<AcceptProblem> {
  try {
    const session = await api.accept(sessionId);
    applySessionEverywhere(session);
    select(session.id);
    void loadQueue();
    return null;
  } catch (err) {
    void loadQueue();
    if (err instanceof ApiError && err.code === 'already_taken') return 'queue.alreadyTaken';
    if (err instanceof ApiError && err.code === 'capacity_full') return 'queue.capacityFull';
    return { message: err instanceof Error ? err.message : String(err) };
  }
}

/** Declines the offer I have, with an optional reason; null when done, else what to show. */
export async function decline(sessionId: string, reason: string): Promise<AcceptProblem> {
  try {
    await api.decline(sessionId, reason.trim());
    void loadQueue();
    return null;
  } catch (err) {
    void loadQueue();
    if (err instanceof ApiError && err.code === 'not_offered_to_you') return 'queue.declineGone';
    return { message: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Sends a message: over the live socket when it is up (the server acks it once stored; the message
 * itself comes as message.created), else, or when the answer was lost, over HTTP with the same id,
 * so it is stored once either way. A refusal throws the API's error.
 */
export async function sendMessage(sessionId: string, text: string, attachments: string[] = []): Promise<void> {
  // An e-mail thread is answered by e-mail: stored at once, sent from the inbox's address.
  const session = conversations.value.find((c) => c.session.id === sessionId)?.session;
  if (session?.channel === 'email') {
    const reply = await api.emailReply(sessionId, text, attachments);
    addIncoming(sessionId, [reply.message]);
    return;
  }
  const clientMsgId = newMessageId(globalThis.crypto as CryptoLike | undefined);
  const delivery = await sendOverSocket({ client_msg_id: clientMsgId, text, session_id: sessionId });
  if (delivery?.stored) return;
  if (delivery) throw new ApiError(409, delivery.code, delivery.message);
  const message = await api.send(sessionId, text, clientMsgId);
  addIncoming(sessionId, [message]);
}

/** Sends a file in a chat as a message of its own (the answer is the stored message). */
export async function sendFile(sessionId: string, file: File): Promise<void> {
  const clientMsgId = newMessageId(globalThis.crypto as CryptoLike | undefined);
  const message = await api.sendFile(sessionId, file, file.name, clientMsgId);
  addIncoming(sessionId, [message]);
}

export async function transfer(
  sessionId: string,
  target: { group_id: string } | { operator_id: string },
  note: string,
): Promise<void> {
  const session = await api.transfer(sessionId, target, note);
  applySessionEverywhere(session);
  if (conversations.value.some((c) => c.session.id === sessionId)) closeConversation(sessionId);
}

export async function endSession(sessionId: string): Promise<void> {
  const session = await api.end(sessionId);
  applySessionEverywhere(session);
}

/** A client's message in one of my active conversations: report it for the alerts. */
function reportMessage(sessionId: string, message: Message): void {
  if (message.author !== 'client') return;
  const conv = conversations.value.find((c) => c.session.id === sessionId);
  if (conv && conv.session.status === 'active' && conv.session.operator_id === myId()) alertSink?.newMessage(conv, message);
}

const conversationsListener: LiveListener = {
  onSignedIn() {
    now.value = Date.now();
    if (ticker === null) ticker = setInterval(() => (now.value = Date.now()), 1000);
  },
  onSignedOut() {
    knownQueue.clear();
    queuePrimed = false;
    if (ticker !== null) clearInterval(ticker);
    ticker = null;
    queueItems.value = [];
    conversations.value = [];
    selectedId.value = null;
  },
  onFresh() {
    void loadQueue();
    void loadMine();
  },
  onEvent(event) {
    switch (event.event) {
      case 'session.offered':
      case 'session.changed':
        applySessionEverywhere(event.data.session, event.event === 'session.offered');
        break;
      case 'message.created': {
        const { session_id: sessionId, message } = event.data;
        // What they were typing has come.
        if (message.author === 'client' && clientTyping.value.has(sessionId)) {
          const next = new Map(clientTyping.value);
          next.delete(sessionId);
          clientTyping.value = next;
        }
        const known = conversations.value.find((c) => c.session.id === sessionId);
        if (known) {
          const isNew = !known.messages.some((m) => m.seq === message.seq);
          addIncoming(sessionId, [message]);
          if (isNew) reportMessage(sessionId, message);
        } else {
          void loadMine().then(() => reportMessage(sessionId, message));
        }
        break;
      }
      case 'email.send_state_changed': {
        // A reply went out or failed: the conversation reads its e-mails again.
        const sessionId = event.data.session_id;
        const next = new Map(emailRevisions.value);
        next.set(sessionId, (next.get(sessionId) ?? 0) + 1);
        emailRevisions.value = next;
        break;
      }
      case 'call.signal':
        deliverCallSignal(event.data);
        break;
      default:
        // The operators' states, channels, lines and my settings: the session's listener (state/session.ts).
        break;
    }
  },
  onQueueChanged() {
    scheduleQueueLoad();
  },
  onClientTyping(sessionId) {
    const next = new Map(clientTyping.value);
    next.set(sessionId, Date.now() + TYPING_SHOWS_MS);
    clientTyping.value = next;
  },
};

/** At boot: follow the session and its stream, and mark the open conversation read when back in front. */
export function startConversations(): void {
  // The address names the open conversation: after a reload it opens once loaded, and Back and
  // Forward move between conversations and the panel.
  effect(() => {
    const wanted = conversationInUrl.value;
    const list = conversations.value;
    if (wanted === null) {
      if (selectedId.peek() !== null) selectedId.value = null;
    } else if (selectedId.peek() !== wanted && list.some((c) => c.session.id === wanted)) {
      selectedId.value = wanted;
      setConversations(list.map((c) => (c.session.id === wanted ? markRead(c) : c)));
    }
  });
  windowActive.subscribe((active) => {
    const id = selectedId.value;
    if (active && id) setConversations(conversations.value.map((c) => (c.session.id === id ? markRead(c) : c)));
  });
  addLiveListener(conversationsListener);
}
