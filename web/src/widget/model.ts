// Pure logic of the widget: where the API is, what is stored between reloads, the outbox of unsent
// messages, queue texts and what the server's frames mean. No DOM here (unit-tested).

import { callDuration, readCallSignal } from '../calls';
import { numberOrNull, readFileTerms, readMessageCreated, readSessionUpdate } from '../payloads';
import type { ClientStreamFrame, IncomingFrame } from '../realtime';
import type { FileKind, Message } from '../types';
import { wt, wtCount, type WidgetLang } from './i18n';

export type Availability = 'online' | 'busy' | 'offline';

/** A company's chat (the launcher button), or one operator's invitation (the Connect button). */
/** A company's chat (into one of its groups, or the built-in one), or an invitation's. */
export type WidgetMode =
  | { kind: 'company'; company: string; group: string | null }
  /** `calls`: the invited operator takes calls (the landing page's `data-calls`). */
  | { kind: 'invitation'; code: string; operator: string | null; calls: boolean };

/** `data-group`: a group id as the API makes them, else none (the built-in group). */
export function widgetGroup(value: string | undefined): string | null {
  return value !== undefined && /^[A-Za-z0-9_-]{1,64}$/.test(value) ? value : null;
}

/** `data-color`: a #rrggbb colour for the button, header and the client's messages, else the default. */
export function widgetAccent(value: string | undefined): string | null {
  return value !== undefined && /^#[0-9a-fA-F]{6}$/.test(value) ? value.toLowerCase() : null;
}

/** The base URL the widget talks to: the folder its own script was loaded from. */
export function apiBase(scriptSrc: string, pageHref: string): string {
  return new URL('.', new URL(scriptSrc, pageHref)).href;
}

/** The socket's URL: no token in it (URLs end up in proxies' logs); see `wsProtocolsFor`. */
export function wsUrlFor(base: string, lastSeq: number | null): string {
  const url = new URL('api/v1/ws', base);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  if (lastSeq !== null) url.searchParams.set('last_seq', String(lastSeq));
  return url.href;
}

/** The subprotocols a client offers: `hovor`, which the server picks, and one carrying its token. */
export function wsProtocolsFor(clientToken: string): string[] {
  return ['hovor', `hovor.client-token.${clientToken}`];
}

// ---- what survives a reload (localStorage, per company) ---------------------------------------

export interface StoredChat {
  session_id: string;
  client_token: string;
  /** Whether the window was open (a reload keeps it open). */
  open: boolean;
}

export interface Pending {
  /** The client_msg_id: the same id is resent until the server confirms, so nothing is duplicated. */
  id: string;
  text: string;
  /** The last message seq known when it was written (the stored copy, if any, comes after it). */
  after?: number;
}

/**
 * The pending messages still to show: one whose stored copy already arrived (over the socket, before
 * the POST answered, or before a reload's resend) is hidden — a client message after `after` with the
 * same text, each stored message matching at most one pending one.
 */
export function visiblePending(outbox: readonly Pending[], messages: readonly Message[]): Pending[] {
  const claimed = new Set<number>();
  return outbox.filter((p) => {
    const match = messages.find((m) => m.author === 'client' && m.seq > (p.after ?? 0) && m.text === p.text && !claimed.has(m.seq));
    if (!match) return true;
    claimed.add(match.seq);
    return false;
  });
}

export function chatKey(company: string): string {
  return `hovor.widget.${company}.chat`;
}
export function outboxKey(company: string): string {
  return `hovor.widget.${company}.outbox`;
}
/** Where this browser keeps its random visitor id for a company (it finds the client's earlier chats). */
export function visitorKey(company: string): string {
  return `hovor.widget.${company}.visitor`;
}

/** A stored visitor id, if it has the form the API takes. */
export function parseVisitorId(stored: string | null): string | null {
  return stored !== null && /^[A-Za-z0-9_-]{16,128}$/.test(stored) ? stored : null;
}

/** An invitation code as the server compares it: no dashes or spaces, upper case. */
export function normalizeCode(code: string): string {
  return code.replace(/[\s-]+/g, '').toUpperCase();
}
/** Where the conversation of an invitation is kept: per code, so the browser that redeemed it rejoins. */
export function invitationChatKey(code: string): string {
  return `hovor.widget.invitation.${normalizeCode(code)}.chat`;
}
export function invitationOutboxKey(code: string): string {
  return `hovor.widget.invitation.${normalizeCode(code)}.outbox`;
}

/** The text for a failed redeem (by the error code / HTTP status). */
export type RedeemProblem = 'invitationUsed' | 'invitationInvalidated' | 'invitationUnknown' | 'tooMany' | 'invitationFailed';
export function redeemProblem(status: number, code: string): RedeemProblem {
  if (code === 'invitation_used') return 'invitationUsed';
  if (code === 'invitation_invalidated') return 'invitationInvalidated';
  if (status === 404) return 'invitationUnknown';
  if (status === 429) return 'tooMany';
  return 'invitationFailed';
}

