// Issue 12, "Status after login is not applied": Jana picks a pause, closes the browser without
// logging out, waits past the grace period, and logs in again with her password. She starts
// Online (the company's status after login), not on yesterday's pause.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  apiSession,
  chooseStatus,
  logIn,
  newContext,
  profileButton,
  serverAndBrowser,
  visible,
} from '../lib/hovor.mjs';

const env = serverAndBrowser();

async function presenceOf(admin, email) {
  const team = await admin('GET', '/api/v1/operators');
  assert.equal(team.status, 200);
  const jana = team.body.items.find((o) => o.email === email);
  assert.ok(jana, `${email} is on the team`);
  return jana.state;
}

test('logging in again after the grace period starts Online, not on the old pause', async () => {
  const admin = await apiSession(env.server.url, 'admin@demo.test');
  // A short grace period, so the test need not wait a minute.
  const settings = await admin('PATCH', '/api/v1/company/settings', { disconnect_grace_s: 1 });
  assert.equal(settings.status, 200);

  const yesterday = await newContext(env.browser);
  const page = await yesterday.newPage();
  await logIn(page, env.server.url, 'jana@demo.test');
  await visible(profileButton(page, 'Jana Nováková', 'Online'));
  await chooseStatus(page, 'Jana Nováková', /^Osobní volno/);
  await visible(profileButton(page, 'Jana Nováková', 'Osobní volno'));
  // The browser closes without logging out.
  await yesterday.close();

  const deadline = Date.now() + 20_000;
  let state = await presenceOf(admin, 'jana@demo.test');
  while (state.presence !== 'offline' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    state = await presenceOf(admin, 'jana@demo.test');
  }
  assert.equal(state.presence, 'offline', 'offline once the grace period passed');
  assert.equal(state.cause, 'disconnect');

  const today = await newContext(env.browser);
  const again = await today.newPage();
  await logIn(again, env.server.url, 'jana@demo.test');
  await visible(profileButton(again, 'Jana Nováková', 'Online'));
  state = await presenceOf(admin, 'jana@demo.test');
  assert.equal(state.presence, 'online');
  assert.equal(state.cause, 'login', 'a login, not a reconnect');
  assert.equal(state.pause_type, null);
  await today.close();
});
