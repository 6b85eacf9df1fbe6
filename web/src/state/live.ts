// The workspace's live connection: the one LiveSocket on the operator's stream (made at the first
// sign-in), whether it is up, and the registry through which the state modules follow sign-in,
// sign-out and the stream (so the session module need not know them).

import { signal } from '@preact/signals';
import { LiveSocket, type Delivery } from '../liveSocket';
import { readOperatorEvent } from '../operatorEvents';
import type { OutgoingMessage, RealtimeEvent } from '../realtime';
import { wsUrl } from '../seq';
import type { Me } from '../types';

export interface LiveListener {
  onSignedIn?(current: Me): void;
  onSignedOut?(): void;
  /**
   * The first hello after sign-in, or a fresh stream (a resume that cannot replay): load
   * snapshots. `meIsCurrent`: the own stream resumed from the `/me` read at sign-in, so that answer
   * plus the replayed events are current and need not be read again.
   */
  onFresh?(meIsCurrent: boolean): void;
  /** A new event of the operator's stream, its data checked (switch on `event.event`). */
  onEvent?(event: RealtimeEvent): void;
  /** The company's queue changed (derived state, without seq): fetch it. */
  onQueueChanged?(): void;
  /** The company's settings changed (an admin saved them): fetch them. */
  onSettingsChanged?(): void;
  /** A client is typing in a conversation I hold (shown for a few seconds). */
  onClientTyping?(sessionId: string): void;
}

const listeners: LiveListener[] = [];

/** Listeners are told in the order they were added (boot() decides it). */
export function addLiveListener(listener: LiveListener): void {
  listeners.push(listener);
}

export function tellSignedIn(current: Me): void {
  for (const l of listeners) l.onSignedIn?.(current);
}

export function tellSignedOut(): void {
  for (const l of listeners) l.onSignedOut?.();
}

export const socketUp = signal(false);
/** Whether the socket has been up since sign-in (before that, no "reconnecting" is shown). */
export const socketEverUp = signal(false);

/** Counts live events applied, so a snapshot older than one of them is not kept. */
let eventsApplied = 0;
export function liveEventCount(): number {
  return eventsApplied;
}

/** What the session does when the socket says it was logged out, or keeps failing. */
export interface LiveSessionHooks {
  onLoggedOut(): void;
  onFailure(failures: number): void;
}

let socket: LiveSocket | null = null;
let hooks: LiveSessionHooks | null = null;

function makeSocket(): LiveSocket {
  return new LiveSocket({
    url: (lastSeq, topics) => wsUrl(window.location, lastSeq, topics),
    onHello: (_frame, fresh) => {
      const first = awaitingFirstHello;
      awaitingFirstHello = false;
      if (!fresh && !first) return;
      for (const l of listeners) l.onFresh?.(!fresh);
    },
    onEvent: (frame) => {
      const event = readOperatorEvent(frame);
      if (!event) return;
      eventsApplied += 1;
      for (const l of listeners) l.onEvent?.(event);
    },
    onFrame: (frame) => {
      // (`queue` is a client's frame: never on an operator's stream.)
      if (frame.type === 'queue.changed') for (const l of listeners) l.onQueueChanged?.();
      if (frame.type === 'settings.changed') for (const l of listeners) l.onSettingsChanged?.();
      if (frame.type === 'typing' && frame.from === 'client' && typeof frame.session_id === 'string') {
        const sessionId = frame.session_id;
        for (const l of listeners) l.onClientTyping?.(sessionId);
      }
    },
    onConnectionChange: (up) => {
      socketUp.value = up;
      if (up) socketEverUp.value = true;
    },
    onLoggedOut: () => hooks?.onLoggedOut(),
    onFailure: (failures) => hooks?.onFailure(failures),
  });
}

/**
 * Sends a message over the workspace's socket and waits for the answer; null without a connection
 * (or when it was lost before the answer).
 */
export function sendOverSocket(message: OutgoingMessage): Promise<Delivery | null> {
  return socket ? socket.send(message) : Promise.resolve(null);
}

/** Tells the client of a conversation I hold that I am typing (never stored; dropped when offline). */
export function sendTyping(sessionId: string): void {
  socket?.typing(sessionId);
}

/** Whether the next hello is the first since sign-in (snapshots not yet loaded). */
let awaitingFirstHello = false;

/** Connects the workspace's socket, resuming the own stream from `/me`'s `stream_seq`. */
export function startLive(sessionHooks: LiveSessionHooks, meStreamSeq: number): void {
  hooks = sessionHooks;
  socket ??= makeSocket();
  awaitingFirstHello = true;
  socket.start(meStreamSeq);
}

export function stopLive(): void {
  socket?.stop();
  socketEverUp.value = false;
}
