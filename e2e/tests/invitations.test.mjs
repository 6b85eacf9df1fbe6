// Invitations: Jana invites a client from the workspace (a dialog with the code, the link and a QR
// code), the client opens the link in another browser, connects, and they chat; a reload rejoins;
// the used link shows "already used" (410). A reusable invitation made with an API key waits for an
// operator who is not online, and once invalidated its link shows "invalidated" (410).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  apiSession,
  logIn,
  newContext,
  profileButton,
  screenshot,
  serverAndBrowser,
  visible,
} from '../lib/hovor.mjs';

const env = serverAndBrowser();

test('Jana invites a client; they connect and chat; a reload rejoins; the used link is gone', async (t) => {
  const dialogs = [];
  const janaContext = await newContext(env.browser);
  const jana = await janaContext.newPage();
  jana.on('dialog', (d) => {
    dialogs.push(`jana: ${d.message()}`);
    void d.dismiss();
  });
  await logIn(jana, env.server.url, 'jana@demo.test');
  await visible(profileButton(jana, 'Jana Nováková', 'Online'));

  // The Invitation tab (the second one): Invite with a label → the dialog.
  const tab = jana.getByRole('tab', { name: 'Invitation', exact: true });
  await tab.click();
  const panel = jana.getByRole('tabpanel', { name: 'Invitation' });
  await visible(panel.getByText('No invitations yet.'));
  await panel.getByLabel('Label (optional)').fill('Mr <b>Novák</b>');
  await panel.getByRole('button', { name: 'Invite', exact: true }).click();
  const dialog = await visible(jana.getByRole('dialog', { name: 'Invitation to a conversation' }));
  const qr = await visible(dialog.getByRole('img', { name: 'QR code of the invitation link' }));
  assert.equal(await qr.evaluate((el) => el.tagName.toLowerCase()), 'svg');
  assert.ok((await qr.locator('path').getAttribute('d')).length > 500, 'the QR code has modules');
  const url = await dialog.getByRole('textbox', { name: 'Link' }).inputValue();
  assert.match(url, new RegExp(`^${env.server.url}/i/[0-9A-Z-]+$`));
  const code = url.split('/i/')[1];
  await visible(dialog.getByLabel(`Invitation code ${code}`));
  await dialog.getByRole('button', { name: 'Copy the link' }).click();
  await visible(dialog.getByRole('status').filter({ hasText: /Copied|Could not copy/ }));
  await screenshot(jana, 'invitation-1-dialog');
  await dialog.getByRole('button', { name: 'Close', exact: true }).click();
  await jana.getByRole('dialog').waitFor({ state: 'hidden' });
  // The list shows it as pending, with its label as text.
  const mine = panel.getByRole('list', { name: 'My invitations' });
  const row = mine.getByRole('listitem').filter({ hasText: code });
  await visible(row.getByText('Pending', { exact: true }));
  await visible(row.getByText('Mr <b>Novák</b>', { exact: true }));

  // The client opens the link: Jana's name and a Connect button (opening it consumes nothing).
  const clientContext = await newContext(env.browser);
  const client = await clientContext.newPage();
  client.on('dialog', (d) => {
    dialogs.push(`client: ${d.message()}`);
    void d.dismiss();
  });
  const landing = await client.goto(url);
  assert.equal(landing.status(), 200);
  await visible(client.getByText('Jana Nováková').first());
  const region = await visible(client.getByRole('region', { name: 'Conversation with Jana Nováková' }));
  const connect = await visible(region.getByRole('button', { name: 'Connect', exact: true }));
  await screenshot(client, 'invitation-2-landing');
  await connect.click();

  // Jana gets the offer in her queue (Sales is not involved: the invitation is for her) and accepts.
  const queue = jana.getByRole('region', { name: 'Queue' });
  const item = queue.getByRole('listitem').filter({ hasText: 'Anonymous' });
  await visible(item.getByText(/Offered to you/));
  await item.getByRole('button', { name: 'Accept', exact: true }).click();
  const conversation = await visible(jana.getByRole('region', { name: 'Conversation with Anonymous' }));
  await conversation.getByRole('textbox', { name: 'Message' }).fill('Hello, this is Jana.');
  await conversation.getByRole('textbox', { name: 'Message' }).press('Enter');

  const log = region.getByRole('log', { name: 'Messages' });
  await visible(log.getByText('Hello, this is Jana.', { exact: true }));
  const box = region.getByRole('textbox', { name: 'Message' });
  await box.fill('Hi Jana, about my order…');
  await box.press('Enter');
  await visible(conversation.getByRole('log', { name: 'Messages' }).getByText('Hi Jana, about my order…', { exact: true }));
  await screenshot(client, 'invitation-3-chat');

  // A reload rejoins the conversation (no Connect button), with its messages. The code is used now,
  // so the server answers the reload with its 410 page, which loads the widget: it rejoins only where
  // the conversation is stored.
  const usedHtml = await (await fetch(url)).text();
  assert.ok(usedHtml.includes('data-invitation'), 'the used page loads the widget');
  await t.test('a reload of the client page rejoins', async () => {
    await client.reload();
    const again = await visible(client.getByRole('region', { name: 'Conversation with Jana Nováková' }));
    const log2 = again.getByRole('log', { name: 'Messages' });
    await visible(log2.getByText('Hi Jana, about my order…', { exact: true }));
    assert.equal(await log2.getByText('Hello, this is Jana.', { exact: true }).count(), 1);
    assert.equal(await again.getByRole('button', { name: 'Connect', exact: true }).count(), 0);
    assert.equal(await client.getByText(/already used/).isVisible(), false, 'the "used" text is hidden for the one who rejoins');
    await conversation.getByRole('textbox', { name: 'Message' }).fill('Still here?');
    await conversation.getByRole('button', { name: 'Send', exact: true }).click();
    await visible(log2.getByText('Still here?', { exact: true }));
    await screenshot(client, 'invitation-4-rejoined');
  });

  // Anyone else opening the link now: "already used", HTTP 410.
  const otherContext = await newContext(env.browser);
  const other = await otherContext.newPage();
  const used = await other.goto(url);
  assert.equal(used.status(), 410);
  await visible(other.getByText(/already used/));
  assert.equal(await other.getByRole('button', { name: 'Connect' }).count(), 0, 'no Connect for anyone else');
  await screenshot(other, 'invitation-5-used');
  const otherCs = await (await newContext(env.browser, 'cs-CZ')).newPage();
  const usedCs = await otherCs.goto(url);
  assert.equal(usedCs.status(), 410);
  await visible(otherCs.getByText(/už byla použita/).first());

  // In Jana's list it is used now (the conversation is in front: go back to the panel).
  await jana.getByRole('button', { name: /Back to the panel/ }).click();
  await jana.getByRole('tab', { name: 'Invitation', exact: true }).click();
  const usedRow = jana.getByRole('list', { name: 'My invitations' }).getByRole('listitem').filter({ hasText: code });
  await visible(usedRow.getByText('Used', { exact: true }));
  assert.equal(await usedRow.getByRole('button', { name: /Invalidate/ }).count(), 0);

  await jana.waitForTimeout(300);
  assert.deepEqual(dialogs, [], 'no dialog fired');
  await otherContext.close();
  await otherCs.context().close();
  await clientContext.close();
  await janaContext.close();
});

