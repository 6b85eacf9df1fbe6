// 3. A second tab of the same operator sees the change live.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  chooseStatus,
  launchBrowser,
  logIn,
  markDocument,
  newContext,
  profileButton,
  startServer,
  stillSameDocument,
  visible,
} from '../lib/hovor.mjs';

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('a status change in one tab shows in the other tab', async () => {
  const context = await newContext(browser);
  const first = await context.newPage();
  await logIn(first, server.url, 'jana@demo.test');
  await visible(profileButton(first, 'Jana Nováková', 'Online'));

  const second = await context.newPage();
  await second.goto(server.url);
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
