// The alert tones: the project's own, synthesised with Web Audio (no audio files). One shared
// AudioContext, unlocked (resumed) at the first pointer or key press after login, because browsers
// keep it suspended until the user has interacted with the page.

import { signal } from '@preact/signals';
import { gainFor, type Tone } from './alerts';

/** True when an alert wanted to play but the browser still holds the audio back. */
export const audioBlocked = signal(false);

type AudioCtor = typeof AudioContext;
let ctx: AudioContext | null = null;
let listening = false;

function audioCtor(): AudioCtor | null {
  const w = window as unknown as { AudioContext?: AudioCtor; webkitAudioContext?: AudioCtor };
  return w.AudioContext ?? w.webkitAudioContext ?? null;
}

function context(): AudioContext | null {
  if (ctx) return ctx;
  const Ctor = audioCtor();
  if (!Ctor) return null;
  try {
    ctx = new Ctor();
  } catch {
    return null;
  }
  ctx.addEventListener('statechange', () => {
    if (ctx?.state === 'running') audioBlocked.value = false;
  });
  return ctx;
}

function hasUserActivation(): boolean {
  const ua = (navigator as Navigator & { userActivation?: { hasBeenActive: boolean } }).userActivation;
  return ua?.hasBeenActive === true;
}

const unlock = (): void => {
  const c = context();
  if (!c) return;
  if (c.state !== 'running') {
    void c.resume().then(
      () => {
        if (c.state === 'running') audioBlocked.value = false;
      },
      () => undefined,
    );
  }
};

/**
 * Called at sign-in: resumes the audio at once when the page already had a user gesture (the login
 * click), and otherwise at the first pointer or key press.
 */
export function armAudio(): void {
  if (hasUserActivation()) unlock();
  if (listening) return;
  listening = true;
  window.addEventListener('pointerdown', unlock, { capture: true, passive: true });
  window.addEventListener('keydown', unlock, { capture: true });
}

export function audioState(): AudioContextState | 'unsupported' {
  if (ctx) return ctx.state;
  return audioCtor() ? 'suspended' : 'unsupported';
}

interface Note {
  /** Start, seconds after now. */
  at: number;
  freq: number;
  /** Frequency to glide to (a "pop"). */
  toFreq?: number;
  glide?: number;
  dur: number;
  /** Relative loudness of this partial. */
  level: number;
  type?: OscillatorType;
}

/** The three tones, as notes. Kept short and soft: they repeat all day. */
const TONE_NOTES: Record<Tone, Note[]> = {
  // Two rising sine notes (A5 → E6), a friendly "ding-ding".
  chime: [
    { at: 0, freq: 880, dur: 0.45, level: 1 },
    { at: 0, freq: 1760, dur: 0.25, level: 0.18 },
    { at: 0.16, freq: 1318.5, dur: 0.7, level: 1 },
    { at: 0.16, freq: 2637, dur: 0.35, level: 0.15 },
  ],
  // A struck bell: inharmonic partials with a long decay.
  bell: [
    { at: 0, freq: 587.3, dur: 1.6, level: 1 },
    { at: 0, freq: 587.3 * 2.76, dur: 0.9, level: 0.35 },
    { at: 0, freq: 587.3 * 5.4, dur: 0.45, level: 0.15 },
    { at: 0, freq: 587.3 * 0.5, dur: 1.2, level: 0.2 },
  ],
  // A short bubble "pop": a quick downward glide.
  pop: [
    { at: 0, freq: 720, toFreq: 260, glide: 0.09, dur: 0.16, level: 1 },
    { at: 0.11, freq: 980, toFreq: 420, glide: 0.07, dur: 0.13, level: 0.55 },
  ],
};

/**
 * Plays a tone at a volume (0–100). Resolves to false when the audio is not running yet (the
 * browser blocked it; `audioBlocked` then asks the operator for a click).
 */
export async function playTone(tone: Tone, volume: number): Promise<boolean> {
  const c = context();
  if (!c) return false;
  if (c.state !== 'running') {
    try {
      await Promise.race([c.resume(), new Promise((r) => setTimeout(r, 300))]);
    } catch {
      // still suspended
    }
  }
  const running = (c.state as AudioContextState) === 'running';
  if (!running) audioBlocked.value = true;
  const peak = gainFor(volume);
  if (peak <= 0) return running;
  const master = c.createGain();
  master.gain.value = peak;
  master.connect(c.destination);
  const t0 = c.currentTime + 0.02;
  let end = t0;
  for (const n of TONE_NOTES[tone]) {
    const osc = c.createOscillator();
    osc.type = n.type ?? 'sine';
    const start = t0 + n.at;
    osc.frequency.setValueAtTime(n.freq, start);
    if (n.toFreq) osc.frequency.exponentialRampToValueAtTime(n.toFreq, start + (n.glide ?? 0.08));
    const env = c.createGain();
    env.gain.setValueAtTime(0.0001, start);
    env.gain.exponentialRampToValueAtTime(n.level, start + 0.008);
    env.gain.exponentialRampToValueAtTime(0.0001, start + n.dur);
    osc.connect(env);
    env.connect(master);
    osc.start(start);
    osc.stop(start + n.dur + 0.02);
    end = Math.max(end, start + n.dur + 0.05);
  }
  setTimeout(() => master.disconnect(), Math.ceil((end - c.currentTime) * 1000) + 200);
  return running;
}
