import { cannedQuery, insertCanned, matchCanned, type CannedItem } from '../canned';
import { CallBar } from './CallPanel';
import { ConfirmButton } from './ConfirmButton';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api/client';
import { attachmentUrl, formatSize, isPicture, uploadProblem } from '../attachments';
import { CHANNEL_LABEL } from '../channels';
import type { Conversation } from '../conversations';
import { formatWait, shortPage } from '../conversations';
import { callSeconds } from '../phone';
import { formatSince, formatTime } from '../format';
import type { MessageKey } from '../i18n';
import { MAX_EMAIL_REPLY_CHARS, MAX_MESSAGE_CHARS, charCount, draftProblem } from '../messages';
import { splitQuoted } from '../emailQuote';
import { bulletLines, isFormatted, replyBlocks, wrapSelection } from '../replyFormat';
import type { Inline } from '../replyFormat';
import { systemText } from '../notices';
import { clientTyping, closeConversation, emailRevisions, endSession, now, select, sendFile, sendMessage, transfer } from '../state/conversations';
import { sendTyping } from '../state/live';
import { lang, t } from '../state/lang';
import { me } from '../state/me';
import type { Attachment, EarlierSession, EndReason, Group, Message, Session, TeamMember } from '../types';
import { Handset } from './PhoneButton';
import { clientName } from './Queue';

const END_KEY: Record<EndReason, MessageKey> = {
  operator_ended: 'conv.end.operator_ended',
  client_left: 'conv.end.client_left',
  abandoned: 'conv.end.abandoned',
};

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The centre: the selected conversation. */
export function ConversationView({ conv }: { conv: Conversation }) {
  const s = conv.session;
  const name = clientName(s);
  const ended = s.status === 'ended';
  const emails = useEmailDetails(s.id, s.channel === 'email', conv.messages.length);
  return (
    <section class="card conversation" aria-label={t('conv.label', { name })}>
      <div class="conv-head">
        <button type="button" class="btn btn-small" onClick={() => select(null)}>
          <span aria-hidden="true">←</span> {t('conv.back')}
        </button>
        <h1 class="conv-title">{name}</h1>
        <span class="tag">{t(CHANNEL_LABEL[s.channel])}</span>
      </div>
      {emails.subject && (
        <p class="conv-subject small">
          <span class="muted">{t('email.subject')}:</span> {emails.subject}
          {emails.inbox && <span class="muted"> · {t('email.to', { address: emails.inbox })}</span>}
        </p>
      )}
      {!ended && <CallBar session={s} clientName={name} />}
      {s.channel === 'phone' ? (
        <PhoneCall conv={conv} />
      ) : (
        <MessageLog conv={conv} emails={emails.byMessage} />
      )}
      {!ended && (clientTyping.value.get(s.id) ?? 0) > now.value && (
        <p class="typing muted small" aria-live="polite">
          {t('typing.client', { name })}
        </p>
      )}
      {s.channel === 'phone' ? null : ended ? (
        <div class="conv-ended">
          <p role="status">{t(s.end_reason ? END_KEY[s.end_reason] : 'conv.ended')}</p>
          {s.rating && <RatingView rating={s.rating} />}
          <button type="button" class="btn btn-small" onClick={() => closeConversation(s.id)}>
            {t('conv.close')}
          </button>
        </div>
      ) : (
        <Composer key={s.id} sessionId={s.id} byEmail={s.channel === 'email'} />
      )}
    </section>
  );
}

/** The client's rating of an ended conversation: stars, and their words. */
function RatingView({ rating }: { rating: NonNullable<Session['rating']> }) {
  return (
    <div class="rating-view">
      <p>
        {t('rating.given', { score: rating.score })}{' '}
        <span class="rating-stars" role="img" aria-label={t('rating.label', { score: rating.score })}>
          {'★'.repeat(rating.score)}
          <span class="rating-off">{'★'.repeat(5 - rating.score)}</span>
        </span>
      </p>
      {rating.comment && <blockquote class="rating-comment">{rating.comment}</blockquote>}
    </div>
  );
}

