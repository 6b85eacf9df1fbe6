// Channels: Jana switches chat off in the Channels tab and the widget shows the offline state; when the
// admin forbids operators to switch channels, Jana's switches are read-only with the reason shown.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CS_LOGIN,
  apiSession,
  channelSwitch,
  logIn,
  markDocument,
  newContext,
  openWidget,
  profileButton,
  screenshot,
  serverAndBrowser,
  stillSameDocument,
  visible,
} from '../lib/hovor.mjs';

const env = serverAndBrowser();

test('switching chat off makes the widget offline', async () => {
  const janaContext = await newContext(env.browser);
  const jana = await janaContext.newPage();
  await logIn(jana, env.server.url, 'jana@demo.test');
  await visible(profileButton(jana, 'Jana Nováková', 'Online'));
  const chat = await visible(channelSwitch(jana, 'Chat'));
  const av = await visible(channelSwitch(jana, 'Audio/video'));
  assert.equal(await chat.getAttribute('aria-checked'), 'true');
  assert.equal(await chat.isDisabled(), false);
  await visible(jana.getByRole('tabpanel').getByText('Capacity: 3'));
  assert.ok(await av.isVisible());
  // Jana has no e-mail or phone channel.
  assert.equal(await jana.getByRole('switch', { name: 'Phone' }).count(), 0);

  // Jana is the only logged-in operator with chat: the widget offers a chat.
  const c1 = await newContext(env.browser);
  const w1 = await openWidget(await c1.newPage(), env.server.url);
  await visible(w1.getByRole('button', { name: 'Start chat' }));
  await c1.close();

  await chat.click();
  await visible(jana.getByRole('switch', { name: 'Chat', checked: false }));
  await screenshot(jana, 'channels-1-chat-off');

  const c2 = await newContext(env.browser);
  const p2 = await c2.newPage();
  const w2 = await openWidget(p2, env.server.url);
  await visible(w2.getByText(/We are offline now/));
  assert.equal(await w2.getByRole('button', { name: 'Start chat' }).count(), 0);
  await screenshot(p2, 'channels-2-widget-offline');
  await c2.close();

  // Switching it back on brings the start form back (a fresh visitor).
  await chat.click();
  await visible(jana.getByRole('switch', { name: 'Chat', checked: true }));
  const c3 = await newContext(env.browser);
  const w3 = await openWidget(await c3.newPage(), env.server.url);
  await visible(w3.getByRole('button', { name: 'Start chat' }));
  await c3.close();
  await janaContext.close();
});

test('when the company forbids it, the switches are read-only with the reason', async () => {
  // Jana works with her workspace open; her switches are usable.
  const janaContext = await newContext(env.browser);
  const jana = await janaContext.newPage();
  await logIn(jana, env.server.url, 'jana@demo.test');
  await visible(profileButton(jana, 'Jana Nováková', 'Online'));
  const chat = await visible(channelSwitch(jana, 'Chat'));
  assert.equal(await chat.isDisabled(), false);
  await markDocument(jana);

  // The admin turns the setting off on the Admin page.
  const adminContext = await newContext(env.browser);
  const admin = await adminContext.newPage();
  await logIn(admin, env.server.url, 'admin@demo.test');
  await visible(profileButton(admin, 'Alena Administrátorová', 'Online'));
  await admin.getByRole('link', { name: 'Administration' }).click();
  const settings = await visible(admin.getByRole('region', { name: 'Company settings' }));
  const toggle = settings.getByRole('checkbox', { name: 'Operators may switch their own channels on and off' });
  assert.equal(await toggle.isChecked(), true);
  await toggle.uncheck();
  await settings.getByRole('button', { name: 'Save' }).click();
  await visible(settings.getByText('Saved.'));

  // Jana's open workspace follows at once, without a reload.
  await visible(jana.getByText('Your company does not allow operators to switch channels.', { exact: false }));
  assert.equal(await chat.isDisabled(), true);
  assert.equal(await channelSwitch(jana, 'Audio/video').isDisabled(), true);
  assert.ok(await stillSameDocument(jana), 'Jana did not reload');
  await screenshot(jana, 'channels-3-forbidden');

  // The API refuses it too (403 channel_toggle_forbidden).
  const call = await apiSession(env.server.url, 'jana@demo.test');
  const me = await call('GET', '/api/v1/me');
  const res = await call('PUT', `/api/v1/operators/${me.body.user.id}/channels/chat`, { enabled: false });
  assert.equal(res.status, 403);
  assert.equal(res.body.error.code, 'channel_toggle_forbidden');

  // A supervisor may still switch Jana's channel; Jana's tab follows live.
  const sup = await apiSession(env.server.url, 'supervisor@demo.test');
  const changed = await sup('PUT', `/api/v1/operators/${me.body.user.id}/channels/chat`, { enabled: false });
  assert.equal(changed.status, 200);
  await visible(jana.getByRole('switch', { name: 'Chat', checked: false }));
  // …and is told who did it.
  await visible(jana.getByText(/^Petra Svobodová changed your channels at \d/));

  // In Czech.
  const csContext = await newContext(env.browser, 'cs-CZ');
  const cs = await csContext.newPage();
  await logIn(cs, env.server.url, 'jana@demo.test', { labels: CS_LOGIN });
  await visible(cs.getByRole('switch', { name: 'Chat' }));
  await visible(cs.getByText('Vaše společnost operátorům nedovoluje přepínat kanály.', { exact: false }));
  await visible(cs.getByRole('region', { name: 'Fronta' }));
  await screenshot(cs, 'channels-4-forbidden-cs');
  await markDocument(cs);

  // Restore, so the setting does not leak into other tests of this file; Jana's switches come back
  // live too.
  await toggle.check();
  await settings.getByRole('button', { name: 'Save' }).click();
  await visible(settings.getByText('Saved.'));
  await jana.getByText('Your company does not allow operators to switch channels.', { exact: false }).waitFor({ state: 'detached' });
  assert.equal(await channelSwitch(jana, 'Chat').isDisabled(), false);
  // The Czech workspace follows live as well.
  await cs.getByText('Vaše společnost operátorům nedovoluje přepínat kanály.', { exact: false }).waitFor({ state: 'detached' });
  assert.equal(await channelSwitch(cs, 'Chat').isDisabled(), false);
  assert.ok(await stillSameDocument(cs), 'the Czech tab did not reload');
  await csContext.close();
  await janaContext.close();
  await adminContext.close();
});
