// 6. The profile page shows today's time per status and the recent history.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  chooseStatus,
  logIn,
  newContext,
  profileButton,
  screenshot,
  serverAndBrowser,
  visible,
} from '../lib/hovor.mjs';

const env = serverAndBrowser();

const DURATION = /(< 1 min|\d+ min|\d+ h( \d+ min)?)$/;

test("the profile page lists today's time and history", async () => {
  const context = await newContext(env.browser);
  const page = await context.newPage();
  await logIn(page, env.server.url, 'jana@demo.test');
  await visible(profileButton(page, 'Jana Nováková', 'Online'));
  await chooseStatus(page, 'Jana Nováková', /^Oběd/);
  await visible(profileButton(page, 'Jana Nováková', 'Oběd'));

  await page.getByRole('button', { name: /^Profile: / }).click();
  await page.getByRole('menuitem', { name: 'My profile' }).click();
  await page.waitForURL(/\/profile$/);
  await visible(page.getByRole('heading', { name: 'My profile' }));
  await visible(page.getByText('jana@demo.test', { exact: true }).first());

  const today = await visible(page.getByRole('list', { name: 'Time today' }));
  const lines = today.getByRole('listitem');
  await visible(lines.first());
  const texts = (await lines.allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim());
  const line = (label) => texts.find((s) => s.startsWith(label));
  for (const label of ['Online', 'Away', 'Oběd', 'Osobní volno', 'Školení', 'Porada', 'Offline']) {
    assert.ok(line(label), `a line for ${label}: ${JSON.stringify(texts)}`);
    assert.match(line(label), DURATION);
  }
  assert.match(line('Oběd'), /unpaid/);
  assert.match(line('Školení'), /paid/);
  // Today counts from Jana's first login, a moment ago: the night before it is not offline time.
  assert.match(line('Offline'), / 0 min$/, line('Offline'));

  const history = await visible(page.getByRole('list', { name: 'Recent status changes' }));
  const first = history.getByRole('listitem').first();
  await visible(first.getByText('Oběd', { exact: true }));
  await visible(first.getByText('Changed by the operator'));
  await visible(history.getByText('Logged in').first());
  await screenshot(page, 'profile-en');

  // A change made elsewhere refreshes the page live.
  const other = await context.newPage();
  await other.goto(env.server.url);
  await chooseStatus(other, 'Jana Nováková', 'Online');
  await visible(history.getByRole('listitem').first().getByText('Online', { exact: true }));
  await context.close();
});
