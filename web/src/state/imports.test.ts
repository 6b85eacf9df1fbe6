import { afterEach, describe, expect, it, vi } from 'vitest';
// The libraries first: what they look at on import is theirs, not ours.
import '@preact/signals';
import 'openapi-fetch';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.resetModules();
});

/** A stand-in for a browser global that records every use. */
function recorder(name: string, log: string[]): object {
  return new Proxy(
    {},
    {
      get(_target, key) {
        log.push(`${name}.${String(key)}`);
        return undefined;
      },
      set(_target, key) {
        log.push(`${name}.${String(key)} =`);
        return true;
      },
    },
  );
}

describe('state modules', () => {
  it('do nothing when imported: no listeners, sockets, storage or DOM until boot()', async () => {
    const log: string[] = [];
    for (const name of ['window', 'document', 'navigator', 'localStorage', 'WebSocket']) vi.stubGlobal(name, recorder(name, log));
    const { boot } = await import('../boot');
    await import('./session');
    await import('./conversations');
    await import('./alerts');
    expect(typeof boot).toBe('function');
    expect(log).toEqual([]);
  });
});
