// A thin typed client for the Hovor REST API: cookie auth, CSRF header on writes, JSON errors.

import type { NotificationSettings, NotificationSettingsPatch } from './alerts';
import type {
  Channel,
  ChannelSetting,
  CompanySettings,
  Group,
  Items,
  Message,
  Session,
  SessionStatus,
  HistoryItem,
  Invitation,
  LoginResponse,
  Me,
  OperatorState,
  Page,
  PauseType,
  StateSummary,
  TeamMember,
} from './types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? null : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError(0, 'network', err instanceof Error ? err.message : String(err));
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let json: unknown = null;
  if (text.length > 0) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  if (!response.ok) {
    const error = (json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    const code = typeof error?.code === 'string' ? error.code : `http_${response.status}`;
    const message = typeof error?.message === 'string' ? error.message : response.statusText || code;
    throw new ApiError(response.status, code, message);
  }
  return json as T;
}

const enc = encodeURIComponent;

export const api = {
  login: (email: string, password: string) =>
    request<LoginResponse>('POST', '/api/v1/auth/login', { email, password }),
  logout: () => request<void>('POST', '/api/v1/auth/logout'),
  me: () => request<Me>('GET', '/api/v1/me'),
  updateNotificationSettings: (patch: NotificationSettingsPatch) =>
    request<NotificationSettings>('PATCH', '/api/v1/me/notification-settings', patch),
  pauseTypes: () => request<Page<PauseType>>('GET', '/api/v1/pause-types'),
  createPauseType: (name: string, paid: boolean) =>
    request<PauseType>('POST', '/api/v1/pause-types', { name, paid }),
  updatePauseType: (id: string, patch: { name?: string; paid?: boolean }) =>
    request<PauseType>('PATCH', `/api/v1/pause-types/${enc(id)}`, patch),
  deletePauseType: (id: string) => request<void>('DELETE', `/api/v1/pause-types/${enc(id)}`),
  operators: () => request<Page<TeamMember>>('GET', '/api/v1/operators'),
  setState: (operatorId: string, status: 'online' | 'away', pauseTypeId: string | null) =>
    request<OperatorState>('PUT', `/api/v1/operators/${enc(operatorId)}/state`, {
      status,
      pause_type_id: pauseTypeId,
    }),
  stateSummary: (operatorId: string, from: Date, to: Date) =>
    request<StateSummary>(
      'GET',
      `/api/v1/operators/${enc(operatorId)}/state-summary?from=${enc(from.toISOString())}&to=${enc(to.toISOString())}`,
    ),
  stateHistory: (operatorId: string, from: Date, to: Date) =>
    request<Page<HistoryItem>>(
      'GET',
      `/api/v1/operators/${enc(operatorId)}/state-history?from=${enc(from.toISOString())}&to=${enc(to.toISOString())}`,
    ),
  companySettings: () => request<CompanySettings>('GET', '/api/v1/company/settings'),
  updateCompanySettings: (patch: Partial<CompanySettings>) =>
    request<CompanySettings>('PATCH', '/api/v1/company/settings', patch),

  setChannel: (operatorId: string, channel: Channel, enabled: boolean) =>
    request<ChannelSetting>('PUT', `/api/v1/operators/${enc(operatorId)}/channels/${enc(channel)}`, { enabled }),
  groups: () => request<Items<Group>>('GET', '/api/v1/groups'),
  queue: () => request<Items<Session>>('GET', '/api/v1/sessions/queue'),
  sessions: (filter: { status?: SessionStatus; operator_id?: string }) => {
    const query = new URLSearchParams();
    if (filter.status) query.set('status', filter.status);
    if (filter.operator_id) query.set('operator_id', filter.operator_id);
    return request<Page<Session>>('GET', `/api/v1/sessions?${query.toString()}`);
  },
  session: (id: string) => request<Session>('GET', `/api/v1/sessions/${enc(id)}`),
  messages: (id: string, afterSeq: number) =>
    request<Items<Message>>('GET', `/api/v1/sessions/${enc(id)}/messages?after_seq=${afterSeq}`),
  accept: (id: string) => request<Session>('POST', `/api/v1/sessions/${enc(id)}/accept`),
  send: (id: string, text: string) => request<Message>('POST', `/api/v1/sessions/${enc(id)}/messages`, { text }),
  transfer: (id: string, target: { group_id: string } | { operator_id: string }, note: string) =>
    request<Session>('POST', `/api/v1/sessions/${enc(id)}/transfer`, { ...target, ...(note ? { note } : {}) }),
  end: (id: string) => request<Session>('POST', `/api/v1/sessions/${enc(id)}/end`),

  createInvitation: (label: string | null) =>
    request<Invitation>('POST', '/api/v1/invitations', label ? { label } : {}),
  dial: (to: string) => request<{ call_id: string }>('POST', '/api/v1/telephony/dial', { to }),
  sessionsByPhone: (phone: string) => request<Page<Session>>('GET', `/api/v1/sessions?phone=${enc(phone)}`),
  invitations: (operatorId: string) => request<Page<Invitation>>('GET', `/api/v1/invitations?operator_id=${enc(operatorId)}`),
  invalidateInvitation: (id: string) => request<Invitation>('POST', `/api/v1/invitations/${enc(id)}/invalidate`),
};
