import { ConfirmButton } from './ConfirmButton';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api/client';
import { CHANNEL_LABEL } from '../channels';
import type { Conversation } from '../conversations';
import { formatWait, shortPage } from '../conversations';
import { callSeconds } from '../phone';
import { formatSince, formatTime } from '../format';
import type { MessageKey } from '../i18n';
import { MAX_MESSAGE_CHARS, charCount, draftProblem } from '../messages';
import { splitQuoted } from '../emailQuote';
import { systemText } from '../notices';
import { closeConversation, endSession, now, select, sendMessage, transfer } from '../state/conversations';
import { lang, t } from '../state/lang';
import { me } from '../state/me';
import type { EndReason, Group, Message, TeamMember } from '../types';
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
  return (
    <section class="card conversation" aria-label={t('conv.label', { name })}>
      <div class="conv-head">
        <button type="button" class="btn btn-small" onClick={() => select(null)}>
          <span aria-hidden="true">←</span> {t('conv.back')}
        </button>
        <h1 class="conv-title">{name}</h1>
        <span class="tag">{t(CHANNEL_LABEL[s.channel])}</span>
      </div>
      {s.channel === 'phone' ? (
        <PhoneCall conv={conv} />
      ) : (
        <MessageLog conv={conv} />
      )}
      {s.channel === 'phone' ? null : ended ? (
        <div class="conv-ended">
          <p role="status">{t(s.end_reason ? END_KEY[s.end_reason] : 'conv.ended')}</p>
          <button type="button" class="btn btn-small" onClick={() => closeConversation(s.id)}>
            {t('conv.close')}
          </button>
        </div>
      ) : (
        <Composer sessionId={s.id} byEmail={s.channel === 'email'} />
      )}
    </section>
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

/** How each e-mail reply of the conversation is being sent, by its message's seq. */
type SendStates = ReadonlyMap<number, { state: string; error: string | null }>;

/**
 * The send state of an e-mail thread's replies: read when the conversation opens or gets a message,
 * and again every few seconds while a reply waits to go out.
 */
function useSendStates(sessionId: string, enabled: boolean, count: number): SendStates {
  const [states, setStates] = useState<SendStates>(new Map());
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    api
      .sessionEmails(sessionId)
      .then((page) => {
        if (!live) return;
        const next = new Map<number, { state: string; error: string | null }>();
        for (const e of page.items) {
          if (e.direction === 'out' && e.send_state) next.set(e.message_seq, { state: e.send_state, error: e.send_error ?? null });
        }
        setStates(next);
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [sessionId, enabled, count, tick]);
  const waiting = [...states.values()].some((s) => s.state === 'pending');
  useEffect(() => {
    if (!waiting) return;
    const timer = setTimeout(() => setTick((n) => n + 1), 3000);
    return () => clearTimeout(timer);
  }, [waiting, tick]);
  return states;
}

function MessageLog({ conv }: { conv: Conversation }) {
  const ref = useRef<HTMLDivElement>(null);
  const count = conv.messages.length;
  const sendStates = useSendStates(conv.session.id, conv.session.channel === 'email', count);
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
          sending={sendStates.get(m.seq) ?? null}
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
  sending,
  lang: l,
}: {
  m: Message;
  mine: boolean;
  client: string;
  email: boolean;
  /** An e-mail reply's sending, when the message is one. */
  sending: { state: string; error: string | null } | null;
  lang: 'cs' | 'en';
}) {
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
      ) : (
        <p class="msg-text">{m.text}</p>
      )}
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

/** `byEmail`: an e-mail thread, answered by an e-mail to the client (sent from the inbox's address). */
function Composer({ sessionId, byEmail }: { sessionId: string; byEmail: boolean }) {
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    setDraft('');
    setError(null);
    ref.current?.focus();
  }, [sessionId]);
  const count = charCount(draft);
  const problem = draftProblem(draft);
  const send = async () => {
    if (problem || busy) return;
    setBusy(true);
    setError(null);
    try {
      await sendMessage(sessionId, draft);
      setDraft('');
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
      <textarea
        ref={ref}
        rows={3}
        value={draft}
        aria-label={t(byEmail ? 'conv.emailReply' : 'conv.message')}
        aria-describedby="composer-hint composer-count"
        placeholder={t(byEmail ? 'conv.emailReply' : 'conv.message')}
        onInput={(ev) => setDraft(ev.currentTarget.value)}
        onKeyDown={(ev) => {
          if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
            ev.preventDefault();
            void send();
          }
        }}
      />
      <div class="composer-foot">
        <span id="composer-hint" class="muted small">
          {t('conv.hint')}
        </span>
        <span id="composer-count" class={`small ${problem === 'tooLong' ? 'over' : 'muted'}`}>
          {problem === 'tooLong' ? t('conv.tooLong', { max: MAX_MESSAGE_CHARS }) : t('conv.chars', { count, max: MAX_MESSAGE_CHARS })}
        </span>
        <button type="submit" class="btn btn-primary" disabled={problem !== null || busy}>
          {t(byEmail ? 'conv.sendEmail' : 'conv.send')}
        </button>
      </div>
    </form>
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
      </section>
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
