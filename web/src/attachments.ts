// Files of an e-mail thread, as the workspace handles them: the same limits the server keeps
// (checked before an upload, so a file that cannot go is refused at once), sizes in words, and
// which files are shown as pictures.

import type { Attachment } from './types';

/** The server's limit per file (`hovor_core::files::MAX_FILE_BYTES`). */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
/** The most files one reply carries. */
export const MAX_FILES_PER_REPLY = 10;

/** Pictures the browser shows in the page; anything else is a download. */
export function isPicture(file: Pick<Attachment, 'content_type' | 'available'>): boolean {
  return file.available && ['image/png', 'image/jpeg', 'image/gif', 'image/webp'].includes(file.content_type);
}

/** A size as people read it: 512 B, 12 kB, 3.4 MB (Czech with a decimal comma). */
export function formatSize(bytes: number, lang: 'cs' | 'en'): string {
  const decimal = (n: number) => {
    const text = n < 10 ? n.toFixed(1) : Math.round(n).toString();
    return lang === 'cs' ? text.replace('.', ',') : text;
  };
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${decimal(bytes / 1024)} kB`;
  return `${decimal(bytes / (1024 * 1024))} MB`;
}

/** Why a file cannot be attached before it is sent (the server decides what a file is). */
export function uploadProblem(size: number, attached: number): 'tooLarge' | 'empty' | 'tooMany' | null {
  if (attached >= MAX_FILES_PER_REPLY) return 'tooMany';
  if (size === 0) return 'empty';
  if (size > MAX_FILE_BYTES) return 'tooLarge';
  return null;
}

/** Where a file of the conversation is fetched. */
export function attachmentUrl(sessionId: string, attachmentId: string): string {
  return `/api/v1/sessions/${encodeURIComponent(sessionId)}/attachments/${encodeURIComponent(attachmentId)}`;
}
