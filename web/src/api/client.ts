// The Hovor REST client: openapi-fetch over the types generated from the server's OpenAPI document
// (schema.gen.ts), so paths, parameters, bodies and answers are checked against the API. Cookie
// auth, the CSRF header on writes, and one error type: every failure is an ApiError.

import createClient from 'openapi-fetch';
import type { NotificationSettingsPatch } from '../alerts';
import type { Attachment, Channel, CompanySettings, Message, GroupPatch, InboxPatch, NewGroup, NewInbox, NewUser, SessionStatus, UserPatch } from '../types';
import type { components, paths } from './schema.gen';

type CallRequest = components['schemas']['CallRequest'];
type Signal = components['schemas']['Signal'];
type NewCanned = components['schemas']['NewCanned'];
type CannedPatch = components['schemas']['CannedPatch'];

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

const client = createClient<paths>({ credentials: 'same-origin', headers: { Accept: 'application/json' } });
client.use({
  onRequest({ request }) {
    if (request.method !== 'GET' && csrfToken) request.headers.set('X-CSRF-Token', csrfToken);
    return request;
  },
});

/** What an openapi-fetch call resolves to: the answer's body (when ok), or the error's. */
type Outcome = { data?: unknown; error?: unknown; response: Response };
/** The body type of a successful answer (openapi-fetch's first union member). */
type Data<R> = R extends { data: infer D } ? D : never;

/** The error from an error answer: `{"error": {"code", "message"}}`, or the HTTP status. */
function failure(response: Response, body: unknown): ApiError {
  const error = typeof body === 'object' && body !== null ? (body as { error?: { code?: unknown; message?: unknown } }).error : undefined;
  const code = typeof error?.code === 'string' ? error.code : `http_${response.status}`;
  const message = typeof error?.message === 'string' ? error.message : response.statusText || code;
  return new ApiError(response.status, code, message);
}

async function settle<R extends Outcome>(pending: Promise<R>): Promise<R> {
  let outcome: R;
  try {
    outcome = await pending;
  } catch (err) {
    // No answer at all (offline, refused, aborted) or one that is not JSON.
    throw new ApiError(0, 'network', err instanceof Error ? err.message : String(err));
  }
  if (!outcome.response.ok) throw failure(outcome.response, outcome.error);
  return outcome;
}

/** The answer's body; throws an ApiError for anything else. */
async function body<R extends Outcome>(pending: Promise<R>): Promise<Data<R>> {
  // openapi-fetch sets `data` exactly when the answer is ok, which settle() has checked.
  return (await settle(pending)).data as Data<R>;
}

/** For answers without a body (204); throws an ApiError for an error answer. */
async function done(pending: Promise<Outcome>): Promise<void> {
  await settle(pending);
}

const path = (id: string) => ({ params: { path: { id } } });

/** A file to the operator's conversation, its bytes as they are (openapi-fetch sends JSON only). */
/** POSTs a file's bytes as they are (the browser's cookie and CSRF token), answering JSON. */
async function postFile<T>(url: string, file: Blob): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', 'Content-Type': 'application/octet-stream' };
  if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', credentials: 'same-origin', headers, body: file });
  } catch (err) {
    throw new ApiError(0, 'network', err instanceof Error ? err.message : String(err));
  }
  const answer: unknown = await response.json().catch(() => null);
  if (!response.ok) throw failure(response, answer);
  return answer as T;
}

/** An upload for the next e-mail reply. */
function uploadAttachment(sessionId: string, file: Blob, name: string): Promise<Attachment> {
  return postFile(`/api/v1/sessions/${encodeURIComponent(sessionId)}/attachments?name=${encodeURIComponent(name)}`, file);
}

/** A file sent in a chat at once, as a message of its own. */
function sendFile(sessionId: string, file: Blob, name: string, clientMsgId: string): Promise<Message> {
  const query = `name=${encodeURIComponent(name)}&client_msg_id=${encodeURIComponent(clientMsgId)}`;
  return postFile(`/api/v1/sessions/${encodeURIComponent(sessionId)}/files?${query}`, file);
}

