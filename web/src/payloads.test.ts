import { describe, expect, it } from 'vitest';
import { isMessage, readFileTerms } from './payloads';

const message = { seq: 1, author: 'client', text: '', sent_at: 'x', attachments: [] as unknown[] };
const photo = { id: 'att_1', name: 'hrnek.jpg', content_type: 'image/jpeg', size: 1200, available: true };

describe('messages with files', () => {
  it('takes a message only with well-formed files', () => {
    expect(isMessage({ ...message, attachments: [photo] })).toBe(true);
    expect(isMessage({ ...message, attachments: [{ ...photo, size: '1200' }] })).toBe(false);
    expect(isMessage({ ...message, attachments: undefined })).toBe(false);
  });
  it('reads the files a company takes, dropping kinds it does not know', () => {
    expect(readFileTerms({ kinds: ['images', 'exe'], max_mb: 5 })).toEqual({ kinds: ['images'], max_mb: 5 });
    expect(readFileTerms(null)).toEqual({ kinds: [], max_mb: 0 });
    expect(readFileTerms({ kinds: 'images', max_mb: 5 })).toEqual({ kinds: [], max_mb: 0 });
  });
});