/** A phone session: no messages, just who is on the line and for how long. */
function PhoneCall({ conv }: { conv: Conversation }) {
  const s = conv.session;
  const number = s.client.phone ?? t('client.none');
  const seconds = callSeconds(s, now.value);
  return (
    <div class="phone-call" role="group" aria-label={t('phone.callWith', { number })}>
      <Handset class="phone-call-icon" />
      <p class="muted">{t('phone.callTitle')}</p>
      <p class="phone-call-number">{number}</p>
      <p class="muted" aria-live="off">
        {t('phone.duration', { time: formatWait(seconds) })}
      </p>
      {s.status === 'ended' && (
        <div class="conv-ended">
          <p role="status">{t('phone.callEnded')}</p>
          <button type="button" class="btn btn-small" onClick={() => closeConversation(s.id)}>
            {t('conv.close')}
          </button>
        </div>
      )}
    </div>
  );
}

/** What the e-mails API adds to a thread's message: a reply's sending, and the e-mail's files. */
type EmailDetail = { sending: { state: string; error: string | null } | null; files: Attachment[] };
type EmailDetails = {
  byMessage: ReadonlyMap<number, EmailDetail>;
  /** The thread's subject (its first e-mail's), and the company address the client wrote to. */
  subject: string | null;
  inbox: string | null;
};
const NO_EMAILS: EmailDetails = { byMessage: new Map(), subject: null, inbox: null };

/**
 * The e-mails of a thread, by message: read when the conversation opens, gets a message, or hears
 * that a reply went out or failed (`email.send_state_changed`).
 */
