// 3. A second tab of the same operator sees the change live.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  chooseStatus,
  logIn,
  markDocument,
  newContext,
  profileButton,
  serverAndBrowser,
  stillSameDocument,
  visible,
} from '../lib/hovor.mjs';

const env = serverAndBrowser();

test('a status change in one tab shows in the other tab', async () => {
  const context = await newContext(env.browser);
  const first = await context.newPage();
  await logIn(first, env.server.url, 'jana@demo.test');
  await visible(profileButton(first, 'Jana Nováková', 'Online'));

  const second = await context.newPage();
  await second.goto(env.server.url);
  await visible(profileButton(second, 'Jana Nováková', 'Online'));
  await markDocument(second);

  await chooseStatus(first, 'Jana Nováková', /^Oběd/);
  await visible(profileButton(second, 'Jana Nováková', 'Oběd'));

  await chooseStatus(second, 'Jana Nováková', /^Školení/);
  await visible(profileButton(first, 'Jana Nováková', 'Školení'));

  await chooseStatus(first, 'Jana Nováková', 'Online');
  await visible(profileButton(second, 'Jana Nováková', 'Online'));
  assert.ok(await stillSameDocument(second), 'the second tab was not reloaded');

  // Logging out in one tab logs out the other one too.
  await first.bringToFront();
  await first.getByRole('button', { name: /^Profile: / }).click();
  await first.getByRole('menuitem', { name: 'Log out' }).click();
  await visible(first.getByRole('button', { name: 'Log in', exact: true }));
  await visible(second.getByRole('button', { name: 'Log in', exact: true }));
  await context.close();
});
