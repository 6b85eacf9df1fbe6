// The phone line and the dial pad (pure): reading the server's line, its words, the number typed.

import type { MessageKey, Params } from './i18n';
import type { PhoneLineChanged, Unchecked } from './realtime';
import { isJsonObject } from './payloads';
import type { PhoneLine, PhoneLineReason, Session } from './types';

const REASONS: readonly PhoneLineReason[] = ['channel_off', 'no_extension', 'not_registered', 'connector_down'];

export const REASON_KEY: Readonly<Record<PhoneLineReason, MessageKey>> = {
  channel_off: 'phone.reason.channel_off',
  no_extension: 'phone.reason.no_extension',
  not_registered: 'phone.reason.not_registered',
  connector_down: 'phone.reason.connector_down',
};

export function parsePhoneLine(value: unknown): PhoneLine | null {
  if (!isJsonObject(value)) return null;
  const v: Unchecked<PhoneLine> = value;
  const state = v.state;
  if (state !== 'ready' && state !== 'unavailable') return null;
  const reason = v.reason;
  return {
    extension: typeof v.extension === 'string' ? v.extension : null,
    state,
    reason: typeof reason === 'string' && (REASONS as readonly string[]).includes(reason) ? (reason as PhoneLineReason) : null,
  };
}

/** The data of `operator.phone_line_changed`; a line that cannot be read counts as none. */
export function parsePhoneLineChanged(data: unknown): PhoneLineChanged | null {
  if (!isJsonObject(data)) return null;
  const d: Unchecked<PhoneLineChanged> = data;
  if (typeof d.operator_id !== 'string' || !('phone_line' in d)) return null;
  return {
    operator_id: d.operator_id,
    name: typeof d.name === 'string' ? d.name : '',
    phone_line: d.phone_line === null ? null : parsePhoneLine(d.phone_line),
  };
}

/** The words for a line: "Phone line: ready" or "Phone line unavailable: <reason>". */
export function lineText(line: PhoneLine, translate: (key: MessageKey, params?: Params) => string): string {
  if (line.state === 'ready') return translate('phone.ready');
  const reason = line.reason ? translate(REASON_KEY[line.reason]) : translate('phone.reason.unknown');
  return translate('phone.unavailable', { reason });
}

/** What the dial pad keeps of typed text: digits, one leading +, at most 20 digits. */
export function cleanNumber(raw: string): string {
  const trimmed = raw.trim();
  const plus = trimmed.startsWith('+') ? '+' : '';
  return plus + trimmed.replace(/[^\d*#]+/g, '').slice(0, 20);
}

/** A number worth sending (the server decides for real): 3–20 digits, `*` and `#`, an optional leading +. */
export function dialable(number: string): boolean {
  return /^\+?[\d*#]{3,20}$/.test(number);
}

export type DialProblem =
  | 'phone.err.line_unavailable'
  | 'phone.err.not_configured'
  | 'phone.err.exchange_unreachable'
  | 'phone.err.invalid_number'
  | 'phone.err.failed';

/** What to tell the operator, from the server's own error code (never guessed from the status alone). */
export function dialProblem(status: number, code: string): DialProblem {
  switch (code) {
    case 'line_unavailable':
      return 'phone.err.line_unavailable';
    case 'telephony_not_configured':
      return 'phone.err.not_configured';
    case 'exchange_unreachable':
      return 'phone.err.exchange_unreachable';
    case 'invalid_number':
      return 'phone.err.invalid_number';
    default:
      return status === 422 ? 'phone.err.invalid_number' : 'phone.err.failed';
  }
}

/** Earlier sessions of a number: how many (not counting this one) and the date of the last. */
export function earlierSessions(sessions: readonly Session[], currentId: string): { count: number; last: string | null } {
  const others = sessions.filter((s) => s.id !== currentId);
  let last: string | null = null;
  for (const s of others) if (last === null || Date.parse(s.created_at) > Date.parse(last)) last = s.created_at;
  return { count: others.length, last };
}

/** Seconds a call has lasted: from the answer to the hangup (or now). */
export function callSeconds(session: Session, now: number): number {
  const from = Date.parse(session.accepted_at ?? session.created_at);
  const to = session.ended_at ? Date.parse(session.ended_at) : now;
  if (Number.isNaN(from) || Number.isNaN(to)) return 0;
  return Math.max(0, Math.floor((to - from) / 1000));
}
