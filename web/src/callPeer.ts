// One side of a call in the browser: the camera and microphone, the WebRTC connection to the other
// side, and the signalling that sets it up (sent over HTTP, received as `call.signal` events of the
// conversation's stream). The workspace and the widget each draw it their own way.
//
// Who does what: the operator's browser makes every offer, the client's answers. A side that joins a
// running call (the call became active, or its page was reloaded during one) says `ready`; the
// operator answers a client's `ready` with a fresh connection. An operator whose page joins a call
// already running says `ready` too, and the client says `ready` back. Each connection has its own id
// (`pc`), so signals about an earlier one are ignored.

import { newPcId, type Media, type Party, type Permission, type Signal } from './calls';

export type Connection = 'starting' | 'connecting' | 'connected' | 'failed';

/** What the other side said about its microphone and camera. */
export interface RemoteMedia {
  microphone: boolean;
  camera: boolean;
  microphonePermission: Permission;
  cameraPermission: Permission;
}

export interface CallPeerOptions {
  side: Party;
  media: Media;
  iceServers: () => Promise<RTCIceServer[]>;
  send: (signal: Signal) => Promise<void>;
  /** Something the view shows changed. */
  onChange: () => void;
  /** This page joins a call that was already running (a reload): ask for a fresh connection. */
  rejoin: boolean;
  /**
   * Whether this page hears the conversation's stream now. A `ready` said before it does could be
   * answered unheard; it is said once the stream is up (see `hello`).
   */
  listening?: () => boolean;
}

/** How long a connection may try before it counts as failed. */
const CONNECT_TIMEOUT_MS = 20_000;
/** Candidates found within this time go out together. */
const ICE_BATCH_MS = 150;

export class CallPeer {
  readonly #o: CallPeerOptions;
  #pc: RTCPeerConnection | null = null;
  #pcId: string | null = null;
  #pendingIce: RTCIceCandidateInit[] = [];
  #outgoingIce: RTCIceCandidateInit[] = [];
  #iceTimer: ReturnType<typeof setTimeout> | null = null;
  #connectTimer: ReturnType<typeof setTimeout> | null = null;
  #mediaReady: Promise<void>;
  #closed = false;
  #retried = false;
  #pendingOffer: { pc: string; sdp: string } | null = null;
  #offerWanted = false;
  #acquired = false;
  /** `ready` is to be said once the stream is heard. */
  #readyWanted = false;

  local: MediaStream | null = null;
  remote: MediaStream | null = null;
  connection: Connection = 'starting';
  microphone = true;
  camera: boolean;
  microphonePermission: Permission = 'prompt';
  cameraPermission: Permission = 'prompt';
  remoteMedia: RemoteMedia | null = null;

