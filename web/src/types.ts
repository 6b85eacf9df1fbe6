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
