// 2. A supervisor sees Jana's changes in the Team panel live, without reloading.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  chooseStatus,
  logIn,
  markDocument,
  newContext,
  profileButton,
  screenshot,
  serverAndBrowser,
  stillSameDocument,
  visible,
} from '../lib/hovor.mjs';

const env = serverAndBrowser();

test("the supervisor's Team panel follows the operator live", async () => {
  const janaContext = await newContext(env.browser);
  const jana = await janaContext.newPage();
  await logIn(jana, env.server.url, 'jana@demo.test');
  await visible(profileButton(jana, 'Jana Nováková', 'Online'));

  const supContext = await newContext(env.browser);
  const sup = await supContext.newPage();
  await logIn(sup, env.server.url, 'supervisor@demo.test');
  await visible(profileButton(sup, 'Petra Svobodová', 'Online'));
  const teamTable = await visible(sup.getByRole('table', { name: 'Team' }));
  for (const name of ['Jana Nováková', 'Tomáš Dvořák', 'Eva Černá']) {
    await visible(teamTable.getByRole('row', { name: new RegExp(name) }));
  }
  const janaRow = teamTable.getByRole('row', { name: /Jana Nováková/ });
  await visible(janaRow.getByText('Online', { exact: true }));
  // The summary counts those who serve clients: Jana, not the supervisor herself (no channels).
  await visible(sup.getByText('1 online · 0 away or on a break · 2 offline'));
  await markDocument(sup);

  await chooseStatus(jana, 'Jana Nováková', /^Oběd/);
  await visible(profileButton(jana, 'Jana Nováková', 'Oběd'));
  await visible(janaRow.getByText('Oběd', { exact: true }));
  await screenshot(sup, 'team-1-lunch');

  await chooseStatus(jana, 'Jana Nováková', 'Online');
  await visible(janaRow.getByText('Online', { exact: true }));
  assert.equal(await janaRow.getByText('Oběd', { exact: true }).count(), 0);
  assert.ok(await stillSameDocument(sup), 'the supervisor page was not reloaded');

  // An operator sees no Team panel.
  assert.equal(await jana.getByRole('table', { name: 'Team' }).count(), 0);
  await janaContext.close();
  await supContext.close();
});
