import { describe, expect, it } from 'vitest';
import type { CallSignalSent } from '../calls';
import { deliverCallSignal, listenForCallSignals } from './calls';

const ready = (session: string): CallSignalSent => ({ session_id: session, from: 'client', signal: { kind: 'ready' } });

describe('call signals for the open call panels', () => {
  it('hands signals that came before the panel listened to it, once, in order', () => {
    deliverCallSignal(ready('s1'));
    deliverCallSignal({ session_id: 's1', from: 'client', signal: { kind: 'failed', pc: 'p' } });
    const heard: string[] = [];
    const stop = listenForCallSignals('s1', (d) => heard.push(d.signal.kind));
    expect(heard).toEqual(['ready', 'failed']);
    deliverCallSignal(ready('s1'));
    expect(heard).toEqual(['ready', 'failed', 'ready']);
    stop();
    const again: string[] = [];
    listenForCallSignals('s1', (d) => again.push(d.signal.kind))();
    expect(again).toEqual([]);
  });

  it('keeps each conversation apart', () => {
    const heard: string[] = [];
    const stop = listenForCallSignals('a', (d) => heard.push(d.session_id));
    deliverCallSignal(ready('b'));
    deliverCallSignal(ready('a'));
    expect(heard).toEqual(['a']);
    stop();
  });
});
