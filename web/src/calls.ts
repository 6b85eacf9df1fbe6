// Calls in a conversation, as both the workspace and the widget read them (pure; the widget bundles
// this file): the `call.signal` event's guard, where the call stands for one side, and the ICE
// servers as the browser takes them.

import type { components } from './api/schema.gen';
import { isJsonObject, isOneOf } from './payloads';
import type { Unchecked } from './realtime';
import type { Session } from './types';

type Schemas = components['schemas'];
export type CallInfo = Schemas['CallInfo'];
export type Party = Schemas['Party'];
export type Media = Schemas['Media'];
export type Signal = Schemas['Signal'];
export type Permission = Schemas['Permission'];
export type CallSignalSent = Schemas['CallSignalSent'];
export type IceServers = Schemas['IceServers'];

const PARTIES: Readonly<Record<Party, true>> = { client: true, operator: true };
const KINDS: Readonly<Record<Signal['kind'], true>> = { offer: true, answer: true, ice: true, ready: true, media: true, failed: true };
const PERMISSIONS: Readonly<Record<Permission, true>> = { granted: true, denied: true, prompt: true, unavailable: true };

/** The data of `call.signal`: whose conversation, from which side, and the signal's fields each side reads. */
export function readCallSignal(value: unknown): CallSignalSent | null {
  if (!isJsonObject(value)) return null;
  const v: Unchecked<CallSignalSent> = value;
  if (typeof v.session_id !== 'string' || !isOneOf(PARTIES, v.from) || !isJsonObject(v.signal)) return null;
  const s: Readonly<Record<string, unknown>> = v.signal;
  if (!isOneOf(KINDS, s['kind'])) return null;
  const pcOk = typeof s['pc'] === 'string';
  let ok: boolean;
  switch (s['kind']) {
    case 'offer':
    case 'answer':
      ok = pcOk && typeof s['sdp'] === 'string';
      break;
    case 'ice':
      ok = pcOk && Array.isArray(s['candidates']) && s['candidates'].every((c: unknown) => isJsonObject(c) && typeof c['candidate'] === 'string');
      break;
    case 'media':
      ok =
        typeof s['microphone'] === 'boolean' &&
        typeof s['camera'] === 'boolean' &&
        isOneOf(PERMISSIONS, s['microphone_permission']) &&
        isOneOf(PERMISSIONS, s['camera_permission']);
      break;
    case 'failed':
      ok = pcOk;
      break;
    default:
      ok = true;
  }
  return ok ? (value as CallSignalSent) : null;
}

/** Where the call stands for `me`: none, asked by the other side, asked by me, or running. */
export type CallPhase = 'none' | 'incoming' | 'outgoing' | 'active';

export function callPhase(session: Pick<Session, 'call' | 'status'>, me: Party): CallPhase {
  const call = session.call;
  if (!call || session.status === 'ended') return 'none';
  if (call.state === 'active') return session.status === 'active' ? 'active' : 'none';
  return call.proposed_by === me ? 'outgoing' : 'incoming';
}

/** The server's ICE servers as `RTCConfiguration.iceServers` (TURN's username and credential only when given). */
export function rtcIceServers(servers: IceServers): RTCIceServer[] {
  return servers.ice_servers.map((s) => {
    const out: RTCIceServer = { urls: s.urls };
    if (s.username) out.username = s.username;
    if (s.credential) out.credential = s.credential;
    return out;
  });
}

/** "1:05": how long a call has run. */
export function callDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** A fresh id for one peer connection (`pc`). */
export function newPcId(): string {
  const bytes = new Uint8Array(9);
  globalThis.crypto.getRandomValues(bytes);
  return 'pc-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
