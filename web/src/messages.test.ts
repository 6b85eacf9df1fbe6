import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_CHARS, charCount, draftProblem, lastSeqOf, mergeBySeq } from './messages';

describe('mergeBySeq', () => {
  it('sorts, dedupes and keeps identity when unchanged', () => {
    const a = [{ seq: 1 }, { seq: 3 }];
    const merged = mergeBySeq(a, [{ seq: 2 }, { seq: 3 }]);
    expect(merged.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(mergeBySeq(a, [])).toBe(a);
    expect(mergeBySeq(a, [a[0]!])).toBe(a);
  });
  it('ignores non-finite seqs', () => {
    expect(mergeBySeq([], [{ seq: Number.NaN }])).toEqual([]);
  });
  it('finds the last seq', () => {
    expect(lastSeqOf([])).toBe(0);
    expect(lastSeqOf([{ seq: 4 }, { seq: 2 }])).toBe(4);
  });
});

describe('drafts', () => {
  it('refuses empty and too long drafts', () => {
    expect(draftProblem('')).toBe('empty');
    expect(draftProblem('  \n ')).toBe('empty');
    expect(draftProblem('hi')).toBeNull();
    expect(draftProblem('x'.repeat(MAX_MESSAGE_CHARS))).toBeNull();
    expect(draftProblem('x'.repeat(MAX_MESSAGE_CHARS + 1))).toBe('tooLong');
  });
  it('counts characters, not UTF-16 units', () => {
    expect(charCount('😀😀')).toBe(2);
    expect(draftProblem('😀'.repeat(MAX_MESSAGE_CHARS))).toBeNull();
  });
});
