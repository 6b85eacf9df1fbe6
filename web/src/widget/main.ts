// The Hovor chat widget: one self-contained script a website embeds with
//   <script src="https://HOST/widget.js" data-company="demo" async></script>
// It renders into a Shadow DOM (the page's CSS cannot reach in, ours cannot leak out), talks only to
// the origin it was loaded from, and renders every client/operator text with textContent.

import { backoffMs, SeqTracker } from '../seq';
import { draftProblem, lastSeqOf, MAX_MESSAGE_CHARS, mergeBySeq } from '../messages';
import { widgetLang, wt, type WidgetKey, type WidgetLang } from './i18n';
import {
  apiBase,
  asMessage,
  asView,
  chatKey,
  invitationChatKey,
  invitationOutboxKey,
  newMessageId,
  outboxKey,
  parseClientFrame,
  parseOutbox,
  parseStoredChat,
  queueText,
  redeemProblem,
  withPending,
  withoutPending,
  type Availability,
  type CryptoLike,
  type ClientMessage,
  type Pending,
  type SessionView,
  type StoredChat,
  visiblePending,
  wsUrlFor,
} from './model';
import css from './widget.css?inline';

const POLL_MS = 15_000;
const RETRY_MS = 4_000;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(code);
  }
}

type Phase = 'start' | 'waiting' | 'active' | 'ended';

/** A company's chat (the launcher button), or one operator's invitation (the Connect button). */
export type WidgetMode = { kind: 'company'; company: string } | { kind: 'invitation'; code: string; operator: string | null };

interface WidgetOptions {
  base: string;
  mode: WidgetMode;
  root: ShadowRoot;
  lang: WidgetLang;
  /** Rendered in the page (the invitation landing page), always open, without the launcher. */
  inline: boolean;
}

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const c of children) el.append(c); // strings become text nodes: never HTML
  return el;
}

function readStorage(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}
function writeStorage(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Storage blocked: the chat works for this page view only.
  }
}

class Widget {
  private readonly lang: WidgetLang;
  private readonly base: string;
  private readonly mode: WidgetMode;
  private readonly inline: boolean;
  private readonly chatStorageKey: string;
  private readonly outboxStorageKey: string;
  private availability: Availability | null = null;
  private phase: Phase = 'start';
  private open = false;
  private chat: StoredChat | null;
  private outbox: Pending[];
  private messages: ClientMessage[] = [];
  private view: SessionView | null = null;
  private failed = new Set<string>();
  private notice: string | null = null;
  private socket: WebSocket | null = null;
  private readonly tracker = new SeqTracker();
  private failures = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private flushing = false;
  private connected = false;

  // DOM
  private readonly button: HTMLButtonElement;
  private readonly dot: HTMLSpanElement;
  private readonly panel: HTMLDivElement;
  private readonly body: HTMLDivElement;
  private readonly status: HTMLParagraphElement;
  private draft = '';

  constructor(options: WidgetOptions) {
    const { base, mode, root, lang, inline } = options;
    this.base = base;
    this.mode = mode;
    this.lang = lang;
    this.inline = inline;
    this.chatStorageKey = mode.kind === 'company' ? chatKey(mode.company) : invitationChatKey(mode.code);
    this.outboxStorageKey = mode.kind === 'company' ? outboxKey(mode.company) : invitationOutboxKey(mode.code);
    this.chat = parseStoredChat(readStorage(this.chatStorageKey));
    this.outbox = parseOutbox(readStorage(this.outboxStorageKey));
    // An invitation opens at once (its page is about nothing else).
    this.open = mode.kind === 'invitation' ? true : (this.chat?.open ?? false);

    root.append(h('style', {}, css));
    const wrap = h('div', { class: `root${inline ? ' inline' : ''}`, lang: this.lang });
    this.dot = h('span', { class: 'dot', 'aria-hidden': 'true' });
    this.button = h('button', { type: 'button', class: 'launcher', 'aria-label': this.t('button'), 'aria-expanded': 'false' });
    this.button.append(this.icon(), this.dot);
    this.button.addEventListener('click', () => this.setOpen(!this.open));
    this.status = h('p', { class: 'status', role: 'status' });
    this.body = h('div', { class: 'body' });
    const title = this.title();
    const head = h('div', { class: 'head' }, h('h2', {}, title));
    if (!inline) {
      const close = h('button', { type: 'button', class: 'close', 'aria-label': this.t('close') }, '×');
      close.addEventListener('click', () => this.setOpen(false));
      head.append(close);
    }
    this.panel = h(
      'div',
      { class: 'panel', role: inline ? 'region' : 'dialog', 'aria-label': title, hidden: '' },
      head,
      this.status,
      this.body,
    );
    wrap.append(this.panel);
    if (!inline) wrap.append(this.button);
    root.append(wrap);

    if (this.chat) void this.rejoin();
    else this.render();
    if (mode.kind === 'company') {
      void this.pollAvailability();
      setInterval(() => {
        if (!this.open || this.phase === 'start') void this.pollAvailability();
      }, POLL_MS);
    }
    window.addEventListener('online', () => {
      if (this.chat && !this.connected) this.connectNow();
    });
  }

