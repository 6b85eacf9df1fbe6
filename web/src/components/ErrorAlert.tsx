// What a failed request tells the user: one alert, with the server's message where there is no
// better one.

import { t } from '../state/lang';

/** "Something went wrong: <message>" for any thrown value. */
export function failureText(err: unknown): string {
  return t('common.error', { message: err instanceof Error ? err.message : String(err) });
}

/** An error alert, or nothing. */
export function ErrorAlert({ text }: { text: string | null }) {
  if (!text) return null;
  return (
    <div class="alert alert-error" role="alert">
      {text}
    </div>
  );
}
