// Starts the workspace: the one place with side effects at start-up. Importing any state module
// does nothing by itself; boot() applies the language, follows the address bar and the window,
// wires the state modules to the session and its live stream (in this order), and asks the
// server whether this browser is signed in.

import { startAlerts } from './state/alerts';
import { watchCompanySettings } from './state/channels';
import { startConversations } from './state/conversations';
import { applyLang } from './state/lang';
import { addLiveListener } from './state/live';
import { watchRoute } from './state/route';
import { wallboardListener } from './state/wallboard';
import { resumeSession, sessionListener } from './state/session';
import { watchWindow } from './state/windowActive';

let started: Promise<void> | null = null;

/** Runs once (a second call returns the first one's promise); resolves when the session check is done. */
export function boot(): Promise<void> {
  started ??= start();
  return started;
}

function start(): Promise<void> {
  applyLang();
  watchRoute();
  watchWindow();
  watchCompanySettings();
  // Who follows sign-in, sign-out and the stream: the /me snapshot and the operators' events first,
  // then the queue and conversations, then the alerts that report on them.
  addLiveListener(sessionListener);
  addLiveListener(wallboardListener);
  startConversations();
  startAlerts();
  return resumeSession();
}
