// The widget's conversation: availability, starting a chat (or redeeming an invitation), rejoining
// it after a reload, the outbox of messages with idempotent ids, and the live connection (the
// shared LiveSocket, on this conversation's client token). What it shows is drawn by ui.ts.

import { callPhase, rtcIceServers, type IceServers, type Media, type Signal } from '../calls';
import { CallPeer } from '../callPeer';
import { LiveSocket } from '../liveSocket';
import { draftProblem, lastSeqOf, MAX_MESSAGE_CHARS, mergeBySeq, newMessageId, type CryptoLike } from '../messages';
import { isMessage, readFileTerms, readSessionUpdate } from '../payloads';
import type { IncomingFrame, SessionUpdate } from '../realtime';
import type { Attachment, FileTerms, Message } from '../types';
import { readStorage, writeStorage } from './browser';
import { call, download, fetchBlobUrl, HttpError, upload } from './http';
import { wt, type WidgetKey, type WidgetLang } from './i18n';
import {
  chatKey,
  invitationChatKey,
  invitationOutboxKey,
  outboxKey,
  parseClientFrame,
  parseVisitorId,
  parseOutbox,
  parseStoredChat,
  redeemProblem,
  withPending,
  withoutPending,
  wsProtocolsFor,
  wsUrlFor,
  visitorKey,
  type WidgetMode,
} from './model';
import { CallBox } from './callBox';
import { ChatUi, type ChatState, type Phase } from './ui';

const POLL_MS = 15_000;
/** How long "is typing" shows after the last sign of it. */
const TYPING_SHOWS_MS = 5_000;

/** A coarse pointer (a finger) and no fine one: a phone or a tablet. */
function touchScreen(): boolean {
  return typeof window.matchMedia === 'function' && window.matchMedia('(pointer: coarse)').matches;
}
const RETRY_MS = 4_000;

export interface ChatOptions {
  base: string;
  mode: WidgetMode;
  root: ShadowRoot;
  lang: WidgetLang;
  /** Rendered in the page (the invitation landing page), always open, without the launcher. */
  inline: boolean;
  /** The site's colour (#rrggbb) instead of Hovor's. */
  accent?: string | null;
}

export class Chat {
  readonly #lang: WidgetLang;
  readonly #base: string;
  readonly #mode: WidgetMode;
  readonly #chatStorageKey: string;
  readonly #outboxStorageKey: string;
  readonly #state: ChatState;
  readonly #ui: ChatUi;
  readonly #live: LiveSocket;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #flushing = false;
  readonly #callBox: CallBox;
  /** The running call's peer, and the start of the call it belongs to. */
  #peer: CallPeer | null = null;
  #peerSince: string | null = null;
  #callNotice: string | null = null;
  #typingTimer: ReturnType<typeof setTimeout> | null = null;
  #lastTyping = 0;
  /** Pictures of the conversation fetched so far, by file id. */
  readonly #previews = new Map<string, Promise<string>>();

