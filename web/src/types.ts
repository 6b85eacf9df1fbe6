// Shapes of the Hovor REST and WebSocket API (see the API contract).

export type Role = 'admin' | 'supervisor' | 'operator';
export type ChosenStatus = 'online' | 'away';
export type Presence = 'offline' | 'disconnected' | 'online' | 'away' | 'break';
export type Cause =
  | 'manual'
  | 'login'
  | 'logout'
  | 'disconnect'
  | 'reconnect'
  | 'missed_offer'
  | 'supervisor'
  | 'api';

export interface User {
  id: string;
  company_id: string;
  name: string;
  email: string;
  role: Role;
}

export interface PauseTypeRef {
  id: string;
  name: string;
  paid: boolean;
}

export interface PauseType extends PauseTypeRef {
  archived: boolean;
}

export interface OperatorState {
  operator_id: string;
  status: ChosenStatus;
  pause_type: PauseTypeRef | null;
  presence: Presence;
  since: string;
  cause: Cause;
}

export interface Me {
  user: User;
  state: OperatorState;
  /** Assigned channels (chat, av, email, phone order); absent on servers before issue 3. */
  channels?: ChannelSetting[];
  /** My phone line (issue 6): null without the phone channel; absent on older servers. */
  phone_line?: PhoneLine | null;
  /** Alert settings (issue 5); null or absent on older servers, then the defaults apply. */
  notification_settings?: unknown;
  csrf_token: string;
}

export interface LoginResponse {
  user: User;
  csrf_token: string;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface TeamMember {
  id: string;
  name: string;
  email: string;
  role: Role;
  state: OperatorState;
  channels?: ChannelSetting[];
  phone_line?: PhoneLine | null;
}

export interface BreakTime {
  pause_type: PauseTypeRef;
  paid: boolean;
  seconds: number;
}

export interface StateSummary {
  online_s: number;
  away_s: number;
  break_s: BreakTime[];
  offline_s: number;
}

export interface HistoryItem {
  presence: Presence;
  status: ChosenStatus;
  pause_type: PauseTypeRef | null;
  cause: Cause;
  started_at: string;
  ended_at: string | null;
}

export interface CompanySettings {
  operators_may_toggle_channels: boolean;
  status_after_login: ChosenStatus;
  disconnect_grace_s: number;
  offer_timeout_s: number;
  away_on_missed_offer: boolean;
}

export interface StateChangedData {
  operator_id: string;
  name: string;
  state: OperatorState;
}

// ---- channels, groups, sessions (issue 3) ------------------------------------------------------

export type Channel = 'chat' | 'av' | 'email' | 'phone';
export const CHANNELS: readonly Channel[] = ['chat', 'av', 'email', 'phone'];

export interface ChannelSetting {
  channel: Channel;
  enabled: boolean;
  capacity: number;
}

export interface ChannelChangedData {
  operator_id: string;
  name: string;
  channels: ChannelSetting[];
}

export interface Group {
  id: string;
  name: string;
  strategy: 'longest_idle' | 'broadcast';
  max_queue: number | null;
  members: string[];
  builtin: boolean;
}

export type SessionStatus = 'waiting' | 'offered' | 'active' | 'ended';
export type SessionSource = 'widget' | 'invitation' | 'email' | 'phone' | 'api';
export type EndReason = 'operator_ended' | 'client_left' | 'abandoned';

export interface ClientInfo {
  name: string | null;
  email: string | null;
  phone: string | null;
}

export interface Session {
  id: string;
  channel: Channel;
  source: SessionSource;
  status: SessionStatus;
  group_id: string | null;
  operator_id: string | null;
  offered_to: string | null;
  offer_expires_at: string | null;
  client: ClientInfo;
  page_url: string | null;
  created_at: string;
  accepted_at: string | null;
  ended_at: string | null;
  end_reason: EndReason | null;
}

export type Author = 'client' | 'operator' | 'system';

export interface Message {
  seq: number;
  author: Author;
  operator_id: string | null;
  operator_name: string | null;
  text: string;
  sent_at: string;
}

export interface Items<T> {
  items: T[];
}

// ---- invitations (issue 4) ----------------------------------------------------------------------

export interface Invitation {
  id: string;
  code: string;
  url: string;
  operator_id: string;
  operator_name: string;
  reusable: boolean;
  label: string | null;
  created_at: string;
  created_by: 'operator' | 'api';
  uses: number;
  invalidated_at: string | null;
}

// ---- telephony (issue 6) ----------------------------------------------------------------------------

export type PhoneLineReason = 'channel_off' | 'no_extension' | 'not_registered' | 'connector_down';

export interface PhoneLine {
  extension: string | null;
  state: 'ready' | 'unavailable';
  reason: PhoneLineReason | null;
}

export interface PhoneLineChangedData {
  operator_id: string;
  name: string;
  phone_line: PhoneLine | null;
}