function useEmailDetails(sessionId: string, enabled: boolean, count: number): EmailDetails {
  const [details, setDetails] = useState<EmailDetails>(NO_EMAILS);
  const revision = emailRevisions.value.get(sessionId) ?? 0;
  useEffect(() => {
    if (!enabled) {
      setDetails(NO_EMAILS);
      return;
    }
    let live = true;
    api
      .sessionEmails(sessionId)
      .then((page) => {
        if (!live) return;
        const byMessage = new Map<number, EmailDetail>();
        for (const e of page.items) {
          const sending = e.direction === 'out' && e.send_state ? { state: e.send_state, error: e.send_error ?? null } : null;
          byMessage.set(e.message_seq, { sending, files: e.attachments });
        }
        const first = page.items[0];
        const fromClient = page.items.find((e) => e.direction === 'in');
        const replied = page.items.find((e) => e.direction === 'out');
        setDetails({
          byMessage,
          subject: first?.subject || null,
          inbox: replied?.from_address ?? fromClient?.to[0] ?? null,
        });
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [sessionId, enabled, count, revision]);
  return details;
}

function MessageLog({ conv, emails }: { conv: Conversation; emails: ReadonlyMap<number, EmailDetail> }) {
  const ref = useRef<HTMLDivElement>(null);
  const count = conv.messages.length;
  useEffect(() => {
    const el = ref.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [count, conv.session.id]);
  const l = lang.value;
  const myId = me.value?.user.id;
  return (
    <div class="messages" role="log" aria-label={t('conv.messages')} ref={ref}>
      {count === 0 && <p class="muted small msg-empty">{t('conv.noMessages')}</p>}
      <ol class="msg-list">
      {conv.messages.map((m) => (
        <MessageItem
          key={m.seq}
          m={m}
          mine={m.author === 'operator' && m.operator_id === myId}
          client={clientName(conv.session)}
          email={conv.session.channel === 'email'}
          sessionId={conv.session.id}
          detail={emails.get(m.seq) ?? null}
          lang={l}
        />
      ))}
      </ol>
    </div>
  );
}

/** `email`: a message of an e-mail thread, whose quote of earlier messages is folded. */
function MessageItem({
  m,
  mine,
  client,
  email,
  sessionId,
  detail,
  lang: l,
}: {
  m: Message;
  mine: boolean;
  client: string;
  email: boolean;
  sessionId: string;
  /** The e-mail the message is, when it is one: its files, and a reply's sending. */
  detail: EmailDetail | null;
  lang: 'cs' | 'en';
}) {
  const sending = detail?.sending ?? null;
  const author = m.internal
    ? t('conv.internal')
    : m.author === 'client'
      ? client
      : m.author === 'system'
        ? t('conv.system')
        : mine
          ? t('conv.you')
          : (m.operator_name ?? '');
  return (
    <li class={`msg msg-${m.author}${mine ? ' msg-mine' : ''}${m.internal ? ' msg-internal' : ''}`}>
      <div class="msg-meta small">
        <span class="msg-author">{author}</span>
        <time dateTime={m.sent_at}>{formatTime(m.sent_at, l)}</time>
      </div>
      {/* Always text: Preact escapes it; never HTML. */}
      {m.author === 'system' ? (
        <p class="msg-text">{systemText(m, l)}</p>
      ) : email && m.author === 'client' ? (
        <EmailText text={m.text} />
      ) : email && m.author === 'operator' && isFormatted(m.text) ? (
        <FormattedReply text={m.text} />
      ) : m.text || m.attachments.length === 0 ? (
        <p class="msg-text">{m.text}</p>
      ) : null}
      {m.attachments.length > 0 && <FileList sessionId={sessionId} files={m.attachments} lang={l} />}
      {detail && detail.files.length > 0 && <FileList sessionId={sessionId} files={detail.files} lang={l} />}
      {sending && (
        <p class={`msg-sending small${sending.state === 'sent' ? '' : ' is-problem'}`}>
          {sending.state === 'sent'
            ? t('email.sent')
            : sending.state === 'failed'
              ? t('email.failed', { error: sending.error ?? '' })
              : sending.error
                ? t('email.retrying', { error: sending.error })
                : t('email.sending')}
        </p>
      )}
    </li>
  );
}

/** An e-mail's files: pictures as previews, other files as downloads, a file not kept as its name. */
function FileList({ sessionId, files, lang: l }: { sessionId: string; files: Attachment[]; lang: 'cs' | 'en' }) {
  return (
    <ul class="msg-files" aria-label={t('files.label')}>
      {files.map((f) => {
        const size = formatSize(f.size, l);
        const url = attachmentUrl(sessionId, f.id);
        return (
          <li key={f.id} class="msg-file">
            {!f.available ? (
              <span class="msg-file-gone" title={t('files.notKept')}>
                {f.name} ({size}) · {t('files.notKept')}
              </span>
            ) : isPicture(f) ? (
              <a href={url} target="_blank" rel="noopener" class="msg-file-picture">
                <img src={url} alt={f.name} loading="lazy" />
                <span class="small">
                  {f.name} ({size})
                </span>
              </a>
            ) : (
              <a href={url} download={f.name} class="msg-file-link">
                <PaperClip /> {f.name} <span class="muted small">({size})</span>
              </a>
            )}
          </li>
        );
      })}
    </ul>
  );
}

function PaperClip() {
  return (
    <svg class="icon-clip" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
      <path
        d="M10.5 4.5 5.6 9.4a1.4 1.4 0 0 0 2 2l5.2-5.2a2.8 2.8 0 0 0-4-4L3.6 7.4a4.2 4.2 0 0 0 6 6l4-4"
        fill="none"
        stroke="currentColor"
        stroke-width="1.4"
        stroke-linecap="round"
        stroke-linejoin="round"
      />
    </svg>
  );
}

/** A count with the language's digit grouping: 100 000 (Czech), 100,000 (English). */
function grouped(n: number): string {
  return n.toLocaleString(lang.value === 'cs' ? 'cs-CZ' : 'en-GB');
}

/** The workspace's words for why a file was not attached. */
function uploadError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'file_too_large') return t('files.tooLarge');
    if (err.code === 'unsupported_file_type') return t('files.wrongType');
    if (err.code === 'too_many_uploads') return t('files.tooMany');
  }
  return errorText(err);
}

/** Why a file sent in a chat was refused (the company's kinds and size decide). */
function chatFileError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'file_too_large') return err.message || t('files.tooLargeHere');
    if (err.code === 'unsupported_file_type') return t('files.kindNotTaken');
    if (err.code === 'files_off') return t('files.off');
    if (err.code === 'too_many_files') return t('files.tooManyInChat');
    if (err.code === 'empty_file') return t('files.empty');
  }
  return errorText(err);
}

