// After-chat work: an admin gives the built-in group 20 s of after-chat work (Administration ›
// Groups); Jana ends a chat, sees the countdown and is offered nothing while a new client waits;
// "Ready" ends it and the waiting client is offered to her at once. In English and in Czech, with
// axe on the notice.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CHAT_WORDS,
  apiSession,
  logIn,
  newContext,
  openWidget,
  profileButton,
  screenshot,
  seriousA11yViolations,
  serverAndBrowser,
  visible,
} from '../lib/hovor.mjs';

const env = serverAndBrowser();

const WORDS = {
  en: {
    ...CHAT_WORDS.en,
    notice: 'After-chat work',
    text: /Chat: nothing new for 0:(1\d|20)\./,
    ready: 'Ready',
  },
  cs: {
    ...CHAT_WORDS.cs,
    notice: 'Práce po konverzaci',
    text: /Chat: nic nového ještě 0:(1\d|20)\./,
    ready: 'Připraven(a)',
  },
};

test('an admin sets the group’s after-chat work in Administration › Groups', async () => {
  const context = await newContext(env.browser);
  const page = await context.newPage();
  await logIn(page, env.server.url, 'admin@demo.test');
  await visible(profileButton(page, 'Alena Administrátorová', 'Online'));
  await page.getByRole('link', { name: 'Administration' }).click();
  await page.getByRole('navigation', { name: 'Administration sections' }).getByRole('link', { name: 'Groups' }).click();
  await page.getByRole('button', { name: 'Edit group All operators' }).click();
  const field = page.getByLabel('After-chat work (seconds)');
  assert.equal(await field.inputValue(), '0');
  await field.fill('601');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await visible(page.getByText('A whole number from 0 to 600.'));
  await field.fill('20');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await visible(page.getByRole('status').filter({ hasText: 'Saved.' }));
  const api = await apiSession(env.server.url, 'admin@demo.test');
  const groups = await api('GET', '/api/v1/groups');
  assert.equal(groups.body.items.find((g) => g.builtin).after_chat_s, 20);
  await context.close();
});

for (const [lang, w] of Object.entries(WORDS)) {
  test(`after a chat Jana finishes her notes, counted down, and Ready brings the next client (${lang})`, async () => {
    const api = await apiSession(env.server.url, 'admin@demo.test');
    const groups = await api('GET', '/api/v1/groups');
    const builtin = groups.body.items.find((g) => g.builtin);
    assert.equal((await api('PATCH', `/api/v1/groups/${builtin.id}`, { after_chat_s: 20 })).status, 200);

    const janaContext = await newContext(env.browser, w.locale, { bypassCSP: true });
    const jana = await janaContext.newPage();
    await logIn(jana, env.server.url, 'jana@demo.test', w.login ? { labels: w.login } : {});
    await visible(profileButton(jana, 'Jana Nováková', w.profile[0], w.profile[1]));
    const start = async (name) => {
      const context = await newContext(env.browser, w.locale);
      const page = await context.newPage();
      const widget = await openWidget(page, env.server.url, { button: w.button });
      await widget.getByLabel(w.name).fill(name);
      await widget.getByRole('button', { name: w.start }).click();
      return { context, widget };
    };
    const first = await start(lang === 'en' ? 'Karel' : 'Božena');
    const queue = jana.getByRole('region', { name: w.queue });
    await queue.getByRole('listitem').filter({ hasText: lang === 'en' ? 'Karel' : 'Božena' }).getByRole('button', { name: w.accept, exact: true }).click();
    await jana.getByRole('button', { name: w.end, exact: true }).click();
    await jana.getByRole('button', { name: w.confirm }).click();

    // The notice counts down.
    const notice = await visible(jana.getByRole('region', { name: w.notice }));
    await visible(notice.getByText(w.text));
    const read = async () => Number((/0:(\d\d)/.exec(await notice.innerText()) ?? [])[1]);
    const before = await read();
    await jana.waitForTimeout(2_100);
    const after = await read();
    assert.ok(after < before, `the countdown runs: ${before} then ${after}`);
    assert.deepEqual(await seriousA11yViolations(jana), [], `the after-chat notice (${lang})`);
    await screenshot(jana, `after-chat-1-${lang}`);

    // A new client waits meanwhile: Jana is offered nothing.
    const secondName = lang === 'en' ? 'Eva' : 'Radek';
    const second = await start(secondName);
    const item = queue.getByRole('listitem').filter({ hasText: secondName });
    await visible(item);
    const session = async () => (await api('GET', '/api/v1/sessions?limit=20')).body;
    await jana.waitForTimeout(1_500);
    const open = await session();
    const waiting = (open.items ?? []).find((s) => s.client?.name === secondName);
    assert.ok(waiting, `the second client waits: ${JSON.stringify(open)}`);
    assert.equal(waiting.status, 'waiting', 'not offered during after-chat work');

    // Ready: the notice goes, and the waiting client is offered to Jana.
    await notice.getByRole('button', { name: w.ready }).click();
    await jana.getByRole('region', { name: w.notice }).waitFor({ state: 'hidden', timeout: 10_000 });
    for (let i = 0; i < 40; i++) {
      const now = ((await session()).items ?? []).find((s) => s.client?.name === secondName);
      if (now?.status === 'offered') break;
      await jana.waitForTimeout(250);
      if (i === 39) assert.fail('the waiting client was not offered after Ready');
    }
    await item.getByRole('button', { name: w.accept, exact: true }).click();
    await visible(jana.getByRole('region', { name: new RegExp(secondName) }));
    assert.equal((await api('PATCH', `/api/v1/groups/${builtin.id}`, { after_chat_s: 0 })).status, 200);
    await jana.getByRole('button', { name: w.end, exact: true }).click();
    await jana.getByRole('button', { name: w.confirm }).click();
    await first.context.close();
    await second.context.close();
    await janaContext.close();
  });
}
