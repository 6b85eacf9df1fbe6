// 5. A wrong password shows an error and stays on the login page.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logIn, newContext, screenshot, serverAndBrowser, visible } from '../lib/hovor.mjs';

const env = serverAndBrowser();

test('a wrong password is refused with a message', async () => {
  const context = await newContext(env.browser);
  const page = await context.newPage();
  await logIn(page, env.server.url, 'jana@demo.test', { password: 'wrong-password' });
  const alert = await visible(page.getByRole('alert'));
  assert.equal((await alert.innerText()).trim(), 'Wrong email or password.');
  await screenshot(page, 'login-error');
  assert.equal(new URL(page.url()).pathname, '/login');
  await visible(page.getByRole('button', { name: 'Log in', exact: true }));
  assert.equal(await page.getByRole('button', { name: /^Profile: / }).count(), 0);
  // Reloading still shows the login page: no session was created.
  await page.reload();
  await visible(page.getByLabel('Password', { exact: true }));
  assert.equal(await page.getByRole('button', { name: /^Profile: / }).count(), 0);
  await context.close();
});

test('the login page asks nothing it knows will fail: no 401 in the console; a logout comes back to it cleanly', async () => {
  const context = await newContext(env.browser);
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  const asked = [];
  page.on('response', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/')) asked.push(`${r.status()} ${new URL(r.url()).pathname}`);
  });
  await page.goto(env.server.url);
  await visible(page.getByRole('button', { name: 'Log in', exact: true }));
  await page.waitForTimeout(300);
  assert.deepEqual(errors, [], 'no console errors on the login page');
  assert.deepEqual(asked.filter((a) => a.startsWith('401')), [], asked.join(', '));

  // Signed in, then out: the login page again, still without a 401.
  await logIn(page, env.server.url, 'jana@demo.test');
  await visible(page.getByRole('button', { name: /^Profile: / }));
  await page.getByRole('button', { name: /^Profile: / }).click();
  await page.getByRole('menuitem', { name: 'Log out' }).click();
  await visible(page.getByRole('button', { name: 'Log in', exact: true }));
  asked.length = 0;
  await page.reload();
  await visible(page.getByRole('button', { name: 'Log in', exact: true }));
  await page.waitForTimeout(300);
  assert.deepEqual(asked.filter((a) => a.startsWith('401')), [], asked.join(', '));
  await context.close();
});
