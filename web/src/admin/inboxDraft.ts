// The inbox form as pure functions: what the admin typed, its problems, and the request it makes.
import type { Inbox, InboxPatch, MailSecurity, NewInbox } from '../types';

export interface ServerDraft {
  host: string;
  port: string;
  security: MailSecurity;
  username: string;
  /** Empty when editing: the stored password stays. */
  password: string;
}

export interface InboxDraft {
  name: string;
  address: string;
  groupId: string;
  imap: ServerDraft;
  folder: string;
  smtp: ServerDraft;
}

/** The usual port of each protocol and security. */
export function defaultPort(protocol: 'imap' | 'smtp', security: MailSecurity): number {
  if (protocol === 'imap') return security === 'tls' ? 993 : 143;
  return security === 'tls' ? 465 : security === 'starttls' ? 587 : 25;
}

export function draftOf(inbox: Inbox | null): InboxDraft {
  if (!inbox) {
    return {
      name: '',
      address: '',
      groupId: '',
      imap: { host: '', port: '993', security: 'tls', username: '', password: '' },
      folder: 'INBOX',
      smtp: { host: '', port: '587', security: 'starttls', username: '', password: '' },
    };
  }
  const server = (s: { host: string; port: number; security: MailSecurity; username: string }): ServerDraft => ({
    host: s.host,
    port: String(s.port),
    security: s.security,
    username: s.username,
    password: '',
  });
  return {
    name: inbox.name,
    address: inbox.address,
    groupId: inbox.group_id ?? '',
    imap: server(inbox.imap),
    folder: inbox.imap.folder,
    smtp: server(inbox.smtp),
  };
}

export type InboxProblem = 'name' | 'address' | 'imapHost' | 'imapPort' | 'imapUser' | 'imapPassword' | 'smtpHost' | 'smtpPort' | 'smtpUser' | 'smtpPassword';

function port(text: string): number | null {
  const n = Number(text.trim());
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : null;
}

/** What is wrong with the draft; `editing`: an empty password keeps the stored one. */
export function draftProblems(d: InboxDraft, editing: boolean): InboxProblem[] {
  const out: InboxProblem[] = [];
  if (!d.name.trim()) out.push('name');
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(d.address.trim())) out.push('address');
  for (const [key, s] of [
    ['imap', d.imap],
    ['smtp', d.smtp],
  ] as const) {
    if (!s.host.trim() || /[\s/]/.test(s.host.trim())) out.push(`${key}Host`);
    if (port(s.port) === null) out.push(`${key}Port`);
    if (!s.username.trim()) out.push(`${key}User`);
    if (!editing && s.password === '') out.push(`${key}Password`);
  }
  return out;
}

function server(s: ServerDraft) {
  return {
    host: s.host.trim(),
    port: port(s.port) ?? 0,
    security: s.security,
    username: s.username.trim(),
    ...(s.password !== '' ? { password: s.password } : {}),
  };
}

export function newInboxBody(d: InboxDraft): NewInbox {
  return {
    name: d.name.trim(),
    address: d.address.trim(),
    group_id: d.groupId || null,
    imap: { ...server(d.imap), folder: d.folder.trim() || 'INBOX' },
    smtp: server(d.smtp),
  };
}

/** The whole form as a change (a password only when one was typed). */
export function inboxPatch(d: InboxDraft): InboxPatch {
  return { ...newInboxBody(d) };
}

/** Either server without encryption: the form warns. */
export function unencrypted(d: InboxDraft): boolean {
  return d.imap.security === 'none' || d.smtp.security === 'none';
}