  constructor(options: ChatOptions) {
    const { base, mode, root, lang, inline } = options;
    this.#base = base;
    this.#mode = mode;
    this.#lang = lang;
    this.#chatStorageKey = mode.kind === 'company' ? chatKey(mode.company) : invitationChatKey(mode.code);
    this.#outboxStorageKey = mode.kind === 'company' ? outboxKey(mode.company) : invitationOutboxKey(mode.code);
    const chat = parseStoredChat(readStorage(this.#chatStorageKey));
    this.#state = {
      phase: 'start',
      // An invitation opens at once (its page is about nothing else).
      open: mode.kind === 'invitation' ? true : (chat?.open ?? false),
      availability: null,
      chat,
      view: null,
      messages: [],
      outbox: parseOutbox(readStorage(this.#outboxStorageKey)),
      failed: new Set(),
      notice: null,
      operator: null,
      draft: '',
      connected: false,
      failures: 0,
      callAvailable: false,
      ratings: false,
      rated: false,
      operatorTypingUntil: 0,
      files: { kinds: [], max_mb: 0 },
      sendingFiles: [],
      fileNotice: null,
      transcriptByEmail: false,
      transcriptSentTo: null,
    };
    this.#callBox = new CallBox(lang, {
      propose: (media) => void this.#callAction({ action: 'propose', media }),
      accept: (media) => void this.#callAction(media ? { action: 'accept', media } : { action: 'accept' }),
      decline: () => void this.#callAction({ action: 'decline' }),
      hangUp: () => void this.#callAction({ action: 'hang_up' }),
    });
    this.#ui = new ChatUi(root, { lang, mode, inline, accent: options.accent ?? null, callArea: this.#callBox.element }, this.#state, {
      setOpen: (open) => this.#setOpen(open),
      start: (name, email, media) => void this.#start(name, email, media),
      redeem: (media) => void this.#redeem(media),
      send: (text) => this.#send(text),
      leave: () => void this.#leave(),
      rate: (score, comment) => this.#rate(score, comment),
      transcript: () => this.#transcript(),
      emailTranscript: () => this.#emailTranscript(),
      typing: () => {
        // At most every 2.5 s; the operator sees it for a few seconds.
        if (Date.now() - this.#lastTyping < 2_500) return;
        this.#lastTyping = Date.now();
        this.#live.typing();
      },
      sendFile: (file) => void this.#sendFile(file),
      preview: (file) => this.#preview(file),
      download: (file) => this.#downloadFile(file),
      forget: () => this.#forget(),
    });
    this.#live = new LiveSocket({
      url: (lastSeq) => wsUrlFor(this.#base, lastSeq),
      protocols: () => wsProtocolsFor(this.#state.chat?.client_token ?? ''),
      onConnectionChange: (up) => {
        this.#state.connected = up;
        this.#state.failures = this.#live.failures;
        this.#ui.renderStatus();
      },
      onHello: (frame) => {
        this.#read(frame);
        // A call's signals said before the stream was heard may be lost: say ready now.
        this.#peer?.hello();
        // Whatever happened while we were away: fetch it (deduplicated by seq).
        void this.#fetchMessages();
        void this.#flushOutbox();
      },
      onEvent: (frame) => this.#read(frame),
      onFrame: (frame) => this.#read(frame),
      onFailure: (failures) => {
        this.#state.failures = failures;
        this.#ui.renderStatus();
        if (failures > 1) {
          // The socket keeps failing (a proxy, a server restart): meanwhile, poll over HTTP.
          void this.#refreshView();
          void this.#fetchMessages();
        }
      },
    });

    // Leaving the page says so on the socket: a client who does not come back soon (a reload, the
    // site's next page) leaves the queue then. A page restored from the back/forward cache
    // connects again.
    window.addEventListener('pagehide', () => {
      if (this.#state.chat && this.#state.phase !== 'ended') this.#live.leavingPage();
    });
    window.addEventListener('pageshow', (ev) => {
      if (ev.persisted && this.#state.chat && this.#state.phase !== 'ended') this.#live.start();
    });

    if (chat) void this.#rejoin();
    else this.#ui.render();
    if (mode.kind === 'company') {
      void this.#pollAvailability();
      setInterval(() => {
        if (!this.#state.open || this.#state.phase === 'start') void this.#pollAvailability();
      }, POLL_MS);
    }
  }

  /** A frame of this conversation's stream (the shared socket has checked its envelope and seq). */
  #read(frame: IncomingFrame): void {
    const f = parseClientFrame(frame);
    if (!f) return;
    switch (f.type) {
      case 'hello':
        this.#state.ratings = f.ratings;
        this.#state.transcriptByEmail = f.transcript_by_email;
        this.#setFiles(f.files);
        this.#applyView(f);
        break;
      case 'event':
        switch (f.event) {
          case 'session.changed':
            this.#applyView(f.data);
            break;
          case 'message.created':
            if (f.data.message.author === 'operator') this.#state.operatorTypingUntil = 0;
            this.#addMessages([f.data.message]);
            this.#ui.renderStatus();
            break;
          case 'call.signal':
            this.#peer?.receive(f.data.from, f.data.signal);
            break;
          default:
            f satisfies never;
        }
        break;
      case 'typing':
        if (f.from === 'operator') {
          this.#state.operatorTypingUntil = Date.now() + TYPING_SHOWS_MS;
          this.#ui.renderStatus();
          if (this.#typingTimer) clearTimeout(this.#typingTimer);
          this.#typingTimer = setTimeout(() => this.#ui.renderStatus(), TYPING_SHOWS_MS + 50);
        }
        break;
      case 'queue': {
        // The new place in the queue while waiting (derived state, so not an event).
        const view = this.#state.view;
        if (view && this.#state.phase === 'waiting') {
          this.#applyView({ ...view, queue_position: f.queue_position, estimated_wait_s: f.estimated_wait_s });
        }
        break;
      }
      default:
        f satisfies never;
    }
  }

  #t(key: WidgetKey, params?: Readonly<Record<string, string | number>>): string {
    return wt(this.#lang, key, params);
  }

  /** A client API call; with the conversation's token unless `auth` is false. */
  #call<T>(method: 'GET' | 'POST', path: string, body?: unknown, auth = true): Promise<T> {
    return call<T>(this.#base, method, path, body, auth ? this.#state.chat?.client_token : undefined);
  }

  async #pollAvailability(): Promise<void> {
    if (this.#mode.kind !== 'company') return;
    const company = encodeURIComponent(this.#mode.company);
    try {
      const [chat, av] = await Promise.all(
        ['chat', 'av'].map((channel) =>
          this.#call<{ state?: unknown }>('GET', `api/v1/client/availability?company=${company}&channel=${channel}`, undefined, false),
        ),
      );
      const state = chat?.state;
      this.#state.availability = state === 'online' || state === 'busy' || state === 'offline' ? state : null;
      // A call starts only when someone can answer it now.
      this.#state.callAvailable = av?.state === 'online';
    } catch {
      // keep the last known state
    }
    this.#ui.renderLauncher();
    if (this.#state.phase === 'start') this.#ui.render();
  }

  // ---- session lifecycle -------------------------------------------------------------------------

  #saveChat(): void {
    const { chat, open } = this.#state;
    writeStorage(this.#chatStorageKey, chat ? JSON.stringify({ ...chat, open }) : null);
  }
  #saveOutbox(): void {
    const { outbox } = this.#state;
    writeStorage(this.#outboxStorageKey, outbox.length ? JSON.stringify(outbox) : null);
  }

  #setOpen(open: boolean): void {
    this.#state.open = open;
    if (this.#state.chat) this.#saveChat();
    if (open && this.#state.phase === 'start') void this.#pollAvailability();
    this.#ui.render();
    // On a touch screen, focusing a field opens the keyboard over the panel: let the client tap.
    if (open && !touchScreen()) this.#ui.focusFirst();
  }

  /** A new conversation (started or redeemed): keep it, show it, and connect. */
  #begin(r: { session: unknown; client_token: string }): void {
    const view = readSessionUpdate({ session: r.session });
    if (!view || typeof r.client_token !== 'string') throw new HttpError(500, 'bad_response');
    this.#state.chat = { session_id: view.session.id, client_token: r.client_token, open: true };
    this.#saveChat();
    this.#state.messages = [];
    this.#live.stop();
    this.#applyView(view);
    if (this.#state.phase !== 'ended') this.#live.start();
    void this.#refreshView();
  }

  /** This browser's random id for the company, made once and kept (the operator sees earlier chats). */
  #visitorId(company: string): string {
    const key = visitorKey(company);
    const kept = parseVisitorId(readStorage(key));
    if (kept) return kept;
    const made = newMessageId(globalThis.crypto as CryptoLike | undefined).replace(/[^A-Za-z0-9_-]/g, '').padEnd(16, '0');
    writeStorage(key, made);
    return made;
  }

  async #start(name: string, email: string, media?: Media): Promise<void> {
    if (this.#mode.kind !== 'company') return;
    this.#state.notice = null;
    try {
      this.#begin(
        await this.#call<{ session: unknown; client_token: string }>(
          'POST',
          'api/v1/client/sessions',
          {
            company: this.#mode.company,
            channel: media ? 'av' : 'chat',
            ...(media ? { media } : {}),
            ...(this.#mode.group ? { group_id: this.#mode.group } : {}),
            ...(name ? { name } : {}),
            ...(email ? { email } : {}),
            page_url: location.href,
            visitor_id: this.#visitorId(this.#mode.company),
          },
          false,
        ),
      );
    } catch (err) {
      if (err instanceof HttpError && err.code === 'no_operator_available') {
        this.#state.availability = 'offline';
        this.#state.notice = this.#t('noOperator');
      } else {
        this.#state.notice = this.#t('startFailed');
      }
      this.#ui.render();
    }
  }

  /** Connect on an invitation: redeem the code; the conversation goes on as a chat. */
  async #redeem(media?: Media): Promise<void> {
    if (this.#mode.kind !== 'invitation') return;
    this.#state.notice = null;
    try {
      this.#begin(
        await this.#call<{ session: unknown; client_token: string }>(
          'POST',
          `api/v1/client/invitations/${encodeURIComponent(this.#mode.code)}/redeem${media ? `?media=${media}` : ''}`,
          undefined,
          false,
        ),
      );
    } catch (err) {
      this.#state.notice = err instanceof HttpError ? this.#t(redeemProblem(err.status, err.code)) : this.#t('invitationFailed');
      this.#ui.render();
    }
  }

  /** After a reload: load the stored session, its messages, and reconnect. */
  async #rejoin(): Promise<void> {
    const ok = await this.#refreshView();
    if (!ok) return;
    await this.#fetchMessages();
    if (this.#state.phase !== 'ended') this.#live.start();
    void this.#flushOutbox();
  }

  async #refreshView(): Promise<boolean> {
    const chat = this.#state.chat;
    if (!chat) return false;
    try {
      const answer = await this.#call<unknown>('GET', `api/v1/client/sessions/${encodeURIComponent(chat.session_id)}`);
      const v = readSessionUpdate(answer);
      if (typeof answer === 'object' && answer !== null && 'ratings' in answer) this.#state.ratings = answer.ratings === true;
      if (typeof answer === 'object' && answer !== null && 'files' in answer) this.#setFiles(readFileTerms(answer.files));
      if (typeof answer === 'object' && answer !== null && 'transcript_by_email' in answer) {
        this.#state.transcriptByEmail = answer.transcript_by_email === true;
      }
      if (v) this.#applyView(v);
      return true;
    } catch (err) {
      if (err instanceof HttpError && (err.status === 404 || err.status === 401 || err.status === 403)) {
        this.#forget();
        return false;
      }
      this.#ui.render();
      return true;
    }
  }

  async #fetchMessages(): Promise<void> {
    const chat = this.#state.chat;
    if (!chat) return;
    try {
      const r = await this.#call<{ items?: unknown[] }>(
        'GET',
        `api/v1/client/sessions/${encodeURIComponent(chat.session_id)}/messages?after_seq=${lastSeqOf(this.#state.messages)}`,
      );
      const items = (r.items ?? []).filter(isMessage);
      this.#addMessages(items);
    } catch {
      // retried after the next reconnect
    }
  }

  #applyView(view: SessionUpdate): void {
    const s = view.session.status;
    const next: Phase = s === 'ended' ? 'ended' : s === 'active' ? 'active' : 'waiting';
    // Who joined, and who handed the client on (a transfer puts the session back in the queue).
    if (next === 'active' && view.operator_name) this.#state.operator = { name: view.operator_name, handedOver: false };
    else if (next === 'waiting' && this.#state.phase === 'active' && this.#state.operator) {
      this.#state.operator = { ...this.#state.operator, handedOver: true };
    } else if (next === 'ended') this.#state.operator = null;
    this.#state.view = view;
    if (next === 'ended' && this.#state.phase !== 'ended') {
      this.#live.stop();
      if (this.#state.outbox.length) {
        this.#state.outbox = [];
        this.#saveOutbox();
      }
    }
    const changed = next !== this.#state.phase;
    this.#state.phase = next;
    this.#syncCall();
    // Same phase (a new queue position, a poll): only the status line changes; keep the composer as is.
    if (changed || !this.#ui.drawn) this.#ui.render();
    else this.#ui.renderStatus();
  }

  /** What files the company takes; the composer offers them (drawn again when that changes). */
  #setFiles(files: FileTerms): void {
    const before = this.#state.files;
    this.#state.files = files;
    if (before.kinds.join() !== files.kinds.join() && this.#ui.drawn && this.#state.phase !== 'start') this.#ui.render();
  }

  #addMessages(items: Message[]): void {
    // The server never sends a note between operators here; should one come, it stays unseen.
    const merged = mergeBySeq(this.#state.messages, items.filter((m) => !m.internal));
    if (merged === this.#state.messages) return;
    this.#state.messages = merged;
    this.#ui.renderMessages();
  }

  #forget(): void {
    this.#live.stop();
    this.#closePeer();
    const s = this.#state;
    s.chat = null;
    s.view = null;
    s.messages = [];
    s.outbox = [];
    s.failed.clear();
    s.fileNotice = null;
    s.transcriptSentTo = null;
    for (const url of this.#previews.values()) void url.then(URL.revokeObjectURL, () => undefined);
    this.#previews.clear();
    s.phase = 'start';
    this.#saveChat();
    this.#saveOutbox();
    this.#ui.render();
    void this.#pollAvailability();
  }

  async #leave(): Promise<void> {
    const chat = this.#state.chat;
    if (!chat) return;
    try {
      const r = await this.#call<{ session: unknown }>('POST', `api/v1/client/sessions/${encodeURIComponent(chat.session_id)}/leave`);
      const v = readSessionUpdate({ session: r.session });
      if (v) this.#applyView(v);
    } catch (err) {
      if (err instanceof HttpError && err.status === 409) void this.#refreshView();
    }
  }

  /** The conversation as a text file, in the widget's language. */
  async #transcript(): Promise<boolean> {
    const chat = this.#state.chat;
    if (!chat) return false;
    const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const query = `lang=${this.#lang}${tz ? `&tz=${encodeURIComponent(tz)}` : ''}`;
    try {
      await download(
        this.#base,
        `api/v1/client/sessions/${encodeURIComponent(chat.session_id)}/transcript?${query}`,
        chat.client_token,
        `${this.#t('transcriptFile')}.txt`,
      );
      return true;
    } catch {
      return false;
    }
  }

  #filePath(sessionId: string, file: Attachment): string {
    return `api/v1/client/sessions/${encodeURIComponent(sessionId)}/attachments/${encodeURIComponent(file.id)}`;
  }

  /**
   * Sends a photo or a file as a message of its own. What the company takes is checked here for
   * size (so a large photo is refused before it travels) and by the server for everything.
   */
  async #sendFile(file: File): Promise<void> {
    const chat = this.#state.chat;
    if (!chat) return;
    const say = (key: WidgetKey, params: Record<string, string | number> = {}) => {
      this.#state.fileNotice = this.#t(key, { name: file.name, ...params });
      this.#ui.render();
    };
    const { max_mb } = this.#state.files;
    if (file.size === 0) return say('fileEmpty');
    if (max_mb > 0 && file.size > max_mb * 1024 * 1024) return say('fileTooLarge', { max: max_mb });
    this.#state.fileNotice = null;
    this.#state.sendingFiles = [...this.#state.sendingFiles, file.name];
    this.#ui.renderMessages();
    const id = newMessageId(globalThis.crypto as CryptoLike | undefined);
    const query = `name=${encodeURIComponent(file.name)}&client_msg_id=${encodeURIComponent(id)}`;
    try {
      const message = await upload<unknown>(
        this.#base,
        `api/v1/client/sessions/${encodeURIComponent(chat.session_id)}/files?${query}`,
        file,
        chat.client_token,
      );
      if (isMessage(message)) this.#addMessages([message]);
    } catch (err) {
      const code = err instanceof HttpError ? err.code : '';
      if (code === 'file_too_large') say('fileTooLarge', { max: max_mb });
      else if (code === 'unsupported_file_type' || code === 'files_off') say('fileKindNotTaken');
      else say('fileNotSent');
    } finally {
      const i = this.#state.sendingFiles.indexOf(file.name);
      this.#state.sendingFiles = this.#state.sendingFiles.filter((_, j) => j !== i);
      this.#ui.renderMessages();
    }
  }

  /** A picture of the conversation as a URL of this page, fetched once with the client's token. */
  #preview(file: Attachment): Promise<string> {
    const chat = this.#state.chat;
    if (!chat) return Promise.reject(new Error('no conversation'));
    let url = this.#previews.get(file.id);
    if (!url) {
      url = fetchBlobUrl(this.#base, this.#filePath(chat.session_id, file), chat.client_token);
      // A failed fetch is tried again at the next render.
      url.catch(() => this.#previews.delete(file.id));
      this.#previews.set(file.id, url);
    }
    return url;
  }

  async #downloadFile(file: Attachment): Promise<boolean> {
    const chat = this.#state.chat;
    if (!chat) return false;
    try {
      await download(this.#base, this.#filePath(chat.session_id, file), chat.client_token, file.name);
      return true;
    } catch {
      return false;
    }
  }

  /** The conversation e-mailed to the address the client gave (once), in the widget's language. */
  async #emailTranscript(): Promise<boolean> {
    const chat = this.#state.chat;
    if (!chat) return false;
    const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    try {
      const r = await this.#call<{ sent_to?: unknown }>('POST', `api/v1/client/sessions/${encodeURIComponent(chat.session_id)}/transcript/email`, {
        lang: this.#lang,
        ...(tz ? { tz } : {}),
      });
      this.#state.transcriptSentTo = typeof r.sent_to === 'string' ? r.sent_to : (this.#state.view?.session.client.email ?? '');
      this.#ui.render();
      return true;
    } catch (err) {
      if (err instanceof HttpError && err.code === 'transcript_already_sent') {
        this.#state.transcriptSentTo = this.#state.view?.session.client.email ?? '';
        this.#ui.render();
        return true;
      }
      return false;
    }
  }

  /** The client's rating of the ended conversation; false when it was not taken (shown in the form). */
  async #rate(score: number, comment: string): Promise<boolean> {
    const chat = this.#state.chat;
    if (!chat) return false;
    try {
      const r = await this.#call<{ session: unknown }>('POST', `api/v1/client/sessions/${encodeURIComponent(chat.session_id)}/rating`, {
        score,
        ...(comment.trim() ? { comment: comment.trim() } : {}),
      });
      const v = readSessionUpdate({ session: r.session });
      if (v && this.#state.view) this.#state.view = { ...this.#state.view, session: v.session };
      this.#state.rated = true;
      this.#ui.render();
      return true;
    } catch (err) {
      // Rated already (another tab): the thanks; anything else: the form says it failed.
      if (err instanceof HttpError && err.code === 'already_rated') {
        this.#state.rated = true;
        this.#ui.render();
        return true;
      }
      return false;
    }
  }

  // ---- the call ----------------------------------------------------------------------------------

  /** A call runs: its peer exists (one per call); else none. Then the call area is drawn again. */
  #syncCall(): void {
    const session = this.#state.view?.session ?? null;
    const call = session?.call ?? null;
    const running = session !== null && call !== null && callPhase(session, 'client') === 'active';
    if (running && this.#peerSince !== call.since) {
      this.#closePeer();
      this.#callNotice = null;
      const sessionId = session.id;
      this.#peerSince = call.since;
      this.#peer = new CallPeer({
        side: 'client',
        media: call.media,
        rejoin: true,
        listening: () => this.#state.connected,
        iceServers: async () =>
          rtcIceServers(await this.#call<IceServers>('GET', `api/v1/client/sessions/${encodeURIComponent(sessionId)}/ice-servers`)),
        send: async (signal: Signal) => {
          await this.#call('POST', `api/v1/client/sessions/${encodeURIComponent(sessionId)}/call/signals`, signal);
        },
        onChange: () => this.#renderCall(),
      });
    } else if (!running) {
      this.#closePeer();
    }
    this.#renderCall();
  }

  #closePeer(): void {
    this.#peer?.close();
    this.#peer = null;
    this.#peerSince = null;
  }

  #renderCall(): void {
    const operator = this.#state.operator?.name ?? (this.#mode.kind === 'invitation' ? this.#mode.operator : null) ?? this.#t('theOperator');
    this.#callBox.render(this.#state.view?.session ?? null, operator, this.#peer, this.#callNotice);
  }

  /** Asks for a call, answers the operator's, or hangs up. */
  async #callAction(body: { action: 'propose' | 'accept' | 'decline' | 'hang_up'; media?: Media }): Promise<void> {
    const chat = this.#state.chat;
    if (!chat) return;
    this.#callNotice = null;
    try {
      const r = await this.#call<{ session: unknown }>('POST', `api/v1/client/sessions/${encodeURIComponent(chat.session_id)}/call`, body);
      const v = readSessionUpdate({ session: r.session });
      if (v && this.#state.view) this.#applyView({ ...this.#state.view, session: v.session });
    } catch (err) {
      if (err instanceof HttpError && err.status === 409) this.#callNotice = this.#t('callUnavailable');
      void this.#refreshView();
      this.#renderCall();
    }
  }

  // ---- sending (outbox with idempotent ids) ------------------------------------------------------

  #send(text: string): void {
    const problem = draftProblem(text);
    if (problem === 'empty') return;
    if (problem === 'tooLong') {
      this.#state.notice = this.#t('tooLong', { max: MAX_MESSAGE_CHARS });
      this.#ui.render();
      return;
    }
    this.#state.notice = null;
    this.#state.outbox = withPending(this.#state.outbox, {
      id: newMessageId(globalThis.crypto as CryptoLike | undefined),
      text,
      after: lastSeqOf(this.#state.messages),
    });
    this.#saveOutbox();
    this.#state.draft = '';
    this.#ui.render();
    void this.#flushOutbox();
  }

  /**
   * Sends pending messages in order, each with its own id: over the live socket when it is up (the
   * server acks after storing it), else over HTTP; stops at the first failure and retries. The id
   * makes every retry, by either way, store the message once.
   */
  async #flushOutbox(): Promise<void> {
    const s = this.#state;
    if (this.#flushing || !s.chat || s.phase === 'ended') return;
    this.#flushing = true;
    try {
      while (s.outbox.length > 0 && s.chat) {
        const item = s.outbox[0]!;
        const delivery = await this.#live.send({ client_msg_id: item.id, text: item.text });
        if (delivery?.stored) {
          // The message itself comes as message.created.
          s.outbox = withoutPending(s.outbox, item.id);
          s.failed.delete(item.id);
          this.#saveOutbox();
          this.#ui.renderMessages();
          continue;
        }
        if (delivery) {
          if (!this.#refusedFor(item.id, delivery.code === 'too_many_messages' ? 429 : 409, delivery.code)) return;
          continue;
        }
        try {
          const m = await this.#call<unknown>('POST', `api/v1/client/sessions/${encodeURIComponent(s.chat.session_id)}/messages`, {
            text: item.text,
            client_msg_id: item.id,
          });
          s.outbox = withoutPending(s.outbox, item.id);
          s.failed.delete(item.id);
          this.#saveOutbox();
          if (isMessage(m)) this.#addMessages([m]);
          this.#ui.renderMessages();
        } catch (err) {
          const status = err instanceof HttpError ? err.status : 0;
          if (!this.#refusedFor(item.id, status, err instanceof HttpError ? err.code : '')) return;
        }
      }
    } finally {
      this.#flushing = false;
    }
  }

  /**
   * A message the server did not store. Temporary (no answer, a server error, too many at once):
   * kept, with its id, for a retry; returns false (stop sending). Permanent (too long, empty, the
   * conversation ended, …): dropped; returns true (go on with the next).
   */
  #refusedFor(id: string, status: number, code: string): boolean {
    const s = this.#state;
    if (status === 0 || status >= 500 || status === 429) {
      s.failed.add(id);
      if (status === 429) s.notice = this.#t('tooMany');
      this.#ui.renderMessages();
      this.#scheduleRetry();
      return false;
    }
    s.outbox = withoutPending(s.outbox, id);
    this.#saveOutbox();
    if (code === 'session_ended') void this.#refreshView();
    this.#ui.renderMessages();
    return true;
  }

  #scheduleRetry(): void {
    if (this.#retryTimer !== null) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      void this.#flushOutbox();
    }, RETRY_MS);
  }
}
