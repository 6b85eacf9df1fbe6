// The interface language: the signal every text reads, the choice (kept in localStorage), and
// `t()`. boot() applies the stored or the browser's language.

import { signal } from '@preact/signals';
import { LANG_STORAGE_KEY, detectLang, translate, type Lang, type MessageKey, type Params } from '../i18n';

/** English until boot() reads the stored choice or the browser's language. */
export const lang = signal<Lang>('en');

function readStoredLang(): string | null {
  try {
    return window.localStorage.getItem(LANG_STORAGE_KEY);
  } catch {
    return null;
  }
}

/** At boot: the stored choice, else the browser's language; written to <html lang>. */
export function applyLang(): void {
  lang.value = detectLang(navigator.language, readStoredLang());
  document.documentElement.lang = lang.value;
}

export function setLang(next: Lang): void {
  lang.value = next;
  document.documentElement.lang = next;
  try {
    window.localStorage.setItem(LANG_STORAGE_KEY, next);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
}

/** Translate in the current language (reading `lang` subscribes the calling component). */
export function t(key: MessageKey, params?: Params): string {
  return translate(lang.value, key, params);
}
