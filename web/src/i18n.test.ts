import { describe, expect, it } from 'vitest';
import { DICTIONARIES, detectLang, isLang, translate } from './i18n';

describe('detectLang', () => {
  it('uses Czech for cs and cs-* browser languages', () => {
    expect(detectLang('cs', null)).toBe('cs');
    expect(detectLang('cs-CZ', null)).toBe('cs');
    expect(detectLang('CS-cz', null)).toBe('cs');
  });
  it('uses English for everything else', () => {
    expect(detectLang('en-US', null)).toBe('en');
    expect(detectLang('sk-SK', null)).toBe('en');
    expect(detectLang('csb', null)).toBe('en');
    expect(detectLang('', null)).toBe('en');
    expect(detectLang(undefined, undefined)).toBe('en');
  });
  it('prefers a stored valid choice', () => {
    expect(detectLang('en-US', 'cs')).toBe('cs');
    expect(detectLang('cs-CZ', 'en')).toBe('en');
    expect(detectLang('cs-CZ', 'de')).toBe('cs');
  });
  it('recognises languages', () => {
    expect(isLang('cs')).toBe(true);
    expect(isLang('en')).toBe(true);
    expect(isLang('de')).toBe(false);
    expect(isLang(null)).toBe(false);
  });
});

describe('dictionaries', () => {
  const en = DICTIONARIES.en;
  const cs = DICTIONARIES.cs;
  it('have the same keys in both languages', () => {
    expect(Object.keys(cs).sort()).toEqual(Object.keys(en).sort());
  });
  it('have no empty strings', () => {
    for (const dict of [en, cs]) for (const value of Object.values(dict)) expect(value.trim()).not.toBe('');
  });
  it('use the same placeholders in both languages', () => {
    const names = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const key of Object.keys(en) as (keyof typeof en)[]) expect([key, names(cs[key])]).toEqual([key, names(en[key])]);
  });
  it('translates with the product words', () => {
    expect(translate('en', 'status.away')).toBe('Away');
    expect(translate('cs', 'status.away')).toBe('Pryč');
    expect(translate('en', 'login.submit')).toBe('Log in');
    expect(translate('cs', 'login.submit')).toBe('Přihlásit se');
  });
  it('keep Czech typography in the Czech texts', () => {
    for (const [key, text] of Object.entries(cs)) {
      // A one-letter preposition or conjunction is bound to the next word by a non-breaking space.
      expect([key, /(^|[\s(„])[ksvzouaiKSVZOUAI] /.test(text)]).toEqual([key, false]);
      // Czech quotes „…“ and the spaced en dash, not "…" and an em dash inside a sentence.
      expect([key, text.includes('"') || (text.includes('—') && text !== '—')]).toEqual([key, false]);
    }
  });
  it('fills placeholders and leaves unknown ones', () => {
    expect(translate('en', 'header.profileButton', { name: 'Jana', status: 'Online' })).toBe('Profile: Jana, Online');
    expect(translate('cs', 'header.profileButton', { name: 'Jana' })).toBe('Profil: Jana, {status}');
  });
});
