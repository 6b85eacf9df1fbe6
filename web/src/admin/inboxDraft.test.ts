import { describe, expect, it } from 'vitest';
import type { Inbox } from '../types';
import { defaultPort, draftOf, draftProblems, inboxPatch, newInboxBody, unencrypted } from './inboxDraft';

const stored: Inbox = {
  id: 'inb_1',
  name: 'Podpora',
  address: 'podpora@firma.cz',
  group_id: null,
  imap: { host: 'imap.firma.cz', port: 993, security: 'tls', username: 'podpora', folder: 'INBOX' },
  smtp: { host: 'smtp.firma.cz', port: 587, security: 'starttls', username: 'podpora' },
  active: true,
  state: 'ok',
  last_error: null,
  checked_at: null,
};

describe('the inbox form', () => {
  it('names every missing field of a new inbox, passwords included', () => {
    expect(draftProblems(draftOf(null), false)).toEqual([
      'name',
      'address',
      'imapHost',
      'imapUser',
      'imapPassword',
      'smtpHost',
      'smtpUser',
      'smtpPassword',
    ]);
  });

  it('makes the request, trimmed, with the folder and without empty passwords', () => {
    const d = draftOf(null);
    d.name = ' Podpora ';
    d.address = 'podpora@firma.cz';
    d.imap = { host: ' imap.firma.cz ', port: '993', security: 'tls', username: 'podpora', password: 'tajné' };
    d.smtp = { host: 'smtp.firma.cz', port: 'x', security: 'starttls', username: 'podpora', password: 'tajné' };
    expect(draftProblems(d, false)).toEqual(['smtpPort']);
    d.smtp.port = '587';
    expect(newInboxBody(d)).toEqual({
      name: 'Podpora',
      address: 'podpora@firma.cz',
      group_id: null,
      imap: { host: 'imap.firma.cz', port: 993, security: 'tls', username: 'podpora', password: 'tajné', folder: 'INBOX' },
      smtp: { host: 'smtp.firma.cz', port: 587, security: 'starttls', username: 'podpora', password: 'tajné' },
    });
  });

  it('keeps the stored passwords when editing without typing new ones', () => {
    const d = draftOf(stored);
    expect(draftProblems(d, true)).toEqual([]);
    const patch = inboxPatch(d);
    expect(patch.imap && 'password' in patch.imap).toBe(false);
    expect(patch.imap?.folder).toBe('INBOX');
  });

  it('knows the usual ports and warns without encryption', () => {
    expect(defaultPort('imap', 'tls')).toBe(993);
    expect(defaultPort('imap', 'starttls')).toBe(143);
    expect(defaultPort('smtp', 'tls')).toBe(465);
    expect(defaultPort('smtp', 'none')).toBe(25);
    const d = draftOf(stored);
    expect(unencrypted(d)).toBe(false);
    d.smtp.security = 'none';
    expect(unencrypted(d)).toBe(true);
  });
});
