// Whether this workspace window is active: the document is visible AND the window has focus.
// (Headless Chromium keeps `visibilityState` "visible" for a tab behind another, so focus counts too.)

import { signal } from '@preact/signals';
import { isWindowActive } from '../alerts';

export function windowActiveNow(): boolean {
  return isWindowActive({ hidden: document.hidden, hasFocus: document.hasFocus() });
}

/** Kept current from boot() on. */
export const windowActive = signal(true);

/** At boot: the window's state now, and on every focus, blur and visibility change. */
export function watchWindow(): void {
  const update = (): void => {
    windowActive.value = windowActiveNow();
  };
  update();
  window.addEventListener('focus', update);
  window.addEventListener('blur', update);
  document.addEventListener('visibilitychange', update);
  window.addEventListener('pageshow', update);
}