/** An operator's e-mail reply with its basic formatting, as the e-mail's HTML shows it. */
function FormattedReply({ text }: { text: string }) {
  const parts = (line: Inline[]) =>
    line.map((part, i) =>
      part.kind === 'text' ? (
        part.text
      ) : part.kind === 'link' ? (
        <a key={i} href={part.url} target="_blank" rel="noopener noreferrer">
          {part.url}
        </a>
      ) : part.kind === 'strong' ? (
        <strong key={i}>{parts(part.children)}</strong>
      ) : (
        <em key={i}>{parts(part.children)}</em>
      ),
    );
  const lines = (ls: Inline[][]) => ls.map((l, i) => (i === 0 ? parts(l) : [<br key={`br${i}`} />, ...parts(l)]));
  return (
    <div class="msg-text msg-formatted">
      {replyBlocks(text).map((b, i) =>
        b.kind === 'p' ? (
          <p key={i}>{lines(b.lines)}</p>
        ) : b.kind === 'quote' ? (
          <blockquote key={i}>{lines(b.lines)}</blockquote>
        ) : b.kind === 'ul' ? (
          <ul key={i}>
            {b.items.map((item, j) => (
              <li key={j}>{parts(item)}</li>
            ))}
          </ul>
        ) : (
          <ol key={i}>
            {b.items.map((item, j) => (
              <li key={j}>{parts(item)}</li>
            ))}
          </ol>
        ),
      )}
    </div>
  );
}

/** An e-mail's own words, with what it quotes folded away. */
function EmailText({ text }: { text: string }) {
  const { fresh, quoted } = splitQuoted(text);
  return (
    <div class="msg-text msg-email">
      <p class="msg-email-fresh">{fresh}</p>
      {quoted && (
        <details class="msg-quote">
          <summary>{t('conv.quoted')}</summary>
          <p class="msg-quoted">{quoted}</p>
        </details>
      )}
    </div>
  );
}

