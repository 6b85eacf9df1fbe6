// The WebSocket's frames and the payloads of the operator's events (docs/realtime.md). The server's
// OpenAPI document does not describe the WebSocket yet, so these are written by hand, from the REST
// types they embed; they will be aliases onto the generated schema (like types.ts) once the
// document publishes the event and frame schemas. (The widget reads its own frames defensively in
// widget/model.ts.)

import type { ChannelSetting, OperatorState, PhoneLine } from './types';

/** `operator.state_changed` */
export interface StateChangedData {
  operator_id: string;
  name: string;
  state: OperatorState;
}

/** `operator.channel_changed` */
export interface ChannelChangedData {
  operator_id: string;
  name: string;
  channels: ChannelSetting[];
}

/** `operator.phone_line_changed` */
export interface PhoneLineChangedData {
  operator_id: string;
  name: string;
  phone_line: PhoneLine | null;
}

/** The frames every connection handles, as seq.ts reads them (extra fields are left out). */
export type ServerFrame =
  /** The first frame: where the stream stands (the operator's also has `state`; a client's has its session). */
  | { type: 'hello'; last_seq: number }
  /** A stored event of the stream; `data` is one of the payloads above (or the client's). */
  | { type: 'event'; seq: number; event: string; data: unknown }
  | { type: 'ping' }
  | { type: 'pong' }
  /** Not stored and without seq: the company's queue changed, refetch it. */
  | { type: 'queue.changed' }
  /** This session ended (logged out elsewhere); the server closes the socket next. */
  | { type: 'logged_out' };
