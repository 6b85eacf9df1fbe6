// The WebSocket protocol (docs/realtime.md): its frames and the payloads of its events, named as the
// workspace and the widget use them. Each one is the type generated from the server's OpenAPI
// document (api/schema.gen.ts, `npm run gen:api`), like the REST shapes in types.ts. Nothing is
// written out here, so a frame or an event changed on the server shows up in `npm run check:api`
// (not regenerated) or in `tsc` (regenerated: the switches on `type` and `event` are exhaustive).
//
// Types only: the widget imports them too, and a type costs its bundle nothing.
//
// A frame is `unknown` JSON until it is read, in two steps:
//   1. parseServerMessage (seq.ts, shared) checks the envelope: `type`, an event's `event` (one the
//      document lists), `last_seq` and `seq`. It gives an `Incoming` frame: those fields typed as
//      the document says, every other field still `unknown`.
//   2. The owner checks the payload it reads and gets the generated type: the workspace with
//      readOperatorEvent (operatorEvents.ts), the widget with parseClientFrame (widget/model.ts).

import type { components } from './api/schema.gen';

type Schemas = components['schemas'];

// ---- frames -------------------------------------------------------------------------------------

/** Every frame the server sends, tagged by `type`. */
export type ServerFrame = Schemas['ServerFrame'];
export type FrameType = ServerFrame['type'];
export type FrameOf<T extends FrameType> = Extract<ServerFrame, { type: T }>;
/** What we send: `ping`, `pong` and messages. */
export type ClientFrame = Schemas['ClientFrame'];
/** A message sent over the socket (answered with `ack` or `refused`). */
export type OutgoingMessage = Schemas['OutgoingMessage'];

/** The operator's first frame: the head of their stream (and their state). */
export type OperatorHello = Schemas['OperatorHello'];
/** A client's first frame: the head of the session's stream, the session and its place in the queue. */
export type ClientHello = Schemas['ClientHello'];
export type ClientHelloFrame = Extract<FrameOf<'hello'>, ClientHello>;
/** A client's new place in the queue (derived, so without seq). */
export type QueuePlaceFrame = FrameOf<'queue'>;

// ---- events -------------------------------------------------------------------------------------

/** A stored event (`{event, data}`), tagged by `event`. */
export type RealtimeEvent = Schemas['RealtimeEvent'];
export type EventName = RealtimeEvent['event'];
export type EventOf<E extends EventName> = Extract<RealtimeEvent, { event: E }>;
/** The `event` frame of the events named: `{type: 'event', seq, event, data}`. */
export type EventFrameOf<E extends EventName> = Extract<FrameOf<'event'>, { event: E }>;

/** `operator.state_changed` */
export type OperatorStateChanged = Schemas['OperatorStateChanged'];
/** `operator.channel_changed` */
export type OperatorChannelsChanged = Schemas['OperatorChannelsChanged'];
/** `operator.phone_line_changed` */
export type PhoneLineChanged = Schemas['PhoneLineChanged'];
export type AfterChatChanged = Schemas['AfterChatChanged'];
/** `me.notification_settings_changed` */
export type NotificationSettingsChanged = Schemas['NotificationSettingsChanged'];
/** `session.changed` and `session.offered` (a client's also carries the place in the queue). */
export type SessionUpdate = Schemas['SessionUpdate'];
/** `message.created` */
export type MessageCreated = Schemas['MessageCreated'];
export type EmailSendStateChanged = Schemas['EmailSendStateChanged'];

// ---- what a client's stream carries (the widget) --------------------------------------------------

/** The events of a client's stream: its session's changes and messages. */
export type ClientEventName = 'session.changed' | 'message.created' | 'call.signal';
/** The frames of a client's stream that the widget reads (the shared socket handles the others). */
/** The other side is typing (derived, without a seq). */
export type TypingFrame = FrameOf<'typing'>;
export type ClientStreamFrame = ClientHelloFrame | EventFrameOf<ClientEventName> | QueuePlaceFrame | TypingFrame;

// ---- frames as read off the network ---------------------------------------------------------------

/** The fields parseServerMessage checks. */
type EnvelopeKey = 'type' | 'event' | 'seq' | 'last_seq' | 'topic';
/** `F` as parsed: its envelope typed, each other field `unknown` until a guard has checked it. */
type Envelope<F> = F extends unknown ? { readonly [K in keyof F]: K extends EnvelopeKey ? F[K] : unknown } : never;

/** A server frame whose envelope is checked (parseServerMessage), its payload not yet. */
export type IncomingFrame = Envelope<ServerFrame>;
export type Incoming<T extends FrameType> = Extract<IncomingFrame, { type: T }>;
/** An event whose name is one the document lists; its `data` still to check. */
export type IncomingEvent = Incoming<'event'>;

/**
 * A JSON object read as a `T`: any of T's fields, each `unknown` (true of any object, so a guard may
 * claim it after checking for an object). A guard reads its fields through it, so a field that the
 * document renames or drops fails to compile there.
 */
export type Unchecked<T> = { readonly [K in keyof T]?: unknown };