export const api = {
  login: (email: string, password: string) => body(client.POST('/api/v1/auth/login', { body: { email, password } })),
  logout: () => done(client.POST('/api/v1/auth/logout')),
  me: () => body(client.GET('/api/v1/me')),
  updateNotificationSettings: (patch: NotificationSettingsPatch) =>
    body(client.PATCH('/api/v1/me/notification-settings', { body: patch })),
  pauseTypes: () => body(client.GET('/api/v1/pause-types')),
  createPauseType: (name: string, paid: boolean) => body(client.POST('/api/v1/pause-types', { body: { name, paid } })),
  updatePauseType: (id: string, patch: { name?: string; paid?: boolean; position?: number }) =>
    body(client.PATCH('/api/v1/pause-types/{id}', { ...path(id), body: patch })),
  deletePauseType: (id: string) => done(client.DELETE('/api/v1/pause-types/{id}', path(id))),
  operators: () => body(client.GET('/api/v1/operators')),
  setState: (operatorId: string, status: 'online' | 'away', pauseTypeId: string | null) =>
    body(client.PUT('/api/v1/operators/{id}/state', { ...path(operatorId), body: { status, pause_type_id: pauseTypeId } })),
  stateSummary: (operatorId: string, from: Date, to: Date) =>
    body(
      client.GET('/api/v1/operators/{id}/state-summary', {
        params: { path: { id: operatorId }, query: { from: from.toISOString(), to: to.toISOString() } },
      }),
    ),
  stateHistory: (operatorId: string, from: Date, to: Date) =>
    body(
      client.GET('/api/v1/operators/{id}/state-history', {
        params: { path: { id: operatorId }, query: { from: from.toISOString(), to: to.toISOString() } },
      }),
    ),
  companySettings: () => body(client.GET('/api/v1/company/settings')),
  updateCompanySettings: (patch: Partial<CompanySettings>) =>
    body(client.PATCH('/api/v1/company/settings', { body: patch })),

  setChannel: (operatorId: string, channel: Channel, enabled: boolean) =>
    body(
      client.PUT('/api/v1/operators/{id}/channels/{channel}', {
        params: { path: { id: operatorId, channel } },
        body: { enabled },
      }),
    ),
  groups: () => body(client.GET('/api/v1/groups')),
  createGroup: (group: NewGroup) => body(client.POST('/api/v1/groups', { body: group })),
  updateGroup: (id: string, patch: GroupPatch) => body(client.PATCH('/api/v1/groups/{id}', { ...path(id), body: patch })),
  deleteGroup: (id: string) => done(client.DELETE('/api/v1/groups/{id}', path(id))),
  company: () => body(client.GET('/api/v1/company')),
  apiKeys: () => body(client.GET('/api/v1/api-keys')),
  createApiKey: (name: string, scopes: string[]) => body(client.POST('/api/v1/api-keys', { body: { name, scopes } })),
  revokeApiKey: (id: string) => done(client.DELETE('/api/v1/api-keys/{id}', path(id))),
  webhooks: () => body(client.GET('/api/v1/webhooks')),
  createWebhook: (url: string, events: string[]) => body(client.POST('/api/v1/webhooks', { body: { url, events } })),
  updateWebhook: (id: string, patch: { url?: string; events?: string[]; active?: boolean }) =>
    body(client.PATCH('/api/v1/webhooks/{id}', { ...path(id), body: patch })),
  deleteWebhook: (id: string) => done(client.DELETE('/api/v1/webhooks/{id}', path(id))),
  webhookDeliveries: (id: string) => body(client.GET('/api/v1/webhooks/{id}/deliveries', path(id))),
  retryDelivery: (id: string, attemptId: string) =>
    body(client.POST('/api/v1/webhooks/{id}/deliveries/{attempt_id}/retry', { params: { path: { id, attempt_id: attemptId } } })),
  rotateWebhookSecret: (id: string) => body(client.POST('/api/v1/webhooks/{id}/rotate-secret', path(id))),
  passwordLink: (id: string) => body(client.POST('/api/v1/users/{id}/password-link', path(id))),
  setPassword: (token: string, password: string) => done(client.POST('/api/v1/auth/set-password', { body: { token, password } })),
  users: () => body(client.GET('/api/v1/users')),
  createUser: (user: NewUser) => body(client.POST('/api/v1/users', { body: user })),
  updateUser: (id: string, patch: UserPatch) => body(client.PATCH('/api/v1/users/{id}', { ...path(id), body: patch })),
  deactivateUser: (id: string) => done(client.DELETE('/api/v1/users/{id}', path(id))),
  queue: () => body(client.GET('/api/v1/sessions/queue')),
  sessions: (filter: { status?: SessionStatus; operator_id?: string }) =>
    body(
      client.GET('/api/v1/sessions', {
        params: { query: { status: filter.status || undefined, operator_id: filter.operator_id || undefined } },
      }),
    ),
  openSessions: (status: SessionStatus) => body(client.GET('/api/v1/sessions', { params: { query: { status, limit: 500 } } })),
  operatorsReport: (from: Date, to: Date, bucket: 'day' | 'week', groupId: string | null, tz: string) =>
    body(
      client.GET('/api/v1/reports/operators', {
        params: { query: { from: from.toISOString(), to: to.toISOString(), bucket, tz, ...(groupId ? { group_id: groupId } : {}) } },
      }),
    ),
  queueReport: (from: Date, to: Date, groupId: string | null, tz: string, serviceLevelS: number) =>
    body(
      client.GET('/api/v1/reports/queue', {
        params: {
          query: { from: from.toISOString(), to: to.toISOString(), tz, service_level_s: serviceLevelS, ...(groupId ? { group_id: groupId } : {}) },
        },
      }),
    ),
  wallboard: (since: Date) => body(client.GET('/api/v1/wallboard', { params: { query: { since: since.toISOString() } } })),
  session: (id: string) => body(client.GET('/api/v1/sessions/{id}', path(id))),
  messages: (id: string, afterSeq: number) =>
    body(client.GET('/api/v1/sessions/{id}/messages', { params: { path: { id }, query: { after_seq: afterSeq } } })),
  accept: (id: string) => body(client.POST('/api/v1/sessions/{id}/accept', path(id))),
  decline: (id: string, reason: string) =>
    body(client.POST('/api/v1/sessions/{id}/decline', { ...path(id), body: reason ? { reason } : {} })),
  send: (id: string, text: string, clientMsgId: string) =>
    body(client.POST('/api/v1/sessions/{id}/messages', { ...path(id), body: { text, client_msg_id: clientMsgId } })),
  inboxes: () => body(client.GET('/api/v1/inboxes')),
  createInbox: (inbox: NewInbox) => body(client.POST('/api/v1/inboxes', { body: inbox })),
  updateInbox: (id: string, patch: InboxPatch) => body(client.PATCH('/api/v1/inboxes/{id}', { ...path(id), body: patch })),
  deleteInbox: (id: string) => done(client.DELETE('/api/v1/inboxes/{id}', path(id))),
  sessionEmails: (id: string) => body(client.GET('/api/v1/sessions/{id}/emails', path(id))),
  emailReply: (id: string, text: string, attachments: string[]) =>
    body(client.POST('/api/v1/sessions/{id}/email-reply', { ...path(id), body: { text, attachments } })),
  uploadAttachment,
  sendFile,
  afterChatReady: () => body(client.POST('/api/v1/me/after-chat/ready')),
  transfer: (id: string, target: { group_id: string } | { operator_id: string }, note: string) =>
    body(client.POST('/api/v1/sessions/{id}/transfer', { ...path(id), body: { ...target, ...(note ? { note } : {}) } })),
  end: (id: string) => body(client.POST('/api/v1/sessions/{id}/end', path(id))),
  changeCall: (id: string, change: CallRequest) => body(client.POST('/api/v1/sessions/{id}/call', { ...path(id), body: change })),
  callSignal: (id: string, signal: Signal) => done(client.POST('/api/v1/sessions/{id}/call/signals', { ...path(id), body: signal })),
  iceServers: () => body(client.GET('/api/v1/ice-servers')),
  earlierSessions: (id: string) => body(client.GET('/api/v1/sessions/{id}/earlier', path(id))),
  cannedAnswers: (sessionId?: string) =>
    body(client.GET('/api/v1/canned-answers', { params: { query: sessionId ? { session_id: sessionId } : {} } })),
  createCannedAnswer: (answer: NewCanned) => body(client.POST('/api/v1/canned-answers', { body: answer })),
  updateCannedAnswer: (id: string, patch: CannedPatch) => body(client.PATCH('/api/v1/canned-answers/{id}', { ...path(id), body: patch })),
  deleteCannedAnswer: (id: string) => done(client.DELETE('/api/v1/canned-answers/{id}', path(id))),

  createInvitation: (label: string | null) => body(client.POST('/api/v1/invitations', { body: label ? { label } : {} })),
  dial: (to: string) => body(client.POST('/api/v1/telephony/dial', { body: { to } })),
  sessionsByPhone: (phone: string) => body(client.GET('/api/v1/sessions', { params: { query: { phone } } })),
  invitations: (operatorId: string) => body(client.GET('/api/v1/invitations', { params: { query: { operator_id: operatorId } } })),
  invalidateInvitation: (id: string) => body(client.POST('/api/v1/invitations/{id}/invalidate', path(id))),
};
