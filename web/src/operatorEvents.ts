// Reading the events of an operator's stream (pure): the guard of each event's data, and the one
// switch over every event the document lists, so a new event fails to compile until it is read.
// The guards check what the workspace relies on (see payloads.ts for the ones the widget shares).

import { readAfterChatChanged } from './afterChat';
import { parseSettings } from './alerts';
import { readCallSignal } from './calls';
import { isChannelList } from './channels';
import { isJsonObject, isOneOf, readEmailSendStateChanged, readMessageCreated, readSessionUpdate } from './payloads';
import { parsePhoneLineChanged } from './phone';
import type { IncomingEvent, NotificationSettingsChanged, OperatorChannelsChanged, OperatorStateChanged, RealtimeEvent, Unchecked } from './realtime';
import type { ChosenStatus, OperatorState, Presence } from './types';

const PRESENCES: Readonly<Record<Presence, true>> = { offline: true, disconnected: true, online: true, away: true, break: true };
const STATUSES: Readonly<Record<ChosenStatus, true>> = { online: true, away: true };

/** The API's `state` object: whose, the presence and the chosen status. */
function isOperatorState(value: unknown): value is OperatorState {
  if (!isJsonObject(value)) return false;
  const s: Unchecked<OperatorState> = value;
  return typeof s.operator_id === 'string' && isOneOf(PRESENCES, s.presence) && isOneOf(STATUSES, s.status);
}

/** `operator.state_changed` */
export function isStateChanged(data: unknown): data is OperatorStateChanged {
  if (!isJsonObject(data)) return false;
  const d: Unchecked<OperatorStateChanged> = data;
  return typeof d.operator_id === 'string' && isOperatorState(d.state);
}

/** `operator.channel_changed` */
export function isChannelsChanged(data: unknown): data is OperatorChannelsChanged {
  if (!isJsonObject(data)) return false;
  const d: Unchecked<OperatorChannelsChanged> = data;
  const by: unknown = d.changed_by;
  const byIsValid = by === undefined || by === null || (isJsonObject(by) && typeof by.name === 'string' && typeof by.id === 'string');
  return typeof d.operator_id === 'string' && isChannelList(d.channels) && byIsValid;
}

/** `me.notification_settings_changed`: the settings, their missing or invalid parts the defaults. */
export function readNotificationSettingsChanged(data: unknown): NotificationSettingsChanged | null {
  if (!isJsonObject(data)) return null;
  const d: Unchecked<NotificationSettingsChanged> = data;
  return isJsonObject(d.notification_settings) ? { notification_settings: parseSettings(d.notification_settings) } : null;
}

/** An event of the operator's stream with its data checked; null when the data is not as documented. */
export function readOperatorEvent(frame: IncomingEvent): RealtimeEvent | null {
  switch (frame.event) {
    case 'operator.state_changed':
      return isStateChanged(frame.data) ? { event: frame.event, data: frame.data } : null;
    case 'operator.channel_changed':
      return isChannelsChanged(frame.data) ? { event: frame.event, data: frame.data } : null;
    case 'operator.phone_line_changed': {
      const data = parsePhoneLineChanged(frame.data);
      return data && { event: frame.event, data };
    }
    case 'operator.after_chat_changed': {
      const data = readAfterChatChanged(frame.data);
      return data && { event: frame.event, data };
    }
    case 'me.notification_settings_changed': {
      const data = readNotificationSettingsChanged(frame.data);
      return data && { event: frame.event, data };
    }
    case 'session.changed':
    case 'session.offered': {
      const data = readSessionUpdate(frame.data);
      return data && { event: frame.event, data };
    }
    case 'message.created': {
      const data = readMessageCreated(frame.data);
      return data && { event: frame.event, data };
    }
    case 'email.send_state_changed': {
      const data = readEmailSendStateChanged(frame.data);
      return data && { event: frame.event, data };
    }
    case 'call.signal': {
      const data = readCallSignal(frame.data);
      return data && { event: frame.event, data };
    }
  }
}
