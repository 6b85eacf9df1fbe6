// Issue 14, reports: an operator's pause shows in the day chart and its table; the status-history CSV
// downloaded from the page matches the history the API gives. English and Czech, axe on the page.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  CS_LOGIN,
  apiSession,
  chooseStatus,
  logIn,
  newContext,
  profileButton,
  screenshot,
  seriousA11yViolations,
  serverAndBrowser,
  visible,
} from '../lib/hovor.mjs';

const env = serverAndBrowser();
const AXE = { bypassCSP: true };

async function expectClean(page, what) {
  assert.deepEqual(await seriousA11yViolations(page, {}), [], `${what}: serious or critical accessibility violations`);
}

/** RFC 4180 lines of a CSV without quoted line breaks, the BOM dropped. */
function csvRows(text) {
  return text
    .replace(/^\uFEFF/, '')
    .split('\r\n')
    .filter((l) => l !== '')
    .map((l) => l.split(','));
}

test('the day chart shows a pause, and the history CSV matches the history (en)', async () => {
  const janaContext = await newContext(env.browser);
  const jana = await janaContext.newPage();
  await logIn(jana, env.server.url, 'jana@demo.test');
  await visible(profileButton(jana, 'Jana Nováková', 'Online'));
  await chooseStatus(jana, 'Jana Nováková', /^Oběd/);
  await visible(profileButton(jana, 'Jana Nováková', 'Oběd'));
  await new Promise((r) => setTimeout(r, 2100));
  await chooseStatus(jana, 'Jana Nováková', /^Online/);
  await visible(profileButton(jana, 'Jana Nováková', 'Online'));

  const bossContext = await newContext(env.browser, 'en-US', { ...AXE, acceptDownloads: true });
  const boss = await bossContext.newPage();
  await logIn(boss, env.server.url, 'supervisor@demo.test');
  await visible(profileButton(boss, 'Petra Svobodová', 'Online'));
  await boss.getByRole('link', { name: 'Reports' }).click();
  await boss.waitForURL(/\/reports$/);
  const people = boss.getByRole('table', { name: 'Time per status' });
  const row = people.getByRole('row', { name: /Jana Nováková/ });
  await visible(row.getByText(/Oběd 0:0[2-9] \(unpaid\)/));
  // The chart's bar for Jana has a part for the pause.
  const parts = await boss.locator('svg.chart rect.part-unpaid title').allTextContents();
  assert.ok(parts.some((p) => p.startsWith('Jana Nováková: Oběd')), JSON.stringify(parts));
  assert.ok(await boss.getByRole('img', { name: /Each operator's time online/ }).isVisible());
  // Nobody came today in this demo: said in words rather than as an empty chart.
  await visible(boss.getByRole('region', { name: 'Queue by the hour' }).getByText('No clients came in this period.'));
  await expectClean(boss, 'reports');
  await screenshot(boss, 'reports-1-day');

  // The CSV downloaded from the page, against the API's history for the same day.
  const [download] = await Promise.all([boss.waitForEvent('download'), boss.getByRole('link', { name: 'Status history (CSV)' }).click()]);
  const csv = readFileSync(await download.path(), 'utf8');
  assert.ok(csv.startsWith('\uFEFF'), 'a BOM for spreadsheets');
  const rows = csvRows(csv);
  assert.deepEqual(rows[0], ['operator_id', 'operator_name', 'presence', 'status', 'pause_type', 'paid', 'cause', 'started_at', 'ended_at', 'seconds']);
  const api = await apiSession(env.server.url, 'supervisor@demo.test');
  const team = await api('GET', '/api/v1/operators');
  const janaId = team.body.items.find((p) => p.email === 'jana@demo.test').id;
  const url = new URL(download.url());
  const history = await api(
    'GET',
    `/api/v1/operators/${janaId}/state-history?from=${encodeURIComponent(url.searchParams.get('from'))}&limit=500`,
  );
  const fromApi = history.body.items.map((h) => [h.presence, h.pause_type?.name ?? '', h.cause, h.started_at]).reverse();
  const fromCsv = rows.filter((r) => r[0] === janaId).map((r) => [r[2], r[4], r[6], r[7]]);
  assert.deepEqual(fromCsv, fromApi);
  assert.ok(fromCsv.some(([presence, pause]) => presence === 'break' && pause === 'Oběd'));
  await janaContext.close();
  await bossContext.close();
});

test('the reports page in Czech has no serious accessibility violations', async () => {
  const context = await newContext(env.browser, 'cs-CZ', AXE);
  const boss = await context.newPage();
  await logIn(boss, env.server.url, 'supervisor@demo.test', { labels: CS_LOGIN });
  await visible(profileButton(boss, 'Petra Svobodová', 'Online', 'Profil'));
  await boss.getByRole('link', { name: 'Reporty' }).click();
  await visible(boss.getByRole('table', { name: 'Čas podle stavu' }).getByRole('row', { name: /Jana Nováková/ }));
  await boss.getByLabel('Období').selectOption('week');
  await visible(boss.getByRole('region', { name: 'Fronta po hodinách' }).getByText(/nepřišel žádný klient/));
  await expectClean(boss, 'reports (cs)');
  await screenshot(boss, 'reports-2-week-cs');
  await context.close();
});