function parseJson(text: string | null): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export function parseStoredChat(text: string | null): StoredChat | null {
  const v = parseJson(text);
  if (typeof v !== 'object' || v === null) return null;
  const r = v as Record<string, unknown>;
  if (typeof r['session_id'] !== 'string' || typeof r['client_token'] !== 'string') return null;
  return { session_id: r['session_id'], client_token: r['client_token'], open: r['open'] === true };
}

export function parseOutbox(text: string | null): Pending[] {
  const v = parseJson(text);
  if (!Array.isArray(v)) return [];
  return v.filter(
    (p): p is Pending =>
      typeof p === 'object' &&
      p !== null &&
      typeof (p as Pending).id === 'string' &&
      typeof (p as Pending).text === 'string' &&
      ((p as Pending).after === undefined || typeof (p as Pending).after === 'number'),
  );
}

export function withPending(outbox: readonly Pending[], item: Pending): Pending[] {
  return outbox.some((p) => p.id === item.id) ? [...outbox] : [...outbox, item];
}

export function withoutPending(outbox: readonly Pending[], id: string): Pending[] {
  return outbox.filter((p) => p.id !== id);
}

// ---- texts ---------------------------------------------------------------------------------------

export function formatEstimate(seconds: number, lang: WidgetLang): string {
  return wtCount(lang, 'minutes', Math.max(1, Math.round(seconds / 60)));
}

/**
 * The place in the queue, with the wait the server estimated from recent acceptances; without an
 * estimate (nobody has been taken lately) the place alone, never an invented wait.
 */
export function queueText(lang: WidgetLang, position: number | null, waitS: number | null): string {
  if (position === null || position < 1) return wt(lang, 'waiting');
  if (waitS === null || !Number.isFinite(waitS)) return wt(lang, 'queueNoWait', { position });
  if (waitS < 60) return wt(lang, 'queueSoon', { position });
  return wt(lang, 'queue', { position, wait: formatEstimate(waitS, lang) });
}

// ---- server data -----------------------------------------------------------------------------

/**
 * What a frame of the client's stream means to the widget, its payload checked: the hello (the
 * session and its place in the queue), the session's changes and messages, the new place in the
 * queue. Null for the frames the shared socket handles, for events a client's stream does not
 * carry, and for malformed ones.
 */
export function parseClientFrame(frame: IncomingFrame): ClientStreamFrame | null {
  switch (frame.type) {
    case 'hello': {
      const view = readSessionUpdate(frame);
      return (
        view && {
          ...view,
          type: 'hello',
          last_seq: frame.last_seq,
          ratings: 'ratings' in frame && frame.ratings === true,
          files: readFileTerms('files' in frame ? frame.files : null),
          transcript_by_email: 'transcript_by_email' in frame && frame.transcript_by_email === true,
        }
      );
    }
    case 'event': {
      const { type, seq } = frame;
      switch (frame.event) {
        case 'session.changed': {
          const data = readSessionUpdate(frame.data);
          return data && { type, seq, event: frame.event, data };
        }
        case 'message.created': {
          const data = readMessageCreated(frame.data);
          return data && { type, seq, event: frame.event, data };
        }
        case 'call.signal': {
          const data = readCallSignal(frame.data);
          return data && { type, seq, event: frame.event, data };
        }
        default:
          // The operator's events: never on a client's stream.
          return null;
      }
    }
    case 'queue':
      return { type: 'queue', queue_position: numberOrNull(frame.queue_position), estimated_wait_s: numberOrNull(frame.estimated_wait_s) };
    case 'typing':
      return typeof frame.session_id === 'string' && (frame.from === 'client' || frame.from === 'operator')
        ? { type: 'typing', session_id: frame.session_id, from: frame.from }
        : null;
    default:
      return null;
  }
}


/** A system message in the client's language (the call's notices); the stored English text otherwise. */
export function systemText(lang: WidgetLang, message: Pick<Message, 'text' | 'notice'>): string {
  const n = message.notice;
  switch (n?.kind) {
    case 'call_started':
      return wt(lang, n.media === 'video' ? 'noticeCallStartedVideo' : 'noticeCallStartedAudio');
    case 'call_declined':
      return wt(lang, n.by === 'client' ? 'noticeCallDeclinedByYou' : 'noticeCallDeclinedByOperator');
    case 'call_cancelled':
      return wt(lang, 'noticeCallCancelled');
    case 'call_ended':
      return wt(lang, 'noticeCallEnded', { time: callDuration(n.duration_s * 1000) });
    default:
      return message.text;
  }
}

// ---- files ---------------------------------------------------------------------------------------

const ACCEPT: Readonly<Record<FileKind, string>> = {
  // Any picture, so a phone offers its camera; the server reads what the bytes are.
  images: 'image/*',
  pdf: 'application/pdf,.pdf',
  office: '.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp',
  text: 'text/plain,text/csv,.txt,.csv',
};

/** The file picker's `accept` for the kinds the company takes. */
export function acceptFor(kinds: readonly FileKind[]): string {
  return kinds.map((k) => ACCEPT[k]).join(',');
}
