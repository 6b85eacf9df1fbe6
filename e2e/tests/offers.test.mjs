// Issue 12, "Offers": an operator declines an offer with a reason (the client goes back to the queue,
// not to her again, and she stays Online); an offer she lets run out sets her Away, and the workspace
// says why with one click back to Online.
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

async function clientStarts(name) {
  const { context, widget } = await widgetChat(env.browser, env.server.url, name);
  await visible(widget.getByText(/You are number \d+ in the queue|Connecting you/));
  return context;
}

test('Decline with a reason, and the Away notice with its way back', async () => {
  const admin = await apiSession(env.server.url, 'admin@demo.test');
  const settings = await admin('PATCH', '/api/v1/company/settings', { offer_timeout_s: 6 });
  assert.equal(settings.status, 200, JSON.stringify(settings.body));

  const janaContext = await newContext(env.browser);
  const jana = await janaContext.newPage();
  await logIn(jana, env.server.url, 'jana@demo.test');
  await visible(profileButton(jana, 'Jana Nováková', 'Online'));
  const queue = jana.getByRole('region', { name: 'Queue' });

  // Karel is offered to Jana; she declines, saying why.
  const karelContext = await clientStarts('Karel Němec');
  const karel = queue.getByRole('listitem').filter({ hasText: 'Karel Němec' });
  await visible(karel.getByRole('status'));
  await karel.getByRole('button', { name: 'Decline', exact: true }).click();
  await karel.getByLabel('Why? (optional)').fill('Speaks German only');
  await screenshot(jana, 'offer-decline-form');
  await karel.getByRole('button', { name: 'Decline client', exact: true }).click();
  // He waits in the queue again, no longer offered to her; she is still Online.
  await karel.getByRole('status').waitFor({ state: 'detached' });
  await visible(karel.getByRole('button', { name: 'Accept', exact: true }));
  assert.equal(await karel.getByRole('button', { name: 'Decline', exact: true }).count(), 0);
  await visible(profileButton(jana, 'Jana Nováková', 'Online'));

  // Lucie is offered to Jana, who does not answer: the offer runs out and Jana is set Away. The
  // workspace says why, and one click brings her back.
  const lucieContext = await clientStarts('Lucie Nová');
  const lucie = queue.getByRole('listitem').filter({ hasText: 'Lucie Nová' });
  await visible(lucie.getByRole('status'));
  const notice = jana.getByRole('alert').filter({ hasText: 'an offer ran out' });
  await visible(notice, 20_000);
  await visible(profileButton(jana, 'Jana Nováková', 'Away'));
  await screenshot(jana, 'offer-missed-notice');
  await notice.getByRole('button', { name: 'Back to Online' }).click();
  await visible(profileButton(jana, 'Jana Nováková', 'Online'));
  await notice.waitFor({ state: 'detached' });

  // Online again: Lucie is offered to her again, Karel (declined) is not.
  await visible(lucie.getByRole('status'));
  assert.equal(await karel.getByRole('status').count(), 0);
  await karelContext.close();
  await lucieContext.close();
  await janaContext.close();
});