/** My canned answers and the company's, filled for this conversation (loaded as it opens). */
function useCannedAnswers(sessionId: string): CannedItem[] {
  const [items, setItems] = useState<CannedItem[]>([]);
  useEffect(() => {
    let live = true;
    setItems([]);
    api
      .cannedAnswers(sessionId)
      .then((r) => live && setItems(r.items))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [sessionId]);
  return items;
}

/** `byEmail`: an e-mail thread, answered by an e-mail to the client (sent from the inbox's address). */
function Composer({ sessionId, byEmail }: { sessionId: string; byEmail: boolean }) {
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [files, setFiles] = useState<Attachment[]>([]);
  const [uploading, setUploading] = useState(0);
  const ref = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const canned = useCannedAnswers(sessionId);
  const lastTyping = useRef(0);
  /** The `/shortcut` being typed, and the answer chosen among its matches. */
  const [pick, setPick] = useState<{ start: number; query: string; active: number } | null>(null);
  const matches = pick ? matchCanned(canned, pick.query) : [];
  const choosing = pick !== null && matches.length > 0;
  const active = choosing ? matches[Math.min(pick.active, matches.length - 1)] : undefined;
  const insert = (item: CannedItem) => {
    const el = ref.current;
    if (!el || !pick) return;
    const next = insertCanned(el.value, pick.start, el.selectionStart, item.filled ?? item.text);
    el.value = next.text;
    el.focus();
    el.setSelectionRange(next.caret, next.caret);
    setDraft(next.text);
    setPick(null);
  };
  // Each conversation has a composer of its own (keyed by the session), so its draft starts empty
  // when it is first drawn: clearing it in an effect a frame later could eat what was typed meanwhile.
  useEffect(() => {
    ref.current?.focus();
  }, []);
  /** Bold, italic or a list around the selection, keeping the selection on the same words. */
  const format = (how: 'bold' | 'italic' | 'list') => {
    const el = ref.current;
    if (!el) return;
    const { selectionStart: start, selectionEnd: end } = el;
    const next = how === 'list' ? bulletLines(draft, start, end) : wrapSelection(draft, start, end, how === 'bold' ? '**' : '_');
    // The field and its selection change at once (not a frame later), so a key pressed right
    // after the click lands where the operator sees the cursor; the render then finds the same text.
    el.value = next.text;
    el.focus();
    el.setSelectionRange(next.start, next.end);
    setDraft(next.text);
  };
  const attach = async (chosen: File[]) => {
    setError(null);
    if (!byEmail) {
      // In a chat each file goes at once, as a message of its own.
      for (const file of chosen) {
        setUploading((n) => n + 1);
        try {
          await sendFile(sessionId, file);
        } catch (err) {
          setError(`${file.name}: ${chatFileError(err)}`);
        } finally {
          setUploading((n) => n - 1);
        }
      }
      return;
    }
    let attached = files.length;
    for (const file of chosen) {
      const problem = uploadProblem(file.size, attached);
      if (problem) {
        setError(`${file.name}: ${t(problem === 'tooLarge' ? 'files.tooLarge' : problem === 'empty' ? 'files.empty' : 'files.tooMany')}`);
        continue;
      }
      attached += 1;
      setUploading((n) => n + 1);
      try {
        const stored = await api.uploadAttachment(sessionId, file, file.name);
        setFiles((now) => [...now, stored]);
      } catch (err) {
        attached -= 1;
        setError(`${file.name}: ${uploadError(err)}`);
      } finally {
        setUploading((n) => n - 1);
      }
    }
  };
  const count = charCount(draft);
  const max = byEmail ? MAX_EMAIL_REPLY_CHARS : MAX_MESSAGE_CHARS;
  const problem = draftProblem(draft, max);
  const send = async () => {
    if (problem || busy) return;
    setBusy(true);
    setError(null);
    try {
      await sendMessage(
        sessionId,
        draft,
        files.map((f) => f.id),
      );
      setDraft('');
      setFiles([]);
    } catch (err) {
      setError(t('conv.sendFailed', { message: errorText(err) }));
    } finally {
      setBusy(false);
      ref.current?.focus();
    }
  };
  return (
    <form
      class="composer"
      onSubmit={(ev) => {
        ev.preventDefault();
        void send();
      }}
    >
      {error && (
        <div class="alert alert-error small" role="alert">
          {error}
        </div>
      )}
      {byEmail && (
        <div class="composer-tools" role="toolbar" aria-label={t('format.toolbar')}>
          <button type="button" class="btn btn-small" aria-label={t('format.bold')} title={`${t('format.bold')} (Ctrl+B)`} onClick={() => format('bold')}>
            <strong aria-hidden="true">B</strong>
          </button>
          <button type="button" class="btn btn-small" aria-label={t('format.italic')} title={`${t('format.italic')} (Ctrl+I)`} onClick={() => format('italic')}>
            <em aria-hidden="true">I</em>
          </button>
          <button type="button" class="btn btn-small" aria-label={t('format.list')} title={t('format.list')} onClick={() => format('list')}>
            <span aria-hidden="true">• ≡</span>
          </button>
          <span class="muted small">{t('format.hint')}</span>
        </div>
      )}
      <textarea
        ref={ref}
        rows={byEmail ? 5 : 3}
        value={draft}
        aria-label={t(byEmail ? 'conv.emailReply' : 'conv.message')}
        aria-describedby="composer-hint composer-count"
        aria-autocomplete="list"
        aria-controls={choosing ? 'canned-list' : undefined}
        aria-activedescendant={active ? `canned-${active.id}` : undefined}
        placeholder={t(byEmail ? 'conv.emailReply' : 'conv.message')}
        onInput={(ev) => {
          const el = ev.currentTarget;
          setDraft(el.value);
          // The client sees that I am typing: at most every 2.5 s (chats only; an e-mail is not live).
          if (!byEmail && el.value.trim() && Date.now() - lastTyping.current > 2_500) {
            lastTyping.current = Date.now();
            sendTyping(sessionId);
          }
          const q = cannedQuery(el.value, el.selectionStart);
          setPick(q && { ...q, active: 0 });
        }}
        onBlur={() => setPick(null)}
        onKeyDown={(ev) => {
          if (choosing && pick) {
            const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1 };
            const move = moves[ev.key];
            if (move !== undefined) {
              ev.preventDefault();
              setPick({ ...pick, active: (pick.active + move + matches.length) % matches.length });
              return;
            }
            if ((ev.key === 'Enter' || ev.key === 'Tab') && active && !ev.isComposing) {
              ev.preventDefault();
              insert(active);
              return;
            }
            if (ev.key === 'Escape') {
              ev.preventDefault();
              setPick(null);
              return;
            }
          }
          if (byEmail && (ev.ctrlKey || ev.metaKey) && (ev.key === 'b' || ev.key === 'i')) {
            ev.preventDefault();
            format(ev.key === 'b' ? 'bold' : 'italic');
            return;
          }
          // A chat message goes with Enter; an e-mail is written in lines and goes with Ctrl+Enter.
          const sends = byEmail ? ev.ctrlKey || ev.metaKey : !ev.shiftKey;
          if (ev.key === 'Enter' && sends && !ev.isComposing) {
            ev.preventDefault();
            void send();
          }
        }}
      />
      {choosing && (
        <ul id="canned-list" class="canned-list" role="listbox" aria-label={t('canned.list')}>
          {matches.map((m) => (
            <li
              key={m.id}
              id={`canned-${m.id}`}
              role="option"
              aria-selected={m === active}
              class={m === active ? 'canned-option active' : 'canned-option'}
              onMouseDown={(ev) => {
                // Keeps the field focused (and its cursor) while the answer goes in.
                ev.preventDefault();
                insert(m);
              }}
            >
              <span class="canned-shortcut">/{m.shortcut}</span> <span class="canned-title">{m.title ?? m.filled ?? m.text}</span>
              {m.owner_id === null && <span class="muted small"> · {t('canned.company')}</span>}
            </li>
          ))}
        </ul>
      )}
      {choosing && (
        <p class="visually-hidden" role="status">
          {t('canned.howTo', { count: matches.length })}
        </p>
      )}
      {byEmail && (files.length > 0 || uploading > 0) && (
        <ul class="composer-files" aria-label={t('files.attached')}>
          {files.map((f) => (
            <li key={f.id} class="tag composer-file">
              {f.name} <span class="muted">({formatSize(f.size, lang.value)})</span>
              <button
                type="button"
                class="btn-link"
                aria-label={t('files.remove', { name: f.name })}
                onClick={() => setFiles((now) => now.filter((x) => x.id !== f.id))}
              >
                ×
              </button>
            </li>
          ))}
          {uploading > 0 && (
            <li class="muted small" role="status">
              {t('files.uploading')}
            </li>
          )}
        </ul>
      )}
      {!byEmail && uploading > 0 && (
        <p class="muted small" role="status">
          {t('files.sending')}
        </p>
      )}
      <div class="composer-foot">
        <input
          ref={picker}
          type="file"
          multiple
          hidden
          accept="image/png,image/jpeg,image/gif,image/webp,application/pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp,.txt,.csv"
          onChange={(ev) => {
            const chosen = [...(ev.currentTarget.files ?? [])];
            ev.currentTarget.value = '';
            void attach(chosen);
          }}
        />
        <button type="button" class="btn btn-small" onClick={() => picker.current?.click()}>
          <PaperClip /> {t(byEmail ? 'files.attach' : 'files.send')}
        </button>
        <span id="composer-hint" class="muted small">
          {t(byEmail ? 'conv.hintEmail' : 'conv.hint')}
        </span>
        <span id="composer-count" class={`small ${problem === 'tooLong' ? 'over' : 'muted'}`}>
          {problem === 'tooLong'
            ? t('conv.tooLong', { max: grouped(max) })
            : t('conv.chars', { count: grouped(count), max: grouped(max) })}
        </span>
        <button type="submit" class="btn btn-primary" disabled={problem !== null || busy || uploading > 0}>
          {t(byEmail ? 'conv.sendEmail' : 'conv.send')}
        </button>
      </div>
    </form>
  );
}