  constructor(options: CallPeerOptions) {
    this.#o = options;
    this.camera = options.media === 'video';
    this.#mediaReady = this.#acquire();
    void this.#mediaReady.then(() => {
      if (this.#closed) return;
      void this.#sendMedia();
      if (this.#o.side === 'client' || this.#o.rejoin) this.#sayReady();
      if (this.#pendingOffer) void this.#answer(this.#pendingOffer);
      if (this.#offerWanted) void this.#offer();
    });
  }

  /** A signal of this conversation's stream (our own are ignored). */
  receive(from: Party, signal: Signal): void {
    if (this.#closed || from === this.#o.side) return;
    switch (signal.kind) {
      case 'ready':
        if (this.#o.side === 'operator') {
          this.#retried = false;
          void this.#offerWhenReady();
        } else {
          // The operator's page came back: say we are here, and it offers.
          void this.#send({ kind: 'ready' });
        }
        break;
      case 'offer':
        if (this.#o.side === 'client') void this.#answer(signal);
        break;
      case 'answer':
        if (this.#o.side === 'operator' && signal.pc === this.#pcId && this.#pc) {
          void this.#pc
            .setRemoteDescription({ type: 'answer', sdp: signal.sdp })
            .then(() => this.#flushPendingIce())
            .catch(() => this.#failed());
        }
        break;
      case 'ice':
        if (signal.pc !== this.#pcId) return;
        for (const c of signal.candidates) {
          const init: RTCIceCandidateInit = { candidate: c.candidate, sdpMid: c.sdp_mid ?? null, sdpMLineIndex: c.sdp_m_line_index ?? null };
          if (this.#pc?.remoteDescription) void this.#pc.addIceCandidate(init).catch(() => undefined);
          else this.#pendingIce.push(init);
        }
        break;
      case 'media':
        this.remoteMedia = {
          microphone: signal.microphone,
          camera: signal.camera,
          microphonePermission: signal.microphone_permission,
          cameraPermission: signal.camera_permission,
        };
        this.#o.onChange();
        break;
      case 'failed':
        // The other side gave up on this connection: the operator tries once more, else both know.
        if (signal.pc === this.#pcId) this.#failed(false);
        break;
    }
  }

  /**
   * The conversation's stream is heard (again): say `ready` if it was held back, or if the
   * connection is not up (what the other side said meanwhile may be lost).
   */
  hello(): void {
    if (this.#closed || !this.#acquired) return;
    if (this.#readyWanted || (this.#o.side === 'client' && this.connection !== 'connected')) {
      this.#readyWanted = false;
      void this.#send({ kind: 'ready' });
    }
  }

  #sayReady(): void {
    if (this.#o.listening && !this.#o.listening()) {
      this.#readyWanted = true;
      return;
    }
    this.#readyWanted = false;
    void this.#send({ kind: 'ready' });
  }

  setMicrophone(on: boolean): void {
    this.microphone = on;
    for (const t of this.local?.getAudioTracks() ?? []) t.enabled = on;
    void this.#sendMedia();
    this.#o.onChange();
  }

  setCamera(on: boolean): void {
    this.camera = on;
    for (const t of this.local?.getVideoTracks() ?? []) t.enabled = on;
    void this.#sendMedia();
    this.#o.onChange();
  }

  /** Stops the camera and microphone and closes the connection. */
  close(): void {
    this.#closed = true;
    this.#clearTimers();
    this.#pc?.close();
    this.#pc = null;
    for (const t of this.local?.getTracks() ?? []) t.stop();
    this.local = null;
    this.remote = null;
  }

  // ---- media ----------------------------------------------------------------------------------

  async #acquire(): Promise<void> {
    await this.#readPermissions();
    const wantVideo = this.#o.media === 'video';
    const devices = navigator.mediaDevices;
    if (!devices?.getUserMedia) {
      this.microphonePermission = 'unavailable';
      this.cameraPermission = 'unavailable';
      this.#acquired = true;
      this.#o.onChange();
      return;
    }
    try {
      this.local = await devices.getUserMedia({ audio: true, video: wantVideo });
      this.microphonePermission = 'granted';
      if (wantVideo) this.cameraPermission = 'granted';
    } catch (err) {
      const denied = err instanceof DOMException && (err.name === 'NotAllowedError' || err.name === 'SecurityError');
      if (wantVideo) {
        // Without the camera, perhaps with the microphone alone.
        this.cameraPermission = denied ? 'denied' : 'unavailable';
        try {
          this.local = await devices.getUserMedia({ audio: true });
          this.microphonePermission = 'granted';
        } catch (e) {
          this.microphonePermission = e instanceof DOMException && e.name === 'NotAllowedError' ? 'denied' : 'unavailable';
        }
      } else {
        this.microphonePermission = denied ? 'denied' : 'unavailable';
      }
    }
    if (this.#closed) {
      for (const t of this.local?.getTracks() ?? []) t.stop();
      this.local = null;
      return;
    }
    this.#acquired = true;
    this.microphone = (this.local?.getAudioTracks().length ?? 0) > 0;
    this.camera = (this.local?.getVideoTracks().length ?? 0) > 0;
    this.#o.onChange();
  }

  async #readPermissions(): Promise<void> {
    const query = async (name: string): Promise<Permission> => {
      try {
        const status = await navigator.permissions.query({ name: name as PermissionName });
        return status.state;
      } catch {
        return 'prompt';
      }
    };
    this.microphonePermission = await query('microphone');
    if (this.#o.media === 'video') this.cameraPermission = await query('camera');
  }

  #sendMedia(): Promise<void> {
    return this.#send({
      kind: 'media',
      microphone: this.microphone,
      camera: this.camera,
      microphone_permission: this.microphonePermission,
      camera_permission: this.cameraPermission,
    });
  }

  // ---- the connection -------------------------------------------------------------------------

  async #send(signal: Signal): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#o.send(signal);
    } catch {
      // The call ended meanwhile, or the network is down: the view shows the connection's state.
    }
  }

  async #offerWhenReady(): Promise<void> {
    this.#offerWanted = true;
    await this.#mediaReady;
    if (this.#offerWanted) await this.#offer();
  }

  async #newConnection(pcId: string): Promise<RTCPeerConnection> {
    this.#pc?.close();
    this.#clearTimers();
    this.#pendingIce = [];
    this.#outgoingIce = [];
    const iceServers = await this.#o.iceServers().catch(() => []);
    const pc = new RTCPeerConnection({ iceServers });
    this.#pc = pc;
    this.#pcId = pcId;
    this.remote = new MediaStream();
    for (const track of this.local?.getTracks() ?? []) pc.addTrack(track, this.local as MediaStream);
    // Receive what the call carries even when we send nothing (no camera, no microphone).
    if (this.local?.getAudioTracks().length === 0 || !this.local) pc.addTransceiver('audio', { direction: 'recvonly' });
    if (this.#o.media === 'video' && (this.local?.getVideoTracks().length ?? 0) === 0) pc.addTransceiver('video', { direction: 'recvonly' });
    pc.ontrack = (ev) => {
      if (pc !== this.#pc) return;
      this.remote?.addTrack(ev.track);
      this.#o.onChange();
    };
    pc.onicecandidate = (ev) => {
      if (pc !== this.#pc || !ev.candidate) return;
      const c = ev.candidate.toJSON();
      if (!c.candidate) return;
      this.#outgoingIce.push(c);
      this.#iceTimer ??= setTimeout(() => this.#flushOutgoingIce(pcId), ICE_BATCH_MS);
    };
    pc.onconnectionstatechange = () => {
      if (pc !== this.#pc) return;
      const s = pc.connectionState;
      if (s === 'connected') {
        this.connection = 'connected';
        if (this.#connectTimer) clearTimeout(this.#connectTimer);
        this.#connectTimer = null;
      } else if (s === 'failed') {
        this.#failed();
        return;
      } else if (s === 'connecting' || s === 'new') {
        this.connection = 'connecting';
      }
      this.#o.onChange();
    };
    this.connection = 'connecting';
    this.#connectTimer = setTimeout(() => {
      if (pc === this.#pc && this.connection !== 'connected') this.#failed();
    }, CONNECT_TIMEOUT_MS);
    this.#o.onChange();
    return pc;
  }

  #flushOutgoingIce(pcId: string): void {
    this.#iceTimer = null;
    if (pcId !== this.#pcId || this.#outgoingIce.length === 0) return;
    const candidates = this.#outgoingIce.splice(0, 50).map((c) => ({
      candidate: c.candidate ?? '',
      sdp_mid: c.sdpMid ?? null,
      sdp_m_line_index: c.sdpMLineIndex ?? null,
    }));
    void this.#send({ kind: 'ice', pc: pcId, candidates });
    if (this.#outgoingIce.length > 0) this.#iceTimer = setTimeout(() => this.#flushOutgoingIce(pcId), ICE_BATCH_MS);
  }

  #flushPendingIce(): void {
    const pc = this.#pc;
    if (!pc) return;
    for (const init of this.#pendingIce.splice(0)) void pc.addIceCandidate(init).catch(() => undefined);
  }

  async #offer(): Promise<void> {
    this.#offerWanted = false;
    if (this.#closed) return;
    const pcId = newPcId();
    const pc = await this.#newConnection(pcId);
    try {
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      if (pc !== this.#pc) return;
      await this.#send({ kind: 'offer', pc: pcId, sdp: offer.sdp ?? '' });
    } catch {
      this.#failed();
    }
  }

  async #answer(offer: { pc: string; sdp: string }): Promise<void> {
    if (this.#closed) return;
    if (!this.#acquired) {
      // The camera and microphone are still being asked for: answer once they are.
      this.#pendingOffer = offer;
      return;
    }
    this.#pendingOffer = null;
    const pc = await this.#newConnection(offer.pc);
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
      this.#flushPendingIce();
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      if (pc !== this.#pc) return;
      await this.#send({ kind: 'answer', pc: offer.pc, sdp: answer.sdp ?? '' });
    } catch {
      this.#failed();
    }
  }

  /** The connection failed: the operator tries once more with a fresh one, then both are told. */
  #failed(tell = true): void {
    if (this.#closed || this.connection === 'failed') return;
    const pcId = this.#pcId;
    if (this.#o.side === 'operator' && !this.#retried) {
      this.#retried = true;
      void this.#offer();
      return;
    }
    this.#clearTimers();
    this.connection = 'failed';
    if (pcId && tell) void this.#send({ kind: 'failed', pc: pcId });
    this.#o.onChange();
  }

  #clearTimers(): void {
    if (this.#iceTimer) clearTimeout(this.#iceTimer);
    if (this.#connectTimer) clearTimeout(this.#connectTimer);
    this.#iceTimer = null;
    this.#connectTimer = null;
  }
}
