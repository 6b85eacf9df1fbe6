// The widget's DOM: the launcher button, the panel, and what it shows in each phase (the start
// form or the invitation's Connect button, the conversation with its composer, the end). It reads
// the chat's state and calls the chat's actions; every client/operator text goes in as text.

import type { SessionUpdate } from '../realtime';
import { formatSize, isPicture } from '../attachments';
import type { Attachment, FileTerms, Message } from '../types';
import type { Media } from '../calls';
import { h } from './browser';
import { wt, wtCount, type WidgetKey, type WidgetLang } from './i18n';
import { acceptFor, queueText, systemText, visiblePending, type Availability, type Pending, type StoredChat, type WidgetMode } from './model';
import css from './widget.css?inline';

export type Phase = 'start' | 'waiting' | 'active' | 'ended';

/** What the panel shows; the chat (chat.ts) owns it and asks for a render after changing it. */
export interface ChatState {
  phase: Phase;
  open: boolean;
  availability: Availability | null;
  chat: StoredChat | null;
  view: SessionUpdate | null;
  messages: Message[];
  outbox: Pending[];
  /** Ids of pending messages whose last attempt failed (shown as not sent, retried). */
  failed: Set<string>;
  notice: string | null;
  /** Who took the conversation; after a transfer, who handed it on (while waiting again). */
  operator: { name: string; handedOver: boolean } | null;
  /** The composer's text, kept across renders. */
  draft: string;
  connected: boolean;
  /** Failed connection attempts in a row (then the status line says it is reconnecting). */
  failures: number;
  /** Someone can answer a call now (the start form offers one). */
  callAvailable: boolean;
  /** The company asks for a rating at the end. */
  ratings: boolean;
  /** This client rated the conversation (now, or before a reload). */
  rated: boolean;
  /** Until when the operator counts as typing (ms since the epoch). */
  operatorTypingUntil: number;
  /** The files the company takes in chats. */
  files: FileTerms;
  /** Names of the files being sent now. */
  sendingFiles: string[];
  /** Why the last file was not sent. */
  fileNotice: string | null;
  /** The company can e-mail the transcript to the address the client gave. */
  transcriptByEmail: boolean;
  /** Where the transcript was e-mailed, once it was. */
  transcriptSentTo: string | null;
}

export interface ChatActions {
  setOpen(open: boolean): void;
  start(name: string, email: string, media?: Media): void;
  redeem(media?: Media): void;
  send(text: string): void;
  leave(): void;
  /** Resolves true once stored. */
  rate(score: number, comment: string): Promise<boolean>;
  /** Downloads the conversation; resolves false when it could not. */
  transcript(): Promise<boolean>;
  /** E-mails the conversation to the client's address; resolves false when it could not. */
  emailTranscript(): Promise<boolean>;
  /** The client typed in the composer. */
  typing(): void;
  sendFile(file: File): void;
  /** A picture of the conversation, as a URL the page can show. */
  preview(file: Attachment): Promise<string>;
  /** Downloads a file of the conversation; resolves false when it could not. */
  download(file: Attachment): Promise<boolean>;
  forget(): void;
}

export interface UiConfig {
  lang: WidgetLang;
  mode: WidgetMode;
  /** Rendered in the page (the invitation landing page), always open, without the launcher. */
  inline: boolean;
  /** The site's colour (#rrggbb) instead of Hovor's. */
  accent?: string | null;
  /** The call area (callBox.ts), shown above the messages. */
  callArea: HTMLElement;
}

export class ChatUi {
  readonly #lang: WidgetLang;
  readonly #mode: WidgetMode;
  readonly #inline: boolean;
  readonly #button: HTMLButtonElement;
  readonly #dot: HTMLSpanElement;
  readonly #panel: HTMLDivElement;
  readonly #body: HTMLDivElement;
  readonly #status: HTMLParagraphElement;
  readonly #callArea: HTMLElement;

  readonly #state: ChatState;
  readonly #actions: ChatActions;
  /**
   * The start form is made once per conversation and kept across renders (an availability poll
   * every 15 s re-renders the panel), so what the visitor is typing stays, and so does the button.
   */
  #startForm: HTMLFormElement | null = null;

