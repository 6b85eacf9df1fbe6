// Issue 12, "Delivery": the first load of the workspace asks for each snapshot once (/me, company
// settings, pause types, the team), not two or three times.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logIn, newContext, profileButton, serverAndBrowser, visible } from '../lib/hovor.mjs';

const env = serverAndBrowser();

test('the workspace loads each snapshot once', async () => {
  const context = await newContext(env.browser);
  const page = await context.newPage();
  await logIn(page, env.server.url, 'supervisor@demo.test');
  await visible(profileButton(page, 'Petra Svobodová', 'Online'));

  // A reload: the boot the issue measured.
  const asked = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/api/v1/')) asked.push(`${r.method()} ${path}`);
  });
  await page.reload();
  await visible(profileButton(page, 'Petra Svobodová', 'Online'));
  await visible(page.getByRole('table', { name: 'Team' }));
  await page.waitForTimeout(1500);
  const count = (what) => asked.filter((a) => a === what).length;
  assert.equal(count('GET /api/v1/company/settings'), 1, asked.join('\n'));
  assert.equal(count('GET /api/v1/pause-types'), 1, asked.join('\n'));
  assert.equal(count('GET /api/v1/operators'), 1, asked.join('\n'));
  // /me once: the socket resumes the operator's stream from the seq it carries, so nothing between
  // the two is missed and it need not be read again.
  assert.equal(count('GET /api/v1/me'), 1, asked.join('\n'));
  await context.close();
});
