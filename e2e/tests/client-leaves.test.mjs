// Issue 12, "Clients who left stay in the queue for ever": a client starts a chat and closes the
// page. The session leaves the queue (ended as abandoned) within the company's time, the offer
// disappears from the operator's queue, and the operator is not set Away for a client who was no
// longer there.
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
  widgetChat,
} from '../lib/hovor.mjs';

const env = serverAndBrowser();

test('a client who closes the page leaves the queue, and no operator goes Away for them', async () => {
  const admin = await apiSession(env.server.url, 'admin@demo.test');
  // Short times, so the test need not wait a minute: offers run out after 5 s, and a client without
  // a chat window leaves the queue after 5 s.
  const settings = await admin('PATCH', '/api/v1/company/settings', { offer_timeout_s: 5, client_gone_s: 5 });
  assert.equal(settings.status, 200, JSON.stringify(settings.body));
  assert.equal(settings.body.client_gone_s, 5);

  const janaContext = await newContext(env.browser);
  const jana = await janaContext.newPage();
  await logIn(jana, env.server.url, 'jana@demo.test');
  await visible(profileButton(jana, 'Jana Nováková', 'Online'));

  const { context: clientContext, page: client, widget } = await widgetChat(env.browser, env.server.url, 'Karel Odešel');
  await visible(widget.getByText(/You are number 1 in the queue|Connecting you/));

  // Jana is offered Karel, and does not accept.
  const queue = jana.getByRole('region', { name: 'Queue' });
  const item = queue.getByRole('listitem').filter({ hasText: 'Karel Odešel' });
  await visible(item);

  // Karel closes the page.
  await client.close();
  await clientContext.close();

  // He leaves Jana's queue on his own, within the company's time (and some slack for the reaper).
  await item.waitFor({ state: 'detached', timeout: 15_000 });
  const ended = await admin('GET', '/api/v1/sessions?status=ended');
  assert.equal(ended.status, 200);
  const karel = ended.body.items.find((s) => s.client.name === 'Karel Odešel');
  assert.ok(karel, `Karel's session ended: ${JSON.stringify(ended.body.items)}`);
  assert.equal(karel.end_reason, 'abandoned');

  // Jana's offer ran out meanwhile or was withdrawn; either way she is still Online.
  await new Promise((r) => setTimeout(r, 1500));
  await visible(profileButton(jana, 'Jana Nováková', 'Online'));
  const me = await admin('GET', '/api/v1/operators');
  const janaState = me.body.items.find((o) => o.email === 'jana@demo.test').state;
  assert.equal(janaState.status, 'online');
  assert.notEqual(janaState.cause, 'missed_offer');
  await screenshot(jana, 'client-left-queue-empty');
  await janaContext.close();
});
