import { describe, expect, it } from 'vitest';
import { cannedQuery, insertCanned, matchCanned } from './canned';

describe('the /shortcut at the cursor', () => {
  it('finds a slash word at the start or after a space', () => {
    expect(cannedQuery('/ce', 3)).toEqual({ start: 0, query: 'ce' });
    expect(cannedQuery('Dobrý den /Cena', 15)).toEqual({ start: 10, query: 'cena' });
    expect(cannedQuery('řádek\n/úč', 9)).toEqual({ start: 6, query: 'úč' });
    expect(cannedQuery('/', 1)).toEqual({ start: 0, query: '' });
  });
  it('leaves addresses, fractions and finished words alone', () => {
    expect(cannedQuery('https://example.com/cena', 24)).toBeNull();
    expect(cannedQuery('1/2', 3)).toBeNull();
    expect(cannedQuery('/cena ', 6)).toBeNull();
    expect(cannedQuery('no slash', 8)).toBeNull();
    // Only what is before the cursor counts.
    expect(cannedQuery('/cena a dál', 3)).toEqual({ start: 0, query: 'ce' });
  });
});

describe('matching and inserting', () => {
  const items = [
    { shortcut: 'cena', title: 'Ceník' },
    { shortcut: 'doprava', title: 'Cena dopravy' },
    { shortcut: 'pozdrav', title: null },
  ];
  it('puts shortcuts that start with the query before titles that contain it', () => {
    expect(matchCanned(items, 'ce').map((a) => a.shortcut)).toEqual(['cena', 'doprava']);
    expect(matchCanned(items, '').map((a) => a.shortcut)).toEqual(['cena', 'doprava', 'pozdrav']);
    expect(matchCanned(items, 'x')).toEqual([]);
    expect(matchCanned(items, '', 2)).toHaveLength(2);
  });
  it('replaces the slash word with the answer and puts the cursor after it', () => {
    expect(insertCanned('Dobrý den /ce a dál', 10, 13, 'Cena je 120 Kč.')).toEqual({ text: 'Dobrý den Cena je 120 Kč. a dál', caret: 25 });
  });
});
