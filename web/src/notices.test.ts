import { describe, expect, it } from 'vitest';
import { systemText } from './notices';

describe('system messages', () => {
  it('say a transfer and its note in the reader’s language', () => {
    const m = { text: 'Transferred to Petr: invoice', notice: { kind: 'transferred' as const, to: 'Petr', note: 'invoice' } };
    expect(systemText(m, 'en')).toBe('Transferred to Petr: invoice');
    expect(systemText(m, 'cs')).toBe('Předáno: Petr – invoice');
    expect(systemText({ ...m, notice: { kind: 'transferred', to: 'Prodej' } }, 'cs')).toBe('Předáno: Prodej');
  });

  it('name the supervisor who ended a session', () => {
    const m = { text: 'Ended by Boss', notice: { kind: 'ended_by' as const, name: 'Boss' } };
    expect(systemText(m, 'en')).toBe('Ended by Boss');
    expect(systemText(m, 'cs')).toBe('Ukončil(a) Boss');
  });

  it('fall back to the stored text without a notice', () => {
    expect(systemText({ text: 'Something else', notice: null }, 'cs')).toBe('Something else');
    expect(systemText({ text: 'Older message' }, 'cs')).toBe('Older message');
  });
});
