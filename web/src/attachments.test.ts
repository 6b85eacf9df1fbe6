import { describe, expect, it } from 'vitest';
import { attachmentUrl, formatSize, isPicture, MAX_FILE_BYTES, uploadProblem } from './attachments';

describe('attachments', () => {
  it('reads sizes in both languages', () => {
    expect(formatSize(512, 'en')).toBe('512 B');
    expect(formatSize(1536, 'en')).toBe('1.5 kB');
    expect(formatSize(1536, 'cs')).toBe('1,5 kB');
    expect(formatSize(25 * 1024, 'cs')).toBe('25 kB');
    expect(formatSize(3.4 * 1024 * 1024, 'cs')).toBe('3,4 MB');
  });

  it('shows only kept pictures', () => {
    expect(isPicture({ content_type: 'image/png', available: true })).toBe(true);
    expect(isPicture({ content_type: 'image/png', available: false })).toBe(false);
    expect(isPicture({ content_type: 'image/svg+xml', available: true })).toBe(false);
    expect(isPicture({ content_type: 'application/pdf', available: true })).toBe(false);
  });

  it('refuses before uploading what the server would refuse', () => {
    expect(uploadProblem(100, 0)).toBeNull();
    expect(uploadProblem(0, 0)).toBe('empty');
    expect(uploadProblem(MAX_FILE_BYTES + 1, 0)).toBe('tooLarge');
    expect(uploadProblem(MAX_FILE_BYTES, 0)).toBeNull();
    expect(uploadProblem(100, 10)).toBe('tooMany');
  });

  it('builds the download address', () => {
    expect(attachmentUrl('ses_1', 'att_2')).toBe('/api/v1/sessions/ses_1/attachments/att_2');
  });
});