  private t(key: WidgetKey, params?: Readonly<Record<string, string | number>>): string {
    return wt(this.lang, key, params);
  }

  /** The invited operator's name (or "the operator" when the page did not say). */
  private operatorName(): string {
    return this.mode.kind === 'invitation' && this.mode.operator ? this.mode.operator : this.t('theOperator');
  }

  private title(): string {
    return this.mode.kind === 'invitation' ? this.t('invitationTitle', { name: this.operatorName() }) : this.t('title');
  }

  private icon(): SVGSVGElement {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    const path = document.createElementNS(ns, 'path');
    path.setAttribute('d', 'M5 5h14a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2h-8l-5 4v-4H5a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2z');
    path.setAttribute('fill', 'currentColor');
    svg.append(path);
    return svg;
  }

  // ---- HTTP ------------------------------------------------------------------------------------

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown, auth = true): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (auth && this.chat) headers['Authorization'] = `Bearer ${this.chat.client_token}`;
    let res: Response;
    try {
      res = await fetch(new URL(path, this.base).href, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        credentials: 'omit',
        mode: 'cors',
      });
    } catch {
      throw new HttpError(0, 'network');
    }
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (!res.ok) {
      const err = (json as { error?: { code?: unknown } } | null)?.error;
      throw new HttpError(res.status, typeof err?.code === 'string' ? err.code : `http_${res.status}`);
    }
    return json as T;
  }

  private async pollAvailability(): Promise<void> {
    if (this.mode.kind !== 'company') return;
    try {
      const r = await this.call<{ state?: unknown }>(
        'GET',
        `api/v1/client/availability?company=${encodeURIComponent(this.mode.company)}&channel=chat`,
        undefined,
        false,
      );
      const state = r.state;
      this.availability = state === 'online' || state === 'busy' || state === 'offline' ? state : null;
    } catch {
      // keep the last known state
    }
    this.renderLauncher();
    if (this.phase === 'start') this.render();
  }

  // ---- session lifecycle -------------------------------------------------------------------------

  private saveChat(): void {
    writeStorage(this.chatStorageKey, this.chat ? JSON.stringify({ ...this.chat, open: this.open }) : null);
  }
  private saveOutbox(): void {
    writeStorage(this.outboxStorageKey, this.outbox.length ? JSON.stringify(this.outbox) : null);
  }

  private setOpen(open: boolean): void {
    this.open = open;
    if (this.chat) this.saveChat();
    if (open && this.phase === 'start') void this.pollAvailability();
    this.render();
    if (open) this.focusFirst();
  }

  private focusFirst(): void {
    const target = this.body.querySelector<HTMLElement>('textarea, input, button');
    target?.focus();
  }

  private async start(name: string, email: string): Promise<void> {
    if (this.mode.kind !== 'company') return;
    this.notice = null;
    try {
      const r = await this.call<{ session: unknown; client_token: string }>(
        'POST',
        'api/v1/client/sessions',
        {
          company: this.mode.company,
          channel: 'chat',
          ...(name ? { name } : {}),
          ...(email ? { email } : {}),
          page_url: location.href,
        },
        false,
      );
      const view = asView({ session: r.session });
      if (!view || typeof r.client_token !== 'string') throw new HttpError(500, 'bad_response');
      this.chat = { session_id: view.session.id, client_token: r.client_token, open: true };
      this.saveChat();
      this.messages = [];
      this.tracker.reset();
      this.applyView(view);
      this.connectNow();
      void this.refreshView();
    } catch (err) {
      if (err instanceof HttpError && err.code === 'no_operator_available') {
        this.availability = 'offline';
        this.notice = this.t('noOperator');
      } else {
        this.notice = this.t('startFailed');
      }
      this.render();
    }
  }

  /** Connect on an invitation: redeem the code; the conversation goes on as a chat. */
  private async redeem(): Promise<void> {
    if (this.mode.kind !== 'invitation') return;
    this.notice = null;
    try {
      const r = await this.call<{ session: unknown; client_token: string }>(
        'POST',
        `api/v1/client/invitations/${encodeURIComponent(this.mode.code)}/redeem`,
        undefined,
        false,
      );
      const view = asView({ session: r.session });
      if (!view || typeof r.client_token !== 'string') throw new HttpError(500, 'bad_response');
      this.chat = { session_id: view.session.id, client_token: r.client_token, open: true };
      this.saveChat();
      this.messages = [];
      this.tracker.reset();
      this.applyView(view);
      this.connectNow();
      void this.refreshView();
    } catch (err) {
      this.notice = err instanceof HttpError ? this.t(redeemProblem(err.status, err.code)) : this.t('invitationFailed');
      this.render();
    }
  }

  /** After a reload: load the stored session, its messages, and reconnect. */
  private async rejoin(): Promise<void> {
    const ok = await this.refreshView();
    if (!ok) return;
    await this.fetchMessages();
    if (this.phase !== 'ended') this.connectNow();
    void this.flushOutbox();
  }

  private async refreshView(): Promise<boolean> {
    const chat = this.chat;
    if (!chat) return false;
    try {
      const v = asView(await this.call<unknown>('GET', `api/v1/client/sessions/${encodeURIComponent(chat.session_id)}`));
      if (v) this.applyView(v);
      return true;
    } catch (err) {
      if (err instanceof HttpError && (err.status === 404 || err.status === 401 || err.status === 403)) {
        this.forget();
        return false;
      }
      this.render();
      return true;
    }
  }

  private async fetchMessages(): Promise<void> {
    const chat = this.chat;
    if (!chat) return;
    try {
      const r = await this.call<{ items?: unknown[] }>(
        'GET',
        `api/v1/client/sessions/${encodeURIComponent(chat.session_id)}/messages?after_seq=${lastSeqOf(this.messages)}`,
      );
      const items = (r.items ?? []).map(asMessage).filter((m): m is ClientMessage => m !== null);
      this.addMessages(items);
    } catch {
      // retried after the next reconnect
    }
  }

  private applyView(view: SessionView): void {
    this.view = view;
    const s = view.session.status;
    const next: Phase = s === 'ended' ? 'ended' : s === 'active' ? 'active' : 'waiting';
    if (next === 'ended' && this.phase !== 'ended') {
      this.disconnect();
      if (this.outbox.length) {
        this.outbox = [];
        this.saveOutbox();
      }
    }
    const changed = next !== this.phase;
    this.phase = next;
    // Same phase (a new queue position, a poll): only the status line changes; keep the composer as is.
    if (changed || !this.body.hasChildNodes()) this.render();
    else this.renderStatus();
  }

  private addMessages(items: ClientMessage[]): void {
    const merged = mergeBySeq(this.messages, items);
    if (merged === this.messages) return;
    this.messages = merged;
    this.renderMessages();
  }

  private forget(): void {
    this.disconnect();
    this.chat = null;
    this.view = null;
    this.messages = [];
    this.outbox = [];
    this.failed.clear();
    this.tracker.reset();
    this.phase = 'start';
    this.saveChat();
    this.saveOutbox();
    this.render();
    void this.pollAvailability();
  }

  private async leave(): Promise<void> {
    const chat = this.chat;
    if (!chat) return;
    try {
      const r = await this.call<{ session: unknown }>('POST', `api/v1/client/sessions/${encodeURIComponent(chat.session_id)}/leave`);
      const v = asView({ session: r.session });
      if (v) this.applyView(v);
    } catch (err) {
      if (err instanceof HttpError && err.status === 409) void this.refreshView();
    }
  }

  // ---- sending (outbox with idempotent ids) ------------------------------------------------------

  private send(text: string): void {
    const problem = draftProblem(text);
    if (problem === 'empty') return;
    if (problem === 'tooLong') {
      this.notice = this.t('tooLong', { max: MAX_MESSAGE_CHARS });
      this.render();
      return;
    }
    this.notice = null;
    this.outbox = withPending(this.outbox, {
      id: newMessageId(globalThis.crypto as CryptoLike | undefined),
      text,
      after: lastSeqOf(this.messages),
    });
    this.saveOutbox();
    this.draft = '';
    this.render();
    void this.flushOutbox();
  }

  /** Sends pending messages in order, each with its own id; stops at the first failure and retries. */
  private async flushOutbox(): Promise<void> {
    if (this.flushing || !this.chat || this.phase === 'ended') return;
    this.flushing = true;
    try {
      while (this.outbox.length > 0 && this.chat) {
        const item = this.outbox[0]!;
        try {
          const m = asMessage(
            await this.call<unknown>('POST', `api/v1/client/sessions/${encodeURIComponent(this.chat.session_id)}/messages`, {
              text: item.text,
              client_msg_id: item.id,
            }),
          );
          this.outbox = withoutPending(this.outbox, item.id);
          this.failed.delete(item.id);
          this.saveOutbox();
          if (m) this.addMessages([m]);
          this.renderMessages();
        } catch (err) {
          const status = err instanceof HttpError ? err.status : 0;
          if (status === 0 || status >= 500 || status === 429) {
            // Temporary: keep it (same id) and try again later.
            this.failed.add(item.id);
            if (status === 429) this.notice = this.t('tooMany');
            this.renderMessages();
            this.scheduleRetry();
            return;
          }
          // Permanent (too long, empty, ended, …): drop it.
          this.outbox = withoutPending(this.outbox, item.id);
          this.saveOutbox();
          if (err instanceof HttpError && err.code === 'session_ended') void this.refreshView();
          this.renderMessages();
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer !== null) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.flushOutbox();
    }, RETRY_MS);
  }

  // ---- WebSocket ---------------------------------------------------------------------------------

  private connectNow(): void {
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const chat = this.chat;
    if (!chat || this.phase === 'ended') return;
    const old = this.socket;
    this.socket = null;
    old?.close();
    let socket: WebSocket;
    try {
      socket = new WebSocket(wsUrlFor(this.base, chat.client_token, this.tracker.lastSeq));
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    let greeted = false;
    socket.onmessage = (ev: MessageEvent) => {
      if (this.socket !== socket || typeof ev.data !== 'string') return;
      const f = parseClientFrame(ev.data);
      switch (f.type) {
        case 'hello':
          greeted = true;
          this.failures = 0;
          this.tracker.hello(f.last_seq);
          this.setConnected(true);
          if (f.view) this.applyView(f.view);
          // Whatever happened while we were away: fetch it (deduplicated by seq).
          void this.fetchMessages();
          void this.flushOutbox();
          break;
        case 'message':
          if (this.tracker.accept(f.seq)) this.addMessages([f.message]);
          break;
        case 'session':
          if (this.tracker.accept(f.seq)) this.applyView(f.view);
          break;
        case 'other-event':
          this.tracker.accept(f.seq);
          break;
        case 'ping':
          socket.send('{"type":"pong"}');
          break;
        case 'ignore':
          break;
      }
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.setConnected(false);
      if (!greeted) this.failures += 1;
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    if (!this.chat || this.phase === 'ended') return;
    this.renderStatus();
    if (this.failures > 1) {
      // The socket keeps failing (a proxy, a server restart): meanwhile, poll over HTTP.
      void this.refreshView();
      void this.fetchMessages();
    }
    const delay = backoffMs(Math.max(0, this.failures - 1));
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connectNow();
    }, delay);
  }

  private disconnect(): void {
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const s = this.socket;
    this.socket = null;
    s?.close(1000);
    this.setConnected(false);
  }

  private setConnected(up: boolean): void {
    if (this.connected === up) return;
    this.connected = up;
    this.renderStatus();
  }

  // ---- rendering -----------------------------------------------------------------------------------

  private renderLauncher(): void {
    this.dot.className = `dot dot-${this.chat ? 'online' : (this.availability ?? 'unknown')}`;
    this.button.setAttribute('aria-expanded', String(this.open));
    this.button.title = this.availability ? this.t(this.availability === 'online' ? 'online' : this.availability) : this.t('button');
  }

  private renderStatus(): void {
    const parts: string[] = [];
    if (this.phase === 'waiting' && this.view) {
      if (this.mode.kind === 'invitation') {
        // Waiting = the operator cannot take it now (not online); offered = ringing at the operator.
        const key = this.view.session.status === 'offered' ? 'invitationOffered' : 'invitationWaiting';
        parts.push(this.t(key, { name: this.operatorName() }));
      } else {
        parts.push(queueText(this.lang, this.view.queue_position, this.view.estimated_wait_s));
      }
    }
    if (this.chat && !this.connected && this.failures > 0 && this.phase !== 'ended') parts.push(this.t('reconnecting'));
    const text = parts.join(' · ');
    this.status.textContent = text;
    this.status.hidden = text === '';
  }

  private render(): void {
    this.renderLauncher();
    this.panel.hidden = !this.open && !this.inline;
    this.renderStatus();
    if (!this.open && !this.inline) return;
    const active = (this.panel.getRootNode() as ShadowRoot).activeElement;
    const focused = active !== null && this.body.contains(active);
    this.body.replaceChildren();
    if (this.notice) this.body.append(h('p', { class: 'notice', role: 'alert' }, this.notice));
    if (this.phase === 'start') {
      if (this.mode.kind === 'invitation') this.renderConnect();
      else this.renderStart();
    }
    else if (this.phase === 'ended') this.renderEnded();
    else this.renderConversation();
    if (focused) this.focusFirst();
  }


  private renderStart(): void {
    if (this.availability === 'offline') {
      this.body.append(h('div', { class: 'offline' }, h('h3', {}, this.t('offlineTitle')), h('p', {}, this.t('offline'))));
      return;
    }
    if (this.availability === 'busy') this.body.append(h('p', { class: 'busy' }, this.t('busy')));
    const name = h('input', { type: 'text', autocomplete: 'name', maxlength: '100' });
    const email = h('input', { type: 'email', autocomplete: 'email', maxlength: '200' });
    const submit = h('button', { type: 'submit', class: 'primary' }, this.t('start'));
    const form = h(
      'form',
      { class: 'start' },
      h('p', { class: 'intro' }, this.t('startIntro')),
      h('label', {}, h('span', {}, this.t('name')), name),
      h('label', {}, h('span', {}, this.t('email')), email),
      submit,
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      submit.disabled = true;
      submit.textContent = this.t('starting');
      void this.start(name.value.trim(), email.value.trim());
    });
    this.body.append(form);
  }

  private renderConnect(): void {
    const intro = h('p', { class: 'intro', id: 'invitation-intro' }, this.t('invitationIntro', { name: this.operatorName() }));
    const connect = h('button', { type: 'button', class: 'primary connect', 'aria-describedby': 'invitation-intro' }, this.t('connect'));
    connect.addEventListener('click', () => {
      connect.disabled = true;
      connect.textContent = this.t('connecting');
      void this.redeem();
    });
    this.body.append(h('div', { class: 'start' }, intro, connect));
  }

  private renderEnded(): void {
    const log = h('div', { class: 'log', role: 'log', 'aria-label': this.t('messages') });
    this.fillLog(log);
    const again = h('button', { type: 'button', class: 'primary' }, this.t(this.mode.kind === 'invitation' ? 'connectAgain' : 'newChat'));
    again.addEventListener('click', () => this.forget());
    this.body.append(log, h('div', { class: 'ended' }, h('p', { role: 'status' }, this.t('ended')), again));
    log.scrollTop = log.scrollHeight;
  }

  private renderConversation(): void {
    const log = h('div', { class: 'log', role: 'log', 'aria-label': this.t('messages') });
    this.fillLog(log);
    const area = h('textarea', { rows: '2', 'aria-label': this.t('message'), placeholder: this.t('message') });
    area.value = this.draft;
    area.addEventListener('input', () => {
      this.draft = area.value;
    });
    area.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        this.send(area.value);
      }
    });
    const sendBtn = h('button', { type: 'submit', class: 'primary' }, this.t('send'));
    const form = h('form', { class: 'composer' }, area, sendBtn);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.send(area.value);
    });
    const leave = h('button', { type: 'button', class: 'leave' }, this.t('leave'));
    leave.addEventListener('click', () => void this.leave());
    this.body.append(log, form, leave);
    log.scrollTop = log.scrollHeight;
  }

  private fillLog(log: HTMLElement): void {
    const list = h('ol', {});
    for (const m of this.messages) {
      const who = m.author === 'client' ? this.t('you') : m.author === 'system' ? this.t('system') : (m.operator_name ?? this.t('operator'));
      list.append(h('li', { class: `msg msg-${m.author}` }, h('span', { class: 'who' }, who), h('p', { class: 'text' }, m.text)));
    }
    for (const p of visiblePending(this.outbox, this.messages)) {
      const state = this.failed.has(p.id) ? this.t('notSent') : this.t('sending');
      list.append(
        h('li', { class: `msg msg-client pending${this.failed.has(p.id) ? ' failed' : ''}` }, h('span', { class: 'who' }, state), h('p', { class: 'text' }, p.text)),
      );
    }
    log.append(list);
  }

  private renderMessages(): void {
    const log = this.body.querySelector<HTMLElement>('.log');
    if (!log) return;
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    log.replaceChildren();
    this.fillLog(log);
    if (atBottom) log.scrollTop = log.scrollHeight;
  }
}

