// The widget's call area, above the messages: ask for a call, answer the operator's, and while it
// runs the two videos, the switches and "Back to chat". One element kept across renders, so the
// videos keep playing while messages come and go.

import { callDuration, callPhase, type Media } from '../calls';
import type { CallPeer } from '../callPeer';
import type { Session } from '../types';
import { h } from './browser';
import { wt, type WidgetKey, type WidgetLang } from './i18n';

export interface CallBoxActions {
  propose(media: Media): void;
  accept(media?: Media): void;
  decline(): void;
  hangUp(): void;
}

export class CallBox {
  readonly element: HTMLDivElement;
  readonly #lang: WidgetLang;
  readonly #actions: CallBoxActions;
  readonly #remote: HTMLVideoElement;
  readonly #local: HTMLVideoElement;
  #drawn = '';
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(lang: WidgetLang, actions: CallBoxActions) {
    this.#lang = lang;
    this.#actions = actions;
    this.element = h('div', { class: 'call', role: 'group', 'aria-label': this.#t('videoCall') });
    this.#remote = h('video', { class: 'call-remote', autoplay: '', playsinline: '', 'aria-label': this.#t('operatorVideo') });
    this.#local = h('video', { class: 'call-local', autoplay: '', playsinline: '', 'aria-label': this.#t('yourVideo') });
    this.#local.muted = true;
  }

  #t(key: WidgetKey, params?: Readonly<Record<string, string | number>>): string {
    return wt(this.#lang, key, params);
  }

  #button(label: WidgetKey, onClick: () => void, cls = ''): HTMLButtonElement {
    const b = h('button', { type: 'button', class: cls }, this.#t(label));
    b.addEventListener('click', () => {
      b.disabled = true;
      onClick();
    });
    return b;
  }

  /** Draws the area for the session's call; `peer` is the running call's, if any. */
  render(session: Session | null, operatorName: string, peer: CallPeer | null, notice: string | null): void {
    const phase = session && session.status !== 'ended' ? callPhase(session, 'client') : 'none';
    const call = session?.call ?? null;
    // Rebuilt only when what it asks changes; a running call updates in place.
    const key = `${phase}:${call?.media ?? ''}:${call?.since ?? ''}:${session?.status ?? ''}:${notice ?? ''}`;
    if (key !== this.#drawn) {
      this.#drawn = key;
      this.#stopTimer();
      this.element.replaceChildren();
      if (notice) this.element.append(h('p', { class: 'notice', role: 'alert' }, notice));
      if (phase === 'outgoing') {
        const waiting = session?.status === 'active' ? 'askCallPending' : 'callWaiting';
        this.element.append(h('p', { class: 'call-line', role: 'status' }, this.#t(waiting)), this.#button('cancelCall', () => this.#actions.hangUp()));
      } else if (phase === 'incoming' && call) {
        const text = this.#t(call.media === 'video' ? 'callInvite' : 'callInviteAudio', { name: operatorName });
        const row = h('div', { class: 'call-actions' }, this.#button('acceptCall', () => this.#actions.accept(), 'primary'));
        if (call.media === 'video') row.append(this.#button('acceptAudio', () => this.#actions.accept('audio')));
        row.append(this.#button('declineCall', () => this.#actions.decline()));
        this.element.append(h('p', { class: 'call-line', role: 'status' }, text), row);
      } else if (phase === 'none' && session?.status === 'active') {
        this.element.append(
          h(
            'div',
            { class: 'call-actions call-ask' },
            this.#button('videoCall', () => this.#actions.propose('video')),
            this.#button('audioCall', () => this.#actions.propose('audio')),
          ),
        );
      } else if (phase === 'active' && call) {
        this.#drawActive(call.media);
        this.#timer = setInterval(() => this.#update(peer, Date.parse(call.since)), 1000);
      }
    }
    if (phase === 'active' && call) this.#update(peer, Date.parse(call.since));
  }

  #drawActive(media: Media): void {
    const videos = h('div', { class: `call-videos call-${media}` }, this.#remote);
    if (media === 'video') videos.append(this.#local);
    const status = h('p', { class: 'call-status', role: 'status' });
    const remoteState = h('p', { class: 'call-remote-state' });
    const problems = h('p', { class: 'call-problem', role: 'alert', hidden: '' });
    const mic = h('button', { type: 'button', class: 'call-mic', 'aria-pressed': 'false' }, this.#t('mute'));
    const cam = h('button', { type: 'button', class: 'call-cam', 'aria-pressed': 'false' }, this.#t('cameraOff'));
    const back = this.#button('backToChat', () => this.#actions.hangUp(), 'call-back');
    const controls = h('div', { class: 'call-controls' }, mic);
    if (media === 'video') controls.append(cam);
    controls.append(back);
    this.element.append(videos, status, remoteState, problems, controls);
  }

  #update(peer: CallPeer | null, since: number): void {
    const status = this.element.querySelector<HTMLElement>('.call-status');
    if (!status) return;
    if (peer?.remote && this.#remote.srcObject !== peer.remote) this.#remote.srcObject = peer.remote;
    if (peer?.local && this.#local.srcObject !== peer.local) this.#local.srcObject = peer.local;
    const connection = peer?.connection ?? 'starting';
    this.element.dataset['connection'] = connection;
    status.textContent =
      connection === 'connected'
        ? this.#t('callConnected', { time: callDuration(Date.now() - since) })
        : connection === 'failed'
          ? this.#t('callFailed')
          : this.#t('callConnecting');
    const remote = peer?.remoteMedia;
    const remoteState = this.element.querySelector<HTMLElement>('.call-remote-state');
    if (remoteState) {
      const parts: string[] = [];
      if (remote && !remote.microphone) parts.push(this.#t('operatorMuted'));
      if (remote && !remote.camera && this.element.querySelector('.call-cam')) parts.push(this.#t('operatorCameraOff'));
      remoteState.textContent = parts.join(' ');
    }
    const problems = this.element.querySelector<HTMLElement>('.call-problem');
    if (problems && peer) {
      const text =
        peer.microphonePermission === 'denied'
          ? this.#t('micBlocked')
          : peer.cameraPermission === 'denied' && this.element.querySelector('.call-cam')
            ? this.#t('cameraBlocked')
            : '';
      problems.textContent = text;
      problems.hidden = text === '';
    }
    const mic = this.element.querySelector<HTMLButtonElement>('.call-mic');
    if (mic && peer) {
      mic.textContent = this.#t(peer.microphone ? 'mute' : 'unmute');
      mic.setAttribute('aria-pressed', String(!peer.microphone));
      mic.onclick = () => peer.setMicrophone(!peer.microphone);
    }
    const cam = this.element.querySelector<HTMLButtonElement>('.call-cam');
    if (cam && peer) {
      cam.textContent = this.#t(peer.camera ? 'cameraOff' : 'cameraOn');
      cam.setAttribute('aria-pressed', String(!peer.camera));
      cam.onclick = () => peer.setCamera(!peer.camera);
    }
  }

  #stopTimer(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
