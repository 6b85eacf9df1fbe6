import { describe, expect, it } from 'vitest';
import { splitQuoted } from './emailQuote';

describe('quoted text in an e-mail', () => {
  it('folds what follows "On … wrote:" and the > lines', () => {
    const text = 'Thanks, that helps.\r\n\r\nOn Mon, 5 Jan 2026 at 9:00, Podpora <p@firma.cz> wrote:\r\n> It left this morning.\r\n> Tomáš';
    expect(splitQuoted(text)).toEqual({
      fresh: 'Thanks, that helps.',
      quoted: 'On Mon, 5 Jan 2026 at 9:00, Podpora <p@firma.cz> wrote:\n> It left this morning.\n> Tomáš',
    });
  });

  it('knows the Czech mail programs too', () => {
    const text = 'Děkuji.\n\nDne 5. 1. 2026 v 9:00 Podpora napsal(a):\n> Zásilka odešla.';
    expect(splitQuoted(text).fresh).toBe('Děkuji.');
    expect(splitQuoted(text).quoted).toContain('Zásilka odešla.');
  });

  it('folds a trailing run of > lines, but not > lines the client answers between', () => {
    expect(splitQuoted('Yes.\n\n> Is it 42?\n> Or 43?\n').quoted).toBe('> Is it 42?\n> Or 43?');
    const inline = '> Is it 42?\nYes.\n> And the colour?\nRed.';
    expect(splitQuoted(inline)).toEqual({ fresh: inline, quoted: '' });
  });

  it('leaves a message without a quote whole', () => {
    expect(splitQuoted('Hello,\nwhere is my order?')).toEqual({ fresh: 'Hello,\nwhere is my order?', quoted: '' });
  });
});
