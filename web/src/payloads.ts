// Runtime checks of the server's JSON that the workspace and the widget both read: sessions, messages
// and the events that carry them (WebSocket payloads and REST answers alike). The widget bundles this
// file, so it imports nothing of the app's but types.
//
// A guard checks what the code relies on: the tags it switches on, the ids and numbers it computes
// with, the texts it shows. It then takes the object for the document's type (docs/openapi.json,
// published by the same server): the fields it did not check are trusted to be as documented.

import type { EmailSendStateChanged, MessageCreated, SessionUpdate, Unchecked } from './realtime';
import type { Attachment, Author, Channel, FileKind, FileTerms, Message, Session, SessionStatus } from './types';

/** A JSON object off the network: any fields, each still to check. */
export type JsonObject = Readonly<Record<string, unknown>>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null;
}

/** Whether `value` is a key of `table` (a complete record of a type's values, so it follows the document). */
export function isOneOf<K extends string>(table: Readonly<Record<K, true>>, value: unknown): value is K {
  const known: Readonly<Record<string, true | undefined>> = table;
  // `=== true`, so inherited names (toString, __proto__) are not taken for keys.
  return typeof value === 'string' && known[value] === true;
}

const SESSION_STATUSES: Readonly<Record<SessionStatus, true>> = { waiting: true, offered: true, active: true, ended: true };
const CHANNELS: Readonly<Record<Channel, true>> = { chat: true, av: true, email: true, phone: true };
const AUTHORS: Readonly<Record<Author, true>> = { client: true, operator: true, system: true };
const FILE_KINDS: Readonly<Record<FileKind, true>> = { images: true, pdf: true, office: true, text: true };

/** A number, else null (the optional numbers of the queue place). */
export function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}

/** The API's `session`: its id, status and channel checked. */
export function isSession(value: unknown): value is Session {
  if (!isJsonObject(value)) return false;
  const s: Unchecked<Session> = value;
  return typeof s.id === 'string' && isOneOf(SESSION_STATUSES, s.status) && isOneOf(CHANNELS, s.channel);
}

/** A chat message: its seq, author, text, time and the operator's name (absent, null or a text). */
export function isMessage(value: unknown): value is Message {
  if (!isJsonObject(value)) return false;
  const m: Unchecked<Message> = value;
  return (
    typeof m.seq === 'number' &&
    isOneOf(AUTHORS, m.author) &&
    typeof m.text === 'string' &&
    typeof m.sent_at === 'string' &&
    typeof (m.operator_name ?? '') === 'string' &&
    Array.isArray(m.attachments) &&
    m.attachments.every(isAttachment)
  );
}

/** A file a message carries: what the views need to show and fetch it. */
export function isAttachment(value: unknown): value is Attachment {
  if (!isJsonObject(value)) return false;
  const f: Unchecked<Attachment> = value;
  return (
    typeof f.id === 'string' &&
    typeof f.name === 'string' &&
    typeof f.content_type === 'string' &&
    typeof f.size === 'number' &&
    typeof f.available === 'boolean'
  );
}

/** The files a company takes in chats (the client's hello and view); none when malformed. */
export function readFileTerms(value: unknown): FileTerms {
  const none: FileTerms = { kinds: [], max_mb: 0 };
  if (!isJsonObject(value)) return none;
  const v: Unchecked<FileTerms> = value;
  if (!Array.isArray(v.kinds) || typeof v.max_mb !== 'number') return none;
  return { kinds: v.kinds.filter((k): k is FileKind => isOneOf(FILE_KINDS, k)), max_mb: v.max_mb };
}

/**
 * The data of `session.changed` / `session.offered`, and what a client reads of its session
 * (the hello, `GET /api/v1/client/sessions/{id}`): the session, and the place in the queue (null
 * unless a number).
 */
export function readSessionUpdate(value: unknown): SessionUpdate | null {
  if (!isJsonObject(value)) return null;
  const v: Unchecked<SessionUpdate> = value;
  if (!isSession(v.session)) return null;
  const update: SessionUpdate = {
    session: v.session,
    queue_position: numberOrNull(v.queue_position),
    estimated_wait_s: numberOrNull(v.estimated_wait_s),
  };
  if (typeof v.operator_name === 'string') update.operator_name = v.operator_name;
  return update;
}

/** The data of `message.created`: the session's id and the message. */
export function readMessageCreated(value: unknown): MessageCreated | null {
  if (!isJsonObject(value)) return null;
  const v: Unchecked<MessageCreated> = value;
  return typeof v.session_id === 'string' && isMessage(v.message) ? { session_id: v.session_id, message: v.message } : null;
}

/** The data of `email.send_state_changed`: whose e-mail, and the e-mail with its message's seq and state. */
export function readEmailSendStateChanged(value: unknown): EmailSendStateChanged | null {
  if (!isJsonObject(value)) return null;
  const v: Unchecked<EmailSendStateChanged> = value;
  if (typeof v.session_id !== 'string' || !isJsonObject(v.email)) return null;
  const e: Unchecked<EmailSendStateChanged['email']> = v.email;
  const ok = typeof e.id === 'string' && Number.isSafeInteger(e.message_seq) && (e.send_state === null || typeof e.send_state === 'string');
  return ok ? (value as EmailSendStateChanged) : null;
}
