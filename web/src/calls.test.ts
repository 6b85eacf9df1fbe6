import { describe, expect, it } from 'vitest';
import { callDuration, callPhase, readCallSignal, rtcIceServers } from './calls';

describe('call.signal', () => {
  it('reads each kind of signal and refuses what is not one', () => {
    const offer = { session_id: 's', from: 'operator', signal: { kind: 'offer', pc: 'pc-1', sdp: 'v=0' } };
    expect(readCallSignal(offer)).toEqual(offer);
    const media = {
      session_id: 's',
      from: 'client',
      signal: { kind: 'media', microphone: false, camera: true, microphone_permission: 'granted', camera_permission: 'denied' },
    };
    expect(readCallSignal(media)).toEqual(media);
    expect(readCallSignal({ session_id: 's', from: 'client', signal: { kind: 'ready' } })).not.toBeNull();
    const ice = { session_id: 's', from: 'client', signal: { kind: 'ice', pc: 'p', candidates: [{ candidate: 'candidate:1' }] } };
    expect(readCallSignal(ice)).toEqual(ice);
    expect(readCallSignal({ ...ice, signal: { kind: 'ice', pc: 'p', candidates: [{}] } })).toBeNull();
    expect(readCallSignal({ ...offer, from: 'robot' })).toBeNull();
    expect(readCallSignal({ ...offer, signal: { kind: 'offer', pc: 'p' } })).toBeNull();
    expect(readCallSignal({ ...offer, signal: { kind: 'shout' } })).toBeNull();
    expect(readCallSignal({ ...media, signal: { ...media.signal, camera_permission: 'maybe' } })).toBeNull();
    expect(readCallSignal(null)).toBeNull();
  });
});

describe('callPhase', () => {
  const call = (state: 'proposed' | 'active', by: 'client' | 'operator') => ({ state, media: 'video' as const, proposed_by: by, since: '2026-12-05T10:00:00Z' });
  it('says who is asked', () => {
    expect(callPhase({ status: 'active', call: null }, 'client')).toBe('none');
    expect(callPhase({ status: 'active', call: call('proposed', 'operator') }, 'client')).toBe('incoming');
    expect(callPhase({ status: 'active', call: call('proposed', 'operator') }, 'operator')).toBe('outgoing');
    expect(callPhase({ status: 'waiting', call: call('proposed', 'client') }, 'client')).toBe('outgoing');
    expect(callPhase({ status: 'active', call: call('active', 'client') }, 'operator')).toBe('active');
    expect(callPhase({ status: 'ended', call: call('active', 'client') }, 'operator')).toBe('none');
  });
});

describe('ICE servers and durations', () => {
  it('passes TURN credentials only when given', () => {
    expect(
      rtcIceServers({
        ice_servers: [{ urls: ['stun:stun.example.com'] }, { urls: ['turn:t.example.com'], username: '1:u', credential: 'c' }],
      }),
    ).toEqual([{ urls: ['stun:stun.example.com'] }, { urls: ['turn:t.example.com'], username: '1:u', credential: 'c' }]);
  });
  it('formats how long a call ran', () => {
    expect(callDuration(0)).toBe('0:00');
    expect(callDuration(65_400)).toBe('1:05');
    expect(callDuration(3_725_000)).toBe('1:02:05');
  });
});
