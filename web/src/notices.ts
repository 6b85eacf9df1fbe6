// System messages (a transfer, a session a supervisor ended) in the reader's language: the server
// stores their meaning as a notice beside the English text.
import { callDuration } from './calls';
import { translate, type Lang } from './i18n';
import type { Message } from './types';

/**
 * A system message in the reader's language, from its notice (the stored text is English); the
 * stored text when there is no notice, or one this version does not know.
 */
export function systemText(message: Pick<Message, 'text' | 'notice'>, lang: Lang): string {
  const notice = message.notice;
  switch (notice?.kind) {
    case 'transferred':
      return notice.note
        ? translate(lang, 'notice.transferredWithNote', { to: notice.to, note: notice.note })
        : translate(lang, 'notice.transferred', { to: notice.to });
    case 'ended_by':
      return translate(lang, 'notice.endedBy', { name: notice.name });
    case 'call_started':
      return translate(lang, notice.media === 'video' ? 'notice.callStarted.video' : 'notice.callStarted.audio');
    case 'call_declined':
      return translate(lang, 'notice.callDeclined', { who: translate(lang, `notice.who.${notice.by}`) });
    case 'call_cancelled':
      return translate(lang, 'notice.callCancelled', { who: translate(lang, `notice.who.${notice.by}`) });
    case 'call_ended':
      return translate(lang, 'notice.callEnded', {
        who: translate(lang, `notice.who.${notice.by}`).toLowerCase(),
        time: callDuration(notice.duration_s * 1000),
      });
    default:
      return message.text;
  }
}
