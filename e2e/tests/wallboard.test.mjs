// Issue 14, the supervisor's wallboard: a supervisor sees an operator's pause appear with a running
// timer and puts them back online (recorded with the supervisor's name); a waiting client shows in
// the queue and the open sessions, and a stuck session is ended from there. English and Czech, with
// axe-core on the board.
import assert from 'node:assert/strict';
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

test('a supervisor sees a pause appear with a running timer and puts the operator back online (en)', async () => {
  const janaContext = await newContext(env.browser);
  const jana = await janaContext.newPage();
  await logIn(jana, env.server.url, 'jana@demo.test');
  await visible(profileButton(jana, 'Jana Nováková', 'Online'));

  const bossContext = await newContext(env.browser, 'en-US', AXE);
  const boss = await bossContext.newPage();
  await logIn(boss, env.server.url, 'supervisor@demo.test');
  await visible(profileButton(boss, 'Petra Svobodová', 'Online'));
  await boss.getByRole('link', { name: 'Wallboard' }).click();
  await boss.waitForURL(/\/wallboard$/);
  const operators = boss.getByRole('table', { name: 'Operators' });
  const row = operators.getByRole('row', { name: /Jana Nováková/ });
  await visible(row.locator('.pill', { hasText: 'Online' }));
  await visible(boss.getByRole('table', { name: 'Queues' }).getByRole('row', { name: /All operators/ }));

  // Jana goes to lunch in her own workspace; the board shows it at once, and the time runs.
  await chooseStatus(jana, 'Jana Nováková', /^Oběd/);
  await visible(profileButton(jana, 'Jana Nováková', 'Oběd'));
  await boss.bringToFront();
  await visible(row.locator('.pill', { hasText: 'Oběd' }));
  const timer = row.getByRole('cell').nth(1).locator('.timer');
  const first = await timer.innerText();
  await boss.waitForFunction(
    ([name, before]) => {
      const cell = document.querySelector(`tr[data-operator="${name}"] .timer`);
      return cell !== null && cell.textContent !== before && /^\d+:\d\d$/.test(cell.textContent ?? '');
    },
    ['Jana Nováková', first],
    { timeout: 5000 },
  );
  await expectClean(boss, 'wallboard');
  await screenshot(boss, 'wallboard-1-pause');

  // Petra puts her back online from the board; Jana's workspace follows.
  await row.getByRole('combobox', { name: 'Status of Jana Nováková' }).selectOption('online');
  await visible(row.locator('.pill', { hasText: 'Online' }));
  await visible(profileButton(jana, 'Jana Nováková', 'Online'));
  const api = await apiSession(env.server.url, 'supervisor@demo.test');
  const people = await api('GET', '/api/v1/operators');
  const janaId = people.body.items.find((p) => p.email === 'jana@demo.test').id;
  const history = await api('GET', `/api/v1/operators/${janaId}/state-history`);
  assert.equal(history.body.items[0].cause, 'supervisor');
  assert.equal(history.body.items[0].changed_by.name, 'Petra Svobodová');
  assert.equal(history.body.items[1].pause_type.name, 'Oběd');

  // Her chat switched off from the board, and on again.
  const chat = row.getByRole('button', { name: /^Chat .*Jana Nováková$/ });
  assert.equal(await chat.getAttribute('aria-pressed'), 'true');
  await chat.click();
  await boss.waitForFunction(() => document.querySelector('tr[data-operator="Jana Nováková"] .chip-toggle')?.getAttribute('aria-pressed') === 'false');
  await chat.click();
  await boss.waitForFunction(() => document.querySelector('tr[data-operator="Jana Nováková"] .chip-toggle')?.getAttribute('aria-pressed') === 'true');
  await janaContext.close();
  await bossContext.close();
});

test('a waiting client is on the board, and a supervisor ends a stuck session (cs)', async () => {
  const janaContext = await newContext(env.browser, 'cs-CZ');
  const jana = await janaContext.newPage();
  await logIn(jana, env.server.url, 'jana@demo.test', { labels: CS_LOGIN });
  await visible(profileButton(jana, 'Jana Nováková', 'Online', 'Profil'));

  const bossContext = await newContext(env.browser, 'cs-CZ', AXE);
  const boss = await bossContext.newPage();
  await logIn(boss, env.server.url, 'supervisor@demo.test', { labels: CS_LOGIN });
  await visible(profileButton(boss, 'Petra Svobodová', 'Online', 'Profil'));
  await boss.getByRole('link', { name: 'Přehled' }).click();
  await visible(boss.getByRole('heading', { name: 'Přehled provozu' }));

  const client = await widgetChat(env.browser, env.server.url, 'Karel Zákazník', {
    locale: 'cs-CZ',
    nameLabel: 'Vaše jméno',
    start: 'Začít chat',
    button: 'Napište nám',
  });
  const sessions = boss.getByRole('table', { name: 'Otevřené relace' });
  const karel = sessions.getByRole('row', { name: /Karel Zákazník/ });
  await visible(karel.getByText('Nabídnuto: Jana Nováková'));
  const queues = boss.getByRole('table', { name: 'Fronty' });
  await screenshot(boss, 'wallboard-2-waiting-cs');
  await visible(queues.getByRole('row', { name: /All operators/ }).getByRole('cell').first().getByText('1', { exact: true }));
  await expectClean(boss, 'wallboard (cs)');

  // Jana takes Karel. Petra switches Jana's chat off from the board: Jana is told who did it.
  const offer = jana.getByRole('region', { name: 'Fronta' }).getByRole('listitem').filter({ hasText: 'Karel Zákazník' });
  await (await visible(offer)).getByRole('button', { name: 'Přijmout', exact: true }).click();
  const conversation = await visible(jana.getByRole('region', { name: 'Konverzace: Karel Zákazník' }));
  await visible(karel.getByText('Obsluhuje: Jana Nováková', { exact: true }));
  const janasChat = (pressed) => boss.getByRole('button', { name: /^Chat .*, Jana Nováková$/, pressed });
  await janasChat(true).click();
  await visible(janasChat(false));
  await visible(jana.getByText(/^Petra Svobodová změnil\(a\) vaše kanály v\s\d/));
  await screenshot(jana, 'wallboard-cs-jana-told-channels');
  await jana.getByRole('button', { name: 'Rozumím' }).click();
  await jana.getByText(/^Petra Svobodová změnil/).waitFor({ state: 'detached' });

  // The session is stuck: Petra ends it, and Jana's conversation says who ended it.
  await karel.getByRole('button', { name: 'Ukončit relaci s klientem Karel Zákazník' }).click();
  await karel.getByRole('button', { name: 'Ukončit', exact: true }).click();
  await karel.waitFor({ state: 'detached' });
  await visible(boss.getByText('Žádné otevřené relace.'));
  await visible(conversation.getByText('Ukončil(a) Petra Svobodová', { exact: true }));
  await screenshot(jana, 'wallboard-cs-jana-ended-by');

  // TV mode: the board alone, large.
  await boss.getByRole('button', { name: 'Režim TV' }).click();
  await visible(boss.locator('main.wallboard.is-tv'));
  await screenshot(boss, 'wallboard-3-tv-cs');
  await boss.getByRole('button', { name: 'Ukončit režim TV' }).click();
  await client.context.close();
  await janaContext.close();
  await bossContext.close();
});
