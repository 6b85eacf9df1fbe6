// The call in the operator's conversation: offer one (upgrading the chat), answer the client's,
// and while it runs the two videos, the microphone and camera switches, what the client's side
// says about theirs, and "Back to chat".

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api/client';
import { callDuration, callPhase, rtcIceServers, type Media, type Permission } from '../calls';
import { CallPeer } from '../callPeer';
import type { MessageKey } from '../i18n';
import { t } from '../state/lang';
import { listenForCallSignals } from '../state/calls';
import { myChannels } from '../state/channels';
import { applySessionEverywhere, now, select } from '../state/conversations';
import type { Session } from '../types';

/** When this page loaded: a call already running before it is one we rejoin (a reload). */
const PAGE_LOADED_AT = Date.now();

const PERMISSION_KEY: Readonly<Record<Permission, MessageKey>> = {
  granted: 'call.permission.granted',
  denied: 'call.permission.denied',
  prompt: 'call.permission.prompt',
  unavailable: 'call.permission.unavailable',
};

export function CallBar({ session, clientName }: { session: Session; clientName: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const phase = callPhase(session, 'operator');
  const mine = session.status === 'active';
  const canCall = myChannels.value.some((c) => c.channel === 'av');
  if (!mine || (session.channel !== 'chat' && session.channel !== 'av')) return null;

  const act = async (action: 'propose' | 'accept' | 'decline' | 'hang_up', media?: Media) => {
    setBusy(true);
    setError(null);
    try {
      applySessionEverywhere(await api.changeCall(session.id, media ? { action, media } : { action }));
    } catch (err) {
      const code = err instanceof ApiError ? err.code : '';
      setError(
        code === 'on_another_call'
          ? t('call.onAnotherCall')
          : code === 'channel_not_assigned'
            ? t('call.noAv')
            : t('call.failed', { message: err instanceof Error ? err.message : String(err) }),
      );
    } finally {
      setBusy(false);
    }
  };

  const call = session.call;
  return (
    <div class="call-bar" role="group" aria-label={t('call.label')}>
      {error && (
        <p class="alert alert-error small" role="alert">
          {error}
        </p>
      )}
      {phase === 'none' && canCall && (
        <div class="call-actions">
          <button type="button" class="btn btn-small" disabled={busy} onClick={() => void act('propose', 'video')}>
            {t('call.offerVideo')}
          </button>
          <button type="button" class="btn btn-small" disabled={busy} onClick={() => void act('propose', 'audio')}>
            {t('call.offerAudio')}
          </button>
        </div>
      )}
      {phase === 'outgoing' && call && (
        <div class="call-ask" role="status">
          <span>{t(call.media === 'video' ? 'call.callingVideo' : 'call.callingAudio', { name: clientName })}</span>
          <button type="button" class="btn btn-small" disabled={busy} onClick={() => void act('hang_up')}>
            {t('call.cancel')}
          </button>
        </div>
      )}
      {phase === 'incoming' && call && (
        <div class="call-ask" role="status">
          <span>{t(call.media === 'video' ? 'call.asksVideo' : 'call.asksAudio', { name: clientName })}</span>
          <button type="button" class="btn btn-small btn-primary" disabled={busy} onClick={() => void act('accept')}>
            {t('call.accept')}
          </button>
          {call.media === 'video' && (
            <button type="button" class="btn btn-small" disabled={busy} onClick={() => void act('accept', 'audio')}>
              {t('call.acceptAudio')}
            </button>
          )}
          <button type="button" class="btn btn-small" disabled={busy} onClick={() => void act('decline')}>
            {t('call.decline')}
          </button>
        </div>
      )}
      {phase === 'active' && <p class="muted small">{t('call.inDock')}</p>}
    </div>
  );
}

/**
 * The running call, above whatever conversation is open: it stays (and its camera and connection
 * with it) while the operator answers other chats. There is at most one: an operator has one call.
 */
export function CallDock({ session, clientName, open }: { session: Session; clientName: string; open: boolean }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const call = session.call;
  if (!call || call.state !== 'active') return null;
  const hangUp = async () => {
    setBusy(true);
    setError(null);
    try {
      applySessionEverywhere(await api.changeCall(session.id, { action: 'hang_up' }));
    } catch (err) {
      setError(t('call.failed', { message: err instanceof Error ? err.message : String(err) }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class={`card call-dock${open ? '' : ' call-dock-small'}`} aria-label={t('call.with', { name: clientName })}>
      {error && (
        <p class="alert alert-error small" role="alert">
          {error}
        </p>
      )}
      {!open && (
        <p class="call-dock-head">
          <strong>{t('call.with', { name: clientName })}</strong>{' '}
          <button type="button" class="btn btn-small" onClick={() => select(session.id)}>
            {t('call.openConversation')}
          </button>
        </p>
      )}
      <ActiveCall
        key={`${session.id}:${call.since}`}
        session={session}
        media={call.media}
        since={Date.parse(call.since)}
        clientName={clientName}
        onHangUp={() => void hangUp()}
        busy={busy}
      />
    </section>
  );
}

function ActiveCall(props: { session: Session; media: Media; since: number; clientName: string; onHangUp: () => void; busy: boolean }) {
  const { session, media, since, clientName } = props;
  const [, setVersion] = useState(0);
  const peerRef = useRef<CallPeer | null>(null);
  const remoteRef = useRef<HTMLVideoElement>(null);
  const localRef = useRef<HTMLVideoElement>(null);

  const [elsewhere, setElsewhere] = useState(false);

  useEffect(() => {
    let stop: (() => void) | null = null;
    let release: (() => void) | null = null;
    let closed = false;
    const begin = (waited: boolean) => {
      setElsewhere(false);
      const peer = new CallPeer({
        side: 'operator',
        media,
        // A call that ran before this page (a reload) or in another tab: ask for a fresh connection.
        rejoin: waited || since < PAGE_LOADED_AT,
        iceServers: async () => rtcIceServers(await api.iceServers()),
        send: (signal) => api.callSignal(session.id, signal),
        onChange: () => setVersion((v) => v + 1),
      });
      peerRef.current = peer;
      const unlisten = listenForCallSignals(session.id, (data) => peer.receive(data.from, data.signal));
      stop = () => {
        unlisten();
        peer.close();
        peerRef.current = null;
      };
    };
    // One tab holds the camera and the connection; another tab with the same conversation waits
    // and takes the call over when that one closes.
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    if (locks) {
      let waited = false;
      const held = () => new Promise<void>((resolve) => (release = resolve));
      void locks.request(`hovor-call-${session.id}`, { ifAvailable: true }, async (lock) => {
        if (closed) return;
        if (lock) {
          begin(false);
          return held();
        }
        waited = true;
        setElsewhere(true);
        return locks.request(`hovor-call-${session.id}`, async () => {
          if (closed) return;
          begin(waited);
          return held();
        });
      });
    } else {
      begin(false);
    }
    return () => {
      closed = true;
      stop?.();
      release?.();
    };
  }, [session.id, since, media]);

  const peer = peerRef.current;
  useEffect(() => {
    if (remoteRef.current && peer?.remote && remoteRef.current.srcObject !== peer.remote) remoteRef.current.srcObject = peer.remote;
    if (localRef.current && peer?.local && localRef.current.srcObject !== peer.local) localRef.current.srcObject = peer.local;
  });

  if (elsewhere) {
    return (
      <div class="call-view">
        <p class="call-status" role="status">
          {t('call.otherTab')}
        </p>
        <div class="call-controls">
          <button type="button" class="btn btn-small btn-danger" disabled={props.busy} onClick={props.onHangUp}>
            {t('call.backToChat')}
          </button>
        </div>
      </div>
    );
  }
  const remote = peer?.remoteMedia ?? null;
  const connection = peer?.connection ?? 'starting';
  const seconds = Math.max(0, now.value - since);
  return (
    <div class={`call-view call-${media}`} data-connection={connection}>
      <div class="call-videos">
        <video ref={remoteRef} class="call-remote" autoplay playsInline aria-label={t('call.remoteVideo', { name: clientName })} />
        {media === 'video' && <video ref={localRef} class="call-local" autoplay playsInline muted aria-label={t('call.localVideo')} />}
      </div>
      <p class="call-status" role="status">
        {connection === 'connected'
          ? t('call.connected', { time: callDuration(seconds) })
          : connection === 'failed'
            ? t('call.connectionFailed')
            : t('call.connecting')}
      </p>
      {remote && (
        <ul class="call-remote-state small" aria-label={t('call.clientDevices', { name: clientName })}>
          <li>
            {remote.microphone ? t('call.remoteMicOn') : t('call.remoteMicOff')} · {t('call.microphonePermission')}: {t(PERMISSION_KEY[remote.microphonePermission])}
          </li>
          {media === 'video' && (
            <li>
              {remote.camera ? t('call.remoteCameraOn') : t('call.remoteCameraOff')} · {t('call.cameraPermission')}: {t(PERMISSION_KEY[remote.cameraPermission])}
            </li>
          )}
        </ul>
      )}
      {peer && peer.microphonePermission === 'denied' && (
        <p class="alert alert-error small" role="alert">
          {t('call.myMicBlocked')}
        </p>
      )}
      {peer && media === 'video' && peer.cameraPermission === 'denied' && (
        <p class="alert alert-error small" role="alert">
          {t('call.myCameraBlocked')}
        </p>
      )}
      <div class="call-controls">
        <button type="button" class="btn btn-small" aria-pressed={peer ? !peer.microphone : false} onClick={() => peer?.setMicrophone(!peer.microphone)}>
          {peer?.microphone === false ? t('call.unmute') : t('call.mute')}
        </button>
        {media === 'video' && (
          <button type="button" class="btn btn-small" aria-pressed={peer ? !peer.camera : false} onClick={() => peer?.setCamera(!peer.camera)}>
            {peer?.camera === false ? t('call.cameraOn') : t('call.cameraOff')}
          </button>
        )}
        <button type="button" class="btn btn-small btn-danger" disabled={props.busy} onClick={props.onHangUp}>
          {t('call.backToChat')}
        </button>
      </div>
    </div>
  );
}
