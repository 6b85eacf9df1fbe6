// Issue 14, reports: an operator's pause shows in the day chart and its table; the status-history CSV
// downloaded from the page matches the history the API gives, with who set a status; a client who
// came and was answered shows in the hourly queue chart. English and Czech, axe on the page.
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
  widgetChat,
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
  const fromCsv = await matchesHistory(download, rows);
  assert.ok(fromCsv.some(([presence, pause]) => presence === 'break' && pause === 'Oběd'));
  await janaContext.close();
  await bossContext.close();
});

const HISTORY_HEADER = ['operator_id', 'operator_name', 'presence', 'status', 'pause_type', 'paid', 'cause', 'started_at', 'ended_at', 'seconds', 'changed_by'];

/** Jana's rows of the downloaded history CSV, against the API's history for the same window. */
async function matchesHistory(download, rows) {
  assert.deepEqual(rows[0], HISTORY_HEADER);
  const api = await apiSession(env.server.url, 'supervisor@demo.test');
  const team = await api('GET', '/api/v1/operators');
  const janaId = team.body.items.find((p) => p.email === 'jana@demo.test').id;
  const url = new URL(download.url());
  const history = await api(
    'GET',
    `/api/v1/operators/${janaId}/state-history?from=${encodeURIComponent(url.searchParams.get('from'))}&limit=500`,
  );
  const fromApi = history.body.items
    .map((h) => [h.presence, h.pause_type?.name ?? '', h.cause, h.started_at, h.changed_by?.name ?? ''])
    .reverse();
  const fromCsv = rows.filter((r) => r[0] === janaId).map((r) => [r[2], r[4], r[6], r[7], r[10]]);
  assert.deepEqual(fromCsv, fromApi);
  return fromCsv;
}

test('in Czech: a client answered in the hourly queue chart, a pause ended by the supervisor in the day chart and the CSV (cs)', async () => {
  const context = await newContext(env.browser, 'cs-CZ', { ...AXE, acceptDownloads: true });
  const boss = await context.newPage();
  await logIn(boss, env.server.url, 'supervisor@demo.test', { labels: CS_LOGIN });
  await visible(profileButton(boss, 'Petra Svobodová', 'Online', 'Profil'));
  await boss.getByRole('link', { name: 'Reporty' }).click();
  await visible(boss.getByRole('table', { name: 'Čas podle stavu' }).getByRole('row', { name: /Jana Nováková/ }));
  await boss.getByLabel('Období').selectOption('week');
  const queue = boss.getByRole('region', { name: 'Fronta po hodinách' });
  await visible(queue.getByText(/nepřišel žádný klient/));
  await expectClean(boss, 'reports (cs)');
  await screenshot(boss, 'reports-2-week-cs');

  // A client comes and Jana answers; then she goes to lunch, and Petra puts her back from the board.
  const janaContext = await newContext(env.browser, 'cs-CZ');
  const jana = await janaContext.newPage();
  await logIn(jana, env.server.url, 'jana@demo.test', { labels: CS_LOGIN });
  await visible(profileButton(jana, 'Jana Nováková', 'Online', 'Profil'));
  const client = await widgetChat(env.browser, env.server.url, 'Karel Zákazník', {
    locale: 'cs-CZ',
    nameLabel: 'Vaše jméno',
    start: 'Začít chat',
    button: 'Napište nám',
  });
  const offer = jana.getByRole('region', { name: 'Fronta' }).getByRole('listitem').filter({ hasText: 'Karel Zákazník' });
  await (await visible(offer)).getByRole('button', { name: 'Přijmout', exact: true }).click();
  await visible(jana.getByRole('region', { name: 'Konverzace: Karel Zákazník' }));
  await jana.getByRole('button', { name: /^Profil: Jana Nováková,/ }).click();
  await (await visible(jana.getByRole('menu', { name: 'Nabídka profilu' }))).getByRole('menuitemradio', { name: /^Oběd/ }).click();
  await visible(profileButton(jana, 'Jana Nováková', 'Oběd', 'Profil'));
  await new Promise((r) => setTimeout(r, 2100));
  await boss.getByRole('link', { name: 'Přehled' }).click();
  // On the board, in Czech: her pause with its time running.
  const onBoard = boss.getByRole('table', { name: 'Operátoři' }).getByRole('row', { name: /Jana Nováková/ });
  await visible(onBoard.locator('.pill', { hasText: 'Oběd' }));
  const timer = await visible(onBoard.getByLabel(/^Jana Nováková: v.tomto stavu \d+:\d\d$/));
  const before = await timer.innerText();
  await boss.waitForFunction(
    (was) => {
      const t = document.querySelector('tr[data-operator="Jana Nováková"] .timer');
      return t !== null && t.textContent !== was;
    },
    before,
    { timeout: 5000 },
  );
  await (await visible(boss.getByRole('combobox', { name: 'Stav: Jana Nováková' }))).selectOption('online');
  await visible(profileButton(jana, 'Jana Nováková', 'Online', 'Profil'));

  await boss.getByRole('link', { name: 'Reporty' }).click();
  await visible(boss.getByRole('table', { name: 'Čas podle stavu' }).getByRole('row', { name: /Jana Nováková/ }).getByText(/Oběd 0:0[2-9] \(neplacená\)/));
  const parts = await boss.locator('svg.chart rect.part-unpaid title').allTextContents();
  assert.ok(parts.some((p) => p.startsWith('Jana Nováková: Oběd')), JSON.stringify(parts));
  // The queue by the hour: Karel came and was answered, in the totals, the chart and its table.
  await visible(queue.getByText(/^Klientů: 1, přijato 1, opuštěno 0;/));
  await visible(queue.getByRole('img', { name: /^Příchozí klienti a.nejvíc čekajících najednou/ }));
  const bars = await queue.locator('svg.chart rect.part-online title').allTextContents();
  assert.equal(bars.filter((b) => b.endsWith(': Přišlo 1')).length, 1, JSON.stringify(bars));
  const hours = queue.getByRole('table').getByRole('row');
  assert.equal(await hours.count(), 2, 'the header and the one hour Karel came in');
  assert.deepEqual((await hours.nth(1).getByRole('cell').allInnerTexts()).slice(0, 4), ['1', '1', '1', '0']);
  await expectClean(boss, 'reports with a client (cs)');
  await screenshot(boss, 'reports-3-day-cs');

  const [download] = await Promise.all([boss.waitForEvent('download'), boss.getByRole('link', { name: 'Historie stavů (CSV)' }).click()]);
  const fromCsv = await matchesHistory(download, csvRows(readFileSync(await download.path(), 'utf8')));
  // Lunch, then back online by Petra's hand: the CSV says so.
  assert.deepEqual(
    fromCsv.slice(-2).map(([presence, pause, cause, , by]) => [presence, pause, cause, by]),
    [
      ['break', 'Oběd', 'manual', ''],
      ['online', '', 'supervisor', 'Petra Svobodová'],
    ],
  );
  await client.context.close();
  await janaContext.close();
  await context.close();
});