function boot(): void {
  const script =
    (document.currentScript as HTMLScriptElement | null) ??
    document.querySelector<HTMLScriptElement>('script[data-company][src*="widget.js"], script[data-invitation][src*="widget.js"]');
  if (!script) return;
  const company = script.dataset['company'];
  const code = script.dataset['invitation'];
  if (!company && !code) return;
  const base = apiBase(script.src, location.href);
  const lang = widgetLang(navigator.language, script.dataset['lang']);
  const mount = () => {
    if (code) {
      // The landing page of an invitation: render into its placeholder (or float, opened, if missing).
      const slot = document.getElementById('hovor-invitation');
      const operator = slot?.dataset['operator'] ?? null;
      // A used or invalidated code's page (410) may still load us: only the browser that redeemed it
      // (its conversation is stored) rejoins; anyone else just reads why the link no longer works.
      if (slot?.dataset['gone']) {
        if (!parseStoredChat(readStorage(invitationChatKey(code)))) return;
        document.getElementById('hovor-invitation-gone')?.setAttribute('hidden', '');
      }
      const host = slot && !slot.shadowRoot ? slot : document.createElement('hovor-widget');
      if (host !== slot) document.body.append(host);
      const root = host.attachShadow({ mode: 'open' });
      new Widget({ base, mode: { kind: 'invitation', code, operator }, root, lang, inline: host === slot });
    } else if (company) {
      const host = document.createElement('hovor-widget');
      const root = host.attachShadow({ mode: 'open' });
      document.body.append(host);
      new Widget({ base, mode: { kind: 'company', company }, root, lang, inline: false });
    }
  };
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount, { once: true });
}

boot();
