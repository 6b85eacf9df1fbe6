// Whether this workspace window is active: the document is visible AND the window has focus.
// (Headless Chromium keeps `visibilityState` "visible" for a tab behind another, so focus counts too.)

import { signal } from '@preact/signals';
import { isWindowActive } from './alerts';

export function windowActiveNow(): boolean {
  return isWindowActive({ hidden: document.hidden, hasFocus: document.hasFocus() });
}

export const windowActive = signal(windowActiveNow());

const update = (): void => {
  windowActive.value = windowActiveNow();
};
window.addEventListener('focus', update);
window.addEventListener('blur', update);
document.addEventListener('visibilitychange', update);
window.addEventListener('pageshow', update);
