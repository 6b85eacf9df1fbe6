// Returning clients: a client who chats again from the same browser, or gives the same e-mail from
// another one, is recognised; the operator sees the earlier conversation in the client panel and
// downloads its transcript. In English and in Czech.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CS_LOGIN, logIn, newContext, openWidget, profileButton, serverAndBrowser, screenshot, seriousA11yViolations, visible } from '../lib/hovor.mjs';

const env = serverAndBrowser();

/** Jana takes the client's chat, writes, and ends it. */
async function serveAndEnd(jana, widget, words, name, text) {
  const item = jana.getByRole('region', { name: words.queue }).getByRole('listitem').filter({ hasText: name });
  await item.getByRole('button', { name: words.accept, exact: true }).click();
  const conversation = await visible(jana.getByRole('region', { name: new RegExp(name) }));
  await conversation.getByRole('textbox').first().fill(text);
  await conversation.getByRole('textbox').first().press('Enter');
  await visible(widget.getByText(text, { exact: true }));
  await jana.getByRole('button', { name: words.end, exact: true }).click();
  await jana.getByRole('button', { name: words.confirm }).click();
  await jana.getByRole('button', { name: words.close }).click();
}

const EN = { queue: 'Queue', accept: 'Accept', end: 'End', confirm: 'Yes, end it', close: 'Close conversation' };
const CS = { queue: 'Fronta', accept: 'Přijmout', end: 'Ukončit', confirm: 'Ano, ukončit', close: 'Zavřít konverzaci' };

test('a client who comes back from the same browser is recognised, with the earlier transcript (en)', async () => {
  const janaContext = await newContext(env.browser, 'en-US', { bypassCSP: true });
  const jana = await janaContext.newPage();
  await logIn(jana, env.server.url, 'jana@demo.test');
  await visible(profileButton(jana, 'Jana Nováková', 'Online'));
  const clientContext = await newContext(env.browser);
  const client = await clientContext.newPage();
  let widget = await openWidget(client, env.server.url);
  await widget.getByLabel('Your name').fill('Rudolf');
  await widget.getByRole('button', { name: 'Start chat' }).click();
  await serveAndEnd(jana, widget, EN, 'Rudolf', 'Your order ships on Monday.');
  // The next day, the same browser.
  await widget.getByRole('button', { name: 'Start a new chat' }).click();
  widget = await openWidget(client, env.server.url);
  await widget.getByLabel('Your name').fill('Rudolf');
  await widget.getByRole('button', { name: 'Start chat' }).click();
  const item = jana.getByRole('region', { name: 'Queue' }).getByRole('listitem').filter({ hasText: 'Rudolf' });
  await item.getByRole('button', { name: 'Accept', exact: true }).click();
  const earlier = await visible(jana.getByRole('region', { name: 'Earlier conversations (1)' }));
  await visible(earlier.getByText('same browser'));
  await visible(earlier.getByText(/Chat · Jana Nováková/));
  assert.deepEqual(await seriousA11yViolations(jana), [], 'the client panel with earlier conversations');
  await screenshot(jana, 'returning-1-earlier');
  const [file] = await Promise.all([jana.waitForEvent('download'), earlier.getByRole('link', { name: 'Transcript' }).click()]);
  const text = readFileSync(await file.path(), 'utf8');
  assert.match(text, /\] Jana Nováková: Your order ships on Monday\.\n/);
  await janaContext.close();
  await clientContext.close();
});

test('klient, který se vrátí z jiného prohlížeče se stejným e-mailem, je poznán (cs)', async () => {
  const janaContext = await newContext(env.browser, 'cs-CZ', { bypassCSP: true });
  const jana = await janaContext.newPage();
  await logIn(jana, env.server.url, 'jana@demo.test', { labels: CS_LOGIN });
  await visible(profileButton(jana, 'Jana Nováková', 'Online', 'Profil'));
  const start = async (email) => {
    const context = await newContext(env.browser, 'cs-CZ');
    const page = await context.newPage();
    const widget = await openWidget(page, env.server.url, { button: 'Napište nám' });
    await widget.getByLabel('Vaše jméno').fill('Zdeňka');
    await widget.getByLabel('E-mail').fill(email);
    await widget.getByRole('button', { name: 'Začít chat' }).click();
    return { context, widget };
  };
  const first = await start('zdenka@example.com');
  await serveAndEnd(jana, first.widget, CS, 'Zdeňka', 'Reklamaci jsme přijali.');
  const second = await start('Zdenka@Example.com');
  const item = jana.getByRole('region', { name: 'Fronta' }).getByRole('listitem').filter({ hasText: 'Zdeňka' });
  await item.getByRole('button', { name: 'Přijmout', exact: true }).click();
  const earlier = await visible(jana.getByRole('region', { name: 'Dřívější konverzace (1)' }));
  await visible(earlier.getByText('stejný e-mail'));
  const [file] = await Promise.all([jana.waitForEvent('download'), earlier.getByRole('link', { name: 'Přepis' }).click()]);
  assert.match(readFileSync(await file.path(), 'utf8'), /^Konverzace · .*\n[\s\S]*\] Jana Nováková: Reklamaci jsme přijali\.\n/);
  await janaContext.close();
  await first.context.close();
  await second.context.close();
});
