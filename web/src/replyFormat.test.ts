import { describe, expect, it } from 'vitest';
import { bulletLines, isFormatted, replyBlocks, wrapSelection } from './replyFormat';

const t = (text: string) => ({ kind: 'text', text });

// The examples of hovor_core::reply_format's tests: the workspace shows what the e-mail's HTML says.
describe('reply formatting', () => {
  it('paragraphs and lines', () => {
    expect(replyBlocks('Dobrý den,\nděkujeme.\n\nTomáš')).toEqual([
      { kind: 'p', lines: [[t('Dobrý den,')], [t('děkujeme.')]] },
      { kind: 'p', lines: [[t('Tomáš')]] },
    ]);
  });

  it('emphasis only where it is meant', () => {
    expect(replyBlocks('Je to **důležité** a _hned_.')).toEqual([
      { kind: 'p', lines: [[t('Je to '), { kind: 'strong', children: [t('důležité')] }, t(' a '), { kind: 'em', children: [t('hned')] }, t('.')]] },
    ]);
    expect(replyBlocks('soubor moje_data_2024.csv, 2 * 3 * 4, ** nic **')).toEqual([
      { kind: 'p', lines: [[t('soubor moje_data_2024.csv, 2 * 3 * 4, ** nic **')]] },
    ]);
    expect(replyBlocks('**tučně s _kurzívou_ uvnitř**')).toEqual([
      { kind: 'p', lines: [[{ kind: 'strong', children: [t('tučně s '), { kind: 'em', children: [t('kurzívou')] }, t(' uvnitř')] }]] },
    ]);
  });

  it('lists and quotes', () => {
    expect(replyBlocks('Postup:\n- vypněte\n- zapněte\n\n1. první\n2. druhý\n> citace\n> dál')).toEqual([
      { kind: 'p', lines: [[t('Postup:')]] },
      { kind: 'ul', items: [[t('vypněte')], [t('zapněte')]] },
      { kind: 'ol', items: [[t('první')], [t('druhý')]] },
      { kind: 'quote', lines: [[t('citace')], [t('dál')]] },
    ]);
  });

  it('links without their full stop, and only http(s)', () => {
    expect(replyBlocks('Viz https://example.com/a?b=1&c=2.')).toEqual([
      { kind: 'p', lines: [[t('Viz '), { kind: 'link', url: 'https://example.com/a?b=1&c=2' }, t('.')]] },
    ]);
    expect(replyBlocks('javascript:alert(1) ftp://x')).toEqual([{ kind: 'p', lines: [[t('javascript:alert(1) ftp://x')]] }]);
  });

  it('knows plain text from formatted', () => {
    expect(isFormatted('Dobrý den,\nděkujeme.')).toBe(false);
    expect(isFormatted('- jedna')).toBe(true);
    expect(isFormatted('**ano**')).toBe(true);
  });

  it('the composer marks the selection', () => {
    expect(wrapSelection('je to důležité', 6, 14, '**')).toEqual({ text: 'je to **důležité**', start: 8, end: 16 });
    expect(wrapSelection('a hned ', 2, 7, '_')).toEqual({ text: 'a _hned_ ', start: 3, end: 7 });
    expect(bulletLines('Postup:\nvypněte\nzapněte', 9, 20)).toEqual({ text: 'Postup:\n- vypněte\n- zapněte', start: 8, end: 27 });
    expect(bulletLines('- a\n- b', 0, 7).text).toBe('a\nb');
  });
});
