// 5. A wrong password shows an error and stays on the login page.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, logIn, newContext, screenshot, startServer, visible } from '../lib/hovor.mjs';

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

test('a wrong password is refused with a message', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await logIn(page, server.url, 'jana@demo.test', { password: 'wrong-password' });
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