  constructor(root: ShadowRoot, config: UiConfig, state: ChatState, actions: ChatActions) {
    this.#state = state;
    this.#actions = actions;
    const { lang, mode, inline } = config;
    this.#lang = lang;
    this.#mode = mode;
    this.#inline = inline;
    this.#callArea = config.callArea;
    root.append(h('style', {}, css));
    const wrap = h('div', { class: `root${inline ? ' inline' : ''}`, lang });
    if (config.accent) wrap.style.setProperty('--hv-accent', config.accent);
    this.#dot = h('span', { class: 'dot', 'aria-hidden': 'true' });
    this.#button = h('button', { type: 'button', class: 'launcher', 'aria-label': this.#t('button'), 'aria-expanded': 'false' });
    this.#button.append(this.#icon(), this.#dot);
    this.#button.addEventListener('click', () => actions.setOpen(!state.open));
    this.#status = h('p', { class: 'status', role: 'status' });
    this.#body = h('div', { class: 'body' });
    const title = this.#title();
    const head = h('div', { class: 'head' }, h('h2', {}, title));
    if (!inline) {
      const close = h('button', { type: 'button', class: 'close', 'aria-label': this.#t('close') }, '×');
      close.addEventListener('click', () => actions.setOpen(false));
      head.append(close);
    }
    this.#panel = h(
      'div',
      { class: 'panel', role: inline ? 'region' : 'dialog', 'aria-label': title, hidden: '' },
      head,
      this.#status,
      this.#body,
    );
    wrap.append(this.#panel);
    if (!inline) wrap.append(this.#button);
    root.append(wrap);
  }

  #t(key: WidgetKey, params?: Readonly<Record<string, string | number>>): string {
    return wt(this.#lang, key, params);
  }

  /** The invited operator's name (or "the operator" when the page did not say). */
  #operatorName(): string {
    return this.#mode.kind === 'invitation' && this.#mode.operator ? this.#mode.operator : this.#t('theOperator');
  }

  #title(): string {
    return this.#mode.kind === 'invitation' ? this.#t('invitationTitle', { name: this.#operatorName() }) : this.#t('title');
  }

  #icon(): SVGSVGElement {
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

  /** Whether the panel's body has been drawn at all. */
  get drawn(): boolean {
    return this.#body.hasChildNodes();
  }

  focusFirst(): void {
    const target = this.#body.querySelector<HTMLElement>('textarea, input, button');
    target?.focus();
  }

  renderLauncher(): void {
    const { availability } = this.#state;
    this.#dot.className = `dot dot-${this.#state.chat ? 'online' : (availability ?? 'unknown')}`;
    this.#button.setAttribute('aria-expanded', String(this.#state.open));
    this.#button.title = availability ? this.#t(availability === 'online' ? 'online' : availability) : this.#t('button');
  }

  renderStatus(): void {
    const { phase, view, operator } = this.#state;
    const parts: string[] = [];
    if (phase === 'active' && operator && !operator.handedOver) {
      parts.push(
        this.#state.operatorTypingUntil > Date.now() ? this.#t('operatorTyping', { name: operator.name }) : this.#t('joined', { name: operator.name }),
      );
    }
    if (phase === 'waiting' && operator?.handedOver) parts.push(this.#t('handedOver', { name: operator.name }));
    if (phase === 'waiting' && view) {
      if (this.#mode.kind === 'invitation') {
        // Waiting = the operator cannot take it now (not online); offered = ringing at the operator.
        const key = view.session.status === 'offered' ? 'invitationOffered' : 'invitationWaiting';
        parts.push(this.#t(key, { name: this.#operatorName() }));
      } else {
        parts.push(queueText(this.#lang, view.queue_position ?? null, view.estimated_wait_s ?? null));
      }
    }
    if (this.#state.chat && !this.#state.connected && this.#state.failures > 0 && phase !== 'ended') parts.push(this.#t('reconnecting'));
    const text = parts.join(' · ');
    this.#status.textContent = text;
    this.#status.hidden = text === '';
  }

  render(): void {
    this.renderLauncher();
    const { open, phase } = this.#state;
    this.#panel.hidden = !open && !this.#inline;
    this.renderStatus();
    if (!open && !this.#inline) return;
    const active = (this.#panel.getRootNode() as ShadowRoot).activeElement;
    const focused = active !== null && this.#body.contains(active);
    this.#body.replaceChildren();
    if (this.#state.notice) this.#body.append(h('p', { class: 'notice', role: 'alert' }, this.#state.notice));
    if (phase === 'start') {
      if (this.#mode.kind === 'invitation') this.#renderConnect();
      else this.#renderStart();
    } else {
      // The next conversation starts with an empty form.
      this.#startForm = null;
      if (phase === 'ended') this.#renderEnded();
      else this.#renderConversation();
    }
    if (!focused) return;
    // Back to the field that had the focus when it is still shown (the start form is kept), else the first.
    if (active instanceof HTMLElement && this.#body.contains(active)) active.focus();
    else this.focusFirst();
  }

  #renderStart(): void {
    const { availability } = this.#state;
    if (availability === 'offline') {
      this.#body.append(h('div', { class: 'offline' }, h('h3', {}, this.#t('offlineTitle')), h('p', {}, this.#t('offline'))));
      return;
    }
    if (availability === 'busy') this.#body.append(h('p', { class: 'busy' }, this.#t('busy')));
    this.#startForm ??= this.#makeStartForm();
    const submit = this.#startForm.querySelector('button');
    if (submit) {
      // Ready again (after a start that failed).
      submit.disabled = false;
      submit.textContent = this.#t('start');
    }
    this.#body.append(this.#startForm);
    const calls = this.#startForm.querySelector<HTMLElement>('.start-call');
    if (calls) calls.hidden = !this.#state.callAvailable;
  }

  #makeStartForm(): HTMLFormElement {
    const name = h('input', { type: 'text', autocomplete: 'name', maxlength: '100' });
    const email = h('input', { type: 'email', autocomplete: 'email', maxlength: '200' });
    const submit = h('button', { type: 'submit', class: 'primary' }, this.#t('start'));
    const form = h(
      'form',
      { class: 'start' },
      h('p', { class: 'intro' }, this.#t('startIntro')),
      h('label', {}, h('span', {}, this.#t('name')), name),
      h('label', {}, h('span', {}, this.#t('email')), email),
      submit,
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      submit.disabled = true;
      submit.textContent = this.#t('starting');
      this.#actions.start(name.value.trim(), email.value.trim());
    });
    // A call instead of a chat, when someone can answer one now.
    const calls = h('div', { class: 'start-call', hidden: '' }, h('span', {}, this.#t('callIntro')));
    for (const media of ['video', 'audio'] as const) {
      const b = h('button', { type: 'button' }, this.#t(media === 'video' ? 'videoCall' : 'audioCall'));
      b.addEventListener('click', () => {
        b.disabled = true;
        this.#actions.start(name.value.trim(), email.value.trim(), media);
      });
      calls.append(b);
    }
    form.append(calls);
    return form;
  }

  #renderConnect(): void {
    const intro = h('p', { class: 'intro', id: 'invitation-intro' }, this.#t('invitationIntro', { name: this.#operatorName() }));
    const connect = h('button', { type: 'button', class: 'primary connect', 'aria-describedby': 'invitation-intro' }, this.#t('connect'));
    const start = h('div', { class: 'start' }, intro, connect);
    // Or start with a video call when the operator takes calls: their taking it answers it.
    const video = h('button', { type: 'button', class: 'connect-video' }, this.#t('connectVideo'));
    connect.addEventListener('click', () => {
      connect.disabled = true;
      video.disabled = true;
      connect.textContent = this.#t('connecting');
      this.#actions.redeem();
    });
    video.addEventListener('click', () => {
      connect.disabled = true;
      video.disabled = true;
      this.#actions.redeem('video');
    });
    if (this.#mode.kind === 'invitation' && this.#mode.calls) start.append(video);
    this.#body.append(start);
  }

  #renderEnded(): void {
    const log = h('div', { class: 'log', role: 'log', 'aria-label': this.#t('messages') });
    this.#fillLog(log);
    const again = h('button', { type: 'button', class: 'primary' }, this.#t(this.#mode.kind === 'invitation' ? 'connectAgain' : 'newChat'));
    again.addEventListener('click', () => this.#actions.forget());
    const ended = h('div', { class: 'ended' }, h('p', { role: 'status' }, this.#t('ended')));
    const session = this.#state.view?.session;
    const rated = this.#state.rated || Boolean(session?.rating);
    if (rated) ended.append(h('p', { class: 'rated', role: 'status' }, this.#t('ratingThanks')));
    else if (this.#state.ratings && session?.accepted_at) ended.append(this.#ratingForm());
    ended.append(this.#transcriptButton());
    const email = session?.client.email;
    if (this.#state.transcriptSentTo) {
      ended.append(h('p', { class: 'rated', role: 'status' }, this.#t('transcriptEmailed', { email: this.#state.transcriptSentTo })));
    } else if (email && this.#state.transcriptByEmail && session?.accepted_at) {
      ended.append(this.#emailButton(email));
    }
    ended.append(again);
    this.#body.append(log, ended);
    log.scrollTop = log.scrollHeight;
  }

  #transcriptButton(): HTMLButtonElement {
    const b = h('button', { type: 'button', class: 'transcript' }, this.#t('transcript'));
    b.addEventListener('click', () => {
      b.disabled = true;
      void this.#actions.transcript().then((ok) => {
        b.disabled = false;
        if (!ok) b.textContent = this.#t('transcriptFailed');
      });
    });
    return b;
  }

  #emailButton(email: string): HTMLElement {
    const b = h('button', { type: 'button', class: 'transcript' }, this.#t('transcriptEmail', { email }));
    const problem = h('p', { class: 'notice', role: 'alert', hidden: '' });
    b.addEventListener('click', () => {
      b.disabled = true;
      void this.#actions.emailTranscript().then((ok) => {
        if (ok) return;
        b.disabled = false;
        problem.textContent = this.#t('transcriptEmailFailed');
        problem.hidden = false;
      });
    });
    return h('div', {}, b, problem);
  }

  /** 1 to 5 stars (radio buttons in a group) and an optional comment. */
  #ratingForm(): HTMLFormElement {
    const stars = h('div', { class: 'stars' });
    const group = h('fieldset', { class: 'rating' }, h('legend', {}, this.#t('ratingQuestion')), stars);
    for (let n = 1; n <= 5; n++) {
      const input = h('input', { type: 'radio', name: 'hovor-rating', value: String(n), 'aria-label': wtCount(this.#lang, 'ratingStars', n) });
      const label = h('label', { class: 'star' }, input, h('span', { 'aria-hidden': 'true' }, '★'));
      stars.append(label);
    }
    // The chosen star and those before it light up.
    stars.addEventListener('change', () => {
      const chosen = Number(stars.querySelector<HTMLInputElement>('input:checked')?.value ?? 0);
      stars.querySelectorAll('.star').forEach((star, i) => star.classList.toggle('on', i < chosen));
    });
    const comment = h('textarea', { rows: '2', maxlength: '1000', 'aria-label': this.#t('ratingComment'), placeholder: this.#t('ratingComment') });
    const send = h('button', { type: 'submit', class: 'primary' }, this.#t('ratingSend'));
    const problem = h('p', { class: 'notice', role: 'alert', hidden: '' });
    const form = h('form', { class: 'rate' }, group, comment, send, problem);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const chosen = form.querySelector<HTMLInputElement>('input[name="hovor-rating"]:checked');
      if (!chosen) {
        problem.textContent = this.#t('ratingChoose');
        problem.hidden = false;
        return;
      }
      send.disabled = true;
      void this.#actions.rate(Number(chosen.value), comment.value).then((ok) => {
        if (ok) return;
        send.disabled = false;
        problem.textContent = this.#t('ratingFailed');
        problem.hidden = false;
      });
    });
    return form;
  }

  #renderConversation(): void {
    const log = h('div', { class: 'log', role: 'log', 'aria-label': this.#t('messages') });
    this.#fillLog(log);
    const area = h('textarea', { rows: '2', 'aria-label': this.#t('message'), placeholder: this.#t('message') });
    area.value = this.#state.draft;
    area.addEventListener('input', () => {
      this.#state.draft = area.value;
      if (area.value.trim()) this.#actions.typing();
    });
    area.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        this.#actions.send(area.value);
      }
    });
    const sendBtn = h('button', { type: 'submit', class: 'primary' }, this.#t('send'));
    const form = h('form', { class: 'composer' }, area);
    const { kinds } = this.#state.files;
    if (kinds.length > 0) {
      const picker = h('input', { type: 'file', accept: acceptFor(kinds), multiple: '', hidden: '' });
      picker.addEventListener('change', () => {
        const chosen = [...(picker.files ?? [])];
        picker.value = '';
        for (const file of chosen) this.#actions.sendFile(file);
      });
      const attach = h('button', { type: 'button', class: 'attach', 'aria-label': this.#t('sendFile'), title: this.#t('sendFile') }, this.#clip());
      attach.addEventListener('click', () => picker.click());
      form.append(picker, attach);
    }
    form.append(sendBtn);
    const fileNotice = this.#state.fileNotice ? h('p', { class: 'notice file-notice', role: 'alert' }, this.#state.fileNotice) : null;
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.#actions.send(area.value);
    });
    const leave = h('button', { type: 'button', class: 'leave' }, this.#t('leave'));
    leave.addEventListener('click', () => this.#actions.leave());
    this.#body.append(this.#callArea, log);
    if (fileNotice) this.#body.append(fileNotice);
    this.#body.append(form, h('div', { class: 'conversation-tools' }, this.#transcriptButton(), leave));
    log.scrollTop = log.scrollHeight;
  }

  #fillLog(log: HTMLElement): void {
    const { messages, outbox, failed } = this.#state;
    const list = h('ol', {});
    for (const m of messages) {
      const who = m.author === 'client' ? this.#t('you') : m.author === 'system' ? this.#t('system') : (m.operator_name ?? this.#t('operator'));
      const text = m.author === 'system' ? systemText(this.#lang, m) : m.text;
      const item = h('li', { class: `msg msg-${m.author}` }, h('span', { class: 'who' }, who));
      if (text || m.attachments.length === 0) item.append(h('p', { class: 'text' }, text));
      for (const file of m.attachments) item.append(this.#file(file));
      list.append(item);
    }
    for (const name of this.#state.sendingFiles) {
      list.append(
        h('li', { class: 'msg msg-client pending' }, h('span', { class: 'who' }, this.#t('you')), h('p', { class: 'text' }, this.#t('sendingFile', { name }))),
      );
    }
    for (const p of visiblePending(outbox, messages)) {
      const state = failed.has(p.id) ? this.#t('notSent') : this.#t('sending');
      list.append(
        h('li', { class: `msg msg-client pending${failed.has(p.id) ? ' failed' : ''}` }, h('span', { class: 'who' }, state), h('p', { class: 'text' }, p.text)),
      );
    }
    log.append(list);
  }

  /** A file of a message: a picture shows itself, anything else is its name; a click downloads it. */
  #file(file: Attachment): HTMLElement {
    const size = formatSize(file.size, this.#lang);
    const button = h('button', { type: 'button', class: 'file', 'aria-label': this.#t('download', { name: file.name, size }) });
    if (isPicture(file)) {
      const img = h('img', { alt: this.#t('picture', { name: file.name }), class: 'file-picture' });
      this.#actions.preview(file).then(
        (url) => (img.src = url),
        () => img.replaceWith(h('span', { class: 'file-name' }, file.name)),
      );
      button.append(img);
    } else {
      button.append(this.#clip(), h('span', { class: 'file-name' }, `${file.name} (${size})`));
    }
    button.addEventListener('click', () => {
      button.disabled = true;
      void this.#actions.download(file).then(() => (button.disabled = false));
    });
    return button;
  }

  #clip(): SVGSVGElement {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 16 16');
    svg.setAttribute('width', '16');
    svg.setAttribute('height', '16');
    svg.setAttribute('aria-hidden', 'true');
    const path = document.createElementNS(ns, 'path');
    path.setAttribute('d', 'M10.5 4.5 5.6 9.4a1.4 1.4 0 0 0 2 2l5.2-5.2a2.8 2.8 0 0 0-4-4L3.6 7.4a4.2 4.2 0 0 0 6 6l4-4');
    path.setAttribute('fill', 'none');
    path.setAttribute('stroke', 'currentColor');
    path.setAttribute('stroke-width', '1.4');
    path.setAttribute('stroke-linecap', 'round');
    svg.append(path);
    return svg;
  }

  renderMessages(): void {
    const log = this.#body.querySelector<HTMLElement>('.log');
    if (!log) return;
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    log.replaceChildren();
    this.#fillLog(log);
    if (atBottom) log.scrollTop = log.scrollHeight;
  }
}