/** A returning client's earlier conversations (same browser, e-mail or phone), each with its transcript. */
function EarlierConversations({ session }: { session: Session }) {
  const [items, setItems] = useState<EarlierSession[] | null>(null);
  const l = lang.value;
  useEffect(() => {
    let live = true;
    setItems(null);
    api
      .earlierSessions(session.id)
      .then((r) => live && setItems(r.items))
      .catch(() => live && setItems([]));
    return () => {
      live = false;
    };
  }, [session.id]);
  if (!items || items.length === 0) return null;
  return (
    <section class="card side-card" aria-labelledby="earlier-title">
      <h2 id="earlier-title" class="side-title">
        {t('earlier.title', { count: items.length })}
      </h2>
      <ul class="earlier-list">
        {items.map((e) => (
          <li key={e.session.id} class="earlier-item">
            <span>
              {formatSince(e.session.created_at, l)} · {t(CHANNEL_LABEL[e.session.channel])}
              {e.operator_name ? ` · ${e.operator_name}` : ''}
            </span>
            <span class="muted small">{t(e.matched_by === 'email' ? 'earlier.byEmail' : e.matched_by === 'phone' ? 'earlier.byPhone' : 'earlier.byBrowser')}</span>
            <a
              class="btn-link small"
              href={`/api/v1/sessions/${encodeURIComponent(e.session.id)}/transcript?for=${encodeURIComponent(session.id)}&lang=${l}`}
              download
            >
              {t('earlier.transcript')}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The right column: who the client is, transfer and end. */
export function ClientPanel({ conv }: { conv: Conversation }) {
  const s = conv.session;
  const l = lang.value;
  const page = shortPage(s.page_url);
  const none = t('client.none');
  return (
    <aside class="ws-right">
      <section class="card side-card" aria-labelledby="client-title">
        <h2 id="client-title" class="side-title">
          {t('client.title')}
        </h2>
        <dl class="client-facts">
          <dt>{t('client.name')}</dt>
          <dd>{s.client.name?.trim() || (s.channel === 'phone' ? none : clientName(s))}</dd>
          <dt>{t('client.email')}</dt>
          <dd>{s.client.email ?? none}</dd>
          {s.client.phone && (
            <>
              <dt>{t('client.phone')}</dt>
              <dd>{s.client.phone}</dd>
            </>
          )}
          <dt>{t('client.page')}</dt>
          <dd title={s.page_url ?? undefined}>{page ?? none}</dd>
          <dt>{t('client.started')}</dt>
          <dd>{formatSince(s.created_at, l)}</dd>
        </dl>
        <a class="btn btn-small transcript-link" href={`/api/v1/sessions/${encodeURIComponent(s.id)}/transcript?lang=${l}`} download>
          {t('transcript.download')}
        </a>
      </section>
      <EarlierConversations session={s} />
      {s.status === 'active' && <TransferAndEnd sessionId={s.id} />}
    </aside>
  );
}

function TransferAndEnd({ sessionId }: { sessionId: string }) {
  const [groups, setGroups] = useState<Group[]>([]);
  const [operators, setOperators] = useState<TeamMember[]>([]);
  const [target, setTarget] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const myId = me.value?.user.id;
  useEffect(() => {
    api
      .groups()
      .then((g) => setGroups(g.items))
      .catch(() => undefined);
    api
      .operators()
      .then((p) => setOperators(p.items.filter((o) => o.id !== myId && o.role !== 'admin' && (o.channels?.length ?? 1) > 0)))
      .catch(() => undefined);
  }, [myId]);

  const doTransfer = async (ev: Event) => {
    ev.preventDefault();
    if (!target) return;
    const [kind, id] = target.split(':', 2);
    if (!id) return;
    setBusy(true);
    setError(null);
    try {
      await transfer(sessionId, kind === 'group' ? { group_id: id } : { operator_id: id }, note.trim());
    } catch (err) {
      setError(t('transfer.failed', { message: errorText(err) }));
    } finally {
      setBusy(false);
    }
  };
  const doEnd = async () => {
    setBusy(true);
    setError(null);
    try {
      await endSession(sessionId);
    } catch (err) {
      setError(t('end.failed', { message: errorText(err) }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card side-card" aria-labelledby="transfer-title">
      <h2 id="transfer-title" class="side-title">
        {t('transfer.title')}
      </h2>
      {error && (
        <div class="alert alert-error small" role="alert">
          {error}
        </div>
      )}
      <form class="form transfer-form" onSubmit={(ev) => void doTransfer(ev)}>
        <label class="field">
          <span class="field-label">{t('transfer.target')}</span>
          <select value={target} onChange={(ev) => setTarget(ev.currentTarget.value)}>
            <option value="">{t('transfer.choose')}</option>
            {groups.length > 0 && (
              <optgroup label={t('transfer.groups')}>
                {groups.map((g) => (
                  <option key={g.id} value={`group:${g.id}`}>
                    {g.name}
                  </option>
                ))}
              </optgroup>
            )}
            {operators.length > 0 && (
              <optgroup label={t('transfer.operators')}>
                {operators.map((o) => (
                  <option key={o.id} value={`operator:${o.id}`}>
                    {o.name}
                  </option>
                ))}
              </optgroup>
            )}
          </select>
        </label>
        <label class="field">
          <span class="field-label">{t('transfer.note')}</span>
          <textarea rows={2} maxLength={500} value={note} onInput={(ev) => setNote(ev.currentTarget.value)} />
        </label>
        <button type="submit" class="btn" disabled={busy || !target}>
          {t('transfer.submit')}
        </button>
      </form>
      <div class="end-row">
        <ConfirmButton
          label={t('end.button')}
          question={t('end.question')}
          confirm={t('end.confirm')}
          cancel={t('end.cancel')}
          disabled={busy}
          buttonClass="btn btn-danger btn-block"
          onConfirm={() => void doEnd()}
        />
      </div>
    </section>
  );
}