test('Jana invalidates a pending invitation in the workspace', async () => {
  const context = await newContext(env.browser, 'cs-CZ');
  const jana = await context.newPage();
  await logIn(jana, env.server.url, 'jana@demo.test', { labels: { email: 'E-mail', password: 'Heslo', submit: 'Přihlásit se' } });
  await jana.getByRole('tab', { name: 'Pozvánka', exact: true }).click();
  const panel = jana.getByRole('tabpanel', { name: 'Pozvánka' });
  await panel.getByRole('button', { name: 'Pozvat', exact: true }).click();
  const dialog = await visible(jana.getByRole('dialog', { name: 'Pozvánka ke konverzaci' }));
  await visible(dialog.getByRole('img', { name: 'QR kód odkazu pozvánky' }));
  const url = await dialog.getByRole('textbox', { name: 'Odkaz' }).inputValue();
  const code = url.split('/i/')[1];
  await screenshot(jana, 'invitation-6-dialog-cs');
  await jana.keyboard.press('Escape');
  await jana.getByRole('dialog').waitFor({ state: 'hidden' });
  const row = panel.getByRole('list', { name: 'Moje pozvánky' }).getByRole('listitem').filter({ hasText: code });
  await visible(row.getByText('Platná', { exact: true }));
  // It asks first; "keep it" changes nothing.
  await row.getByRole('button', { name: `Zneplatnit pozvánku ${code}` }).click();
  const ask = await visible(row.getByRole('group', { name: `Zneplatnit pozvánku ${code}? Její odkaz okamžitě přestane fungovat.` }));
  await ask.getByRole('button', { name: 'Ponechat' }).click();
  assert.equal((await fetch(url, { headers: { 'Accept-Language': 'cs' } })).status, 200, 'still valid');
  await row.getByRole('button', { name: `Zneplatnit pozvánku ${code}` }).click();
  await row.getByRole('button', { name: 'Ano, zneplatnit' }).click();
  await visible(row.getByText('Zneplatněná', { exact: true }));
  const res = await fetch(url, { headers: { 'Accept-Language': 'cs' } });
  assert.equal(res.status, 410);
  assert.match(await res.text(), /zrušena/);
  await context.close();
});

test('a reusable invitation from the API waits for an offline operator; invalidated, its link is gone', async () => {
  const admin = await apiSession(env.server.url, 'admin@demo.test');
  const key = await admin('POST', '/api/v1/api-keys', { name: 'crm' });
  assert.equal(key.status, 201, JSON.stringify(key.body));
  const bearer = { Authorization: `Bearer ${key.body.secret}`, 'Content-Type': 'application/json' };
  const operators = await admin('GET', '/api/v1/operators');
  const tomas = operators.body.items.find((o) => o.email === 'tomas@demo.test');
  const created = await fetch(`${env.server.url}/api/v1/invitations`, {
    method: 'POST',
    headers: bearer,
    body: JSON.stringify({ operator_id: tomas.id, label: 'newsletter' }),
  });
  assert.equal(created.status, 201);
  const invitation = await created.json();
  assert.equal(invitation.reusable, true);

  // Tomáš is not logged in: the client connects and waits for him.
  const context = await newContext(env.browser);
  const client = await context.newPage();
  await client.goto(invitation.url);
  const region = await visible(client.getByRole('region', { name: 'Conversation with Tomáš Dvořák' }));
  await region.getByRole('button', { name: 'Connect', exact: true }).click();
  await visible(region.getByText(/Tomáš Dvořák is not online right now — you will be connected as soon as/));
  await screenshot(client, 'invitation-7-waiting');

  const invalidated = await fetch(`${env.server.url}/api/v1/invitations/${invitation.id}/invalidate`, { method: 'POST', headers: bearer });
  assert.equal(invalidated.status, 200);
  const page = await (await newContext(env.browser)).newPage();
  const res = await page.goto(invitation.url);
  assert.equal(res.status(), 410);
  await visible(page.getByText(/invalidated/));
  await screenshot(page, 'invitation-8-invalidated');
  await page.context().close();
  await context.close();
});
