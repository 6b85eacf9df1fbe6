// Payloads of the operator WebSocket's events (docs/realtime.md). The server's OpenAPI document
// does not describe the WebSocket yet, so these are written by hand, from the REST types they
// embed; they will be aliases onto the generated schema (like types.ts) once the document
// publishes the event and frame schemas.

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
