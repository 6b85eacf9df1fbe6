// The phone handset: Eva (phone channel, extension 201) sees her line's state live in the header —
// green when ready, grey with the reason otherwise, in English and Czech —, Jana (no phone channel)
// has no handset. The PBX side is driven through the API with a telephony key: registration, and a
// ringing call that shows the caller's number (and its earlier calls) in Eva's queue.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CS_LOGIN,
  apiSession,
  channelSwitch,
  logIn,
  newContext,
  profileButton,
  screenshot,
  serverAndBrowser,
  visible,
} from '../lib/hovor.mjs';

const CALLER = '+420777123456';

let pbx;
const env = serverAndBrowser(async ({ server }) => {
  const admin = await apiSession(server.url, 'admin@demo.test');
  const key = await admin('POST', '/api/v1/api-keys', { name: 'PBX connector', scopes: ['telephony'] });
  assert.equal(key.status, 201, JSON.stringify(key.body));
  pbx = async (method, path, body) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${key.body.secret}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
});

const GREEN = 'rgb(22, 163, 74)';
const background = (locator) => locator.evaluate((el) => getComputedStyle(el).backgroundColor);

test('the handset follows the phone line: registration, the channel switch; Jana has none', async () => {
  const janaContext = await newContext(env.browser);
  const jana = await janaContext.newPage();
  await logIn(jana, env.server.url, 'jana@demo.test');
  await visible(profileButton(jana, 'Jana Nováková', 'Online'));

  const evaContext = await newContext(env.browser);
  const eva = await evaContext.newPage();
  await logIn(eva, env.server.url, 'eva@demo.test');
  await visible(profileButton(eva, 'Eva Černá', 'Online'));
  // Grey before the PBX has registered the extension.
  await visible(eva.getByRole('button', { name: /^Phone line unavailable: / }));
  assert.equal(await jana.getByRole('button', { name: /^Phone line/ }).count(), 0, 'no handset without the phone channel');

  const reg = await pbx('PUT', '/api/v1/telephony/extensions/201', { registered: true });
  assert.equal(reg.status, 200, JSON.stringify(reg.body));
  const ready = await visible(eva.getByRole('button', { name: 'Phone line: ready', exact: true }));
  assert.equal(await ready.getAttribute('title'), 'Phone line: ready');
  assert.equal(await background(ready), GREEN);
  await screenshot(eva, 'phone-1-ready-en');

  // The phone channel off in the Channels tab: grey, "channel off"; on again: green.
  await channelSwitch(eva, 'Phone').click();
  const off = await visible(eva.getByRole('button', { name: 'Phone line unavailable: channel off', exact: true }));
  assert.notEqual(await background(off), GREEN);
  await screenshot(eva, 'phone-2-channel-off-en');
  await channelSwitch(eva, 'Phone').click();
  await visible(eva.getByRole('button', { name: 'Phone line: ready', exact: true }));

  // Ready, but the company has no dial URL: the pad says so in words (the server's 409
  // telephony_not_configured), not "your line is not ready". Service codes take * and #.
  await eva.getByRole('button', { name: 'Phone line: ready', exact: true }).click();
  const readyPad = await visible(eva.getByRole('dialog', { name: 'Dial pad' }));
  for (const k of ['*', '2', '1', '#']) await readyPad.getByRole('button', { name: `Key ${k}`, exact: true }).click();
  assert.equal(await readyPad.getByRole('textbox', { name: 'Number to call' }).inputValue(), '*21#');
  await readyPad.getByRole('button', { name: 'Call', exact: true }).click();
  await visible(readyPad.getByRole('alert').filter({ hasText: 'Telephony is not set up for your company yet' }));
  await eva.keyboard.press('Escape');
  await readyPad.waitFor({ state: 'hidden' });

  // Unregistered: grey, "phone not registered"; the dial pad says why a call cannot start.
  assert.equal((await pbx('PUT', '/api/v1/telephony/extensions/201', { registered: false })).status, 200);
  const grey = await visible(eva.getByRole('button', { name: 'Phone line unavailable: phone not registered', exact: true }));
  assert.notEqual(await background(grey), GREEN);
  await grey.click();
  const pad = await visible(eva.getByRole('dialog', { name: 'Dial pad' }));
  for (const k of ['6', '0', '2', '1', '2', '3', '4', '5', '6']) await pad.getByRole('button', { name: `Key ${k}`, exact: true }).click();
  assert.equal(await pad.getByRole('textbox', { name: 'Number to call' }).inputValue(), '602123456');
  await pad.getByRole('button', { name: 'Call', exact: true }).click();
  await visible(pad.getByRole('alert').filter({ hasText: 'Your phone line is not ready' }));
  await screenshot(eva, 'phone-3-unregistered-pad-en');
  await eva.keyboard.press('Escape');
  await pad.waitFor({ state: 'hidden' });

  // The same in Czech (a second tab of Eva's in Czech).
  const evaCsContext = await newContext(env.browser, 'cs-CZ');
  const evaCs = await evaCsContext.newPage();
  await logIn(evaCs, env.server.url, 'eva@demo.test', { labels: CS_LOGIN });
  await visible(evaCs.getByRole('button', { name: 'Telefonní linka nedostupná: telefon není registrovaný', exact: true }));
  await screenshot(evaCs, 'phone-4-unregistered-cs');
  assert.equal((await pbx('PUT', '/api/v1/telephony/extensions/201', { registered: true })).status, 200);
  const readyCs = await visible(evaCs.getByRole('button', { name: 'Telefonní linka: připravena', exact: true }));
  assert.equal(await background(readyCs), GREEN);
  await screenshot(evaCs, 'phone-5-ready-cs');
  await visible(eva.getByRole('button', { name: 'Phone line: ready', exact: true }));

  await evaCsContext.close();
  await evaContext.close();
  await janaContext.close();
});

test('a ringing call shows the caller and their earlier calls in the queue; answered, it is a phone call', async () => {
  const evaContext = await newContext(env.browser);
  const eva = await evaContext.newPage();
  await logIn(eva, env.server.url, 'eva@demo.test');
  assert.equal((await pbx('PUT', '/api/v1/telephony/extensions/201', { registered: true })).status, 200);
  await visible(eva.getByRole('button', { name: 'Phone line: ready', exact: true }));

  // An earlier call from the same number, over already.
  const call = (call_id, event) => pbx('POST', '/api/v1/telephony/events', { call_id, event, direction: 'in', from: CALLER, to: '201', extension: '201' });
  for (const event of ['ringing', 'answered', 'hangup']) {
    const r = await call('call-earlier', event);
    assert.equal(r.status, 200, `${event}: ${JSON.stringify(r.body)}`);
  }

  const ringing = await call('call-now', 'ringing');
  assert.equal(ringing.status, 200, JSON.stringify(ringing.body));
  assert.equal(ringing.body.session.channel, 'phone');
  const queue = eva.getByRole('region', { name: 'Queue' });
  const item = queue.getByRole('listitem').filter({ hasText: CALLER });
  await visible(item);
  await visible(item.getByText('Ringing — answer on your phone'));
  await visible(item.getByText(/^Earlier: 1 · last /));
  await screenshot(eva, 'phone-6-ringing');

  assert.equal((await call('call-now', 'answered')).status, 200);
  // The earlier call may be there too, ended (when its events reached the workspace live); the
  // answered one is the active one.
  const mine = eva.getByRole('region', { name: 'My conversations' });
  const active = mine.getByRole('button', { name: CALLER, exact: true }).filter({ hasNotText: 'Ended' });
  // Until the earlier call's end has reached the list, both may read as not ended.
  for (let i = 0; i < 100 && (await active.count()) !== 1; i += 1) await new Promise((r) => setTimeout(r, 100));
  await (await visible(active)).click();
  const callView = await visible(eva.getByRole('group', { name: `Phone call with ${CALLER}` }));
  await visible(callView.getByText(/^Duration \d+:\d\d$/));
  assert.equal(await eva.getByRole('textbox', { name: 'Message' }).count(), 0, 'no composer on a phone call');
  await visible(eva.getByRole('button', { name: 'End', exact: true }));
  await screenshot(eva, 'phone-7-call');

  assert.equal((await call('call-now', 'hangup')).status, 200);
  await visible(callView.getByText('The call has ended.'));
  await evaContext.close();
});

test('a queue read that comes back late does not bring back a call answered and hung up meanwhile', async () => {
  const LATE_CALLER = '+420777000111';
  const evaContext = await newContext(env.browser);
  const eva = await evaContext.newPage();
  await logIn(eva, env.server.url, 'eva@demo.test');
  assert.equal((await pbx('PUT', '/api/v1/telephony/extensions/201', { registered: true })).status, 200);
  await visible(eva.getByRole('button', { name: 'Phone line: ready', exact: true }));

  // The first read of the queue that has the call ringing is held on its way back (a slow network)
  // until the call has been answered and hung up and the tab has heard both; the reads after it are
  // held until it has been shown, so they cannot mend what it would spoil.
  const gate = () => {
    let open;
    const opened = new Promise((resolve) => {
      open = resolve;
    });
    return { open, opened };
  };
  const firstRead = gate();
  const laterReads = gate();
  const firstReadBack = gate();
  let held = false;
  await eva.route('**/api/v1/sessions/queue', async (route) => {
    const response = await route.fetch();
    const body = await response.text();
    if (!held && body.includes(LATE_CALLER)) {
      held = true;
      firstReadBack.open();
      await firstRead.opened;
    } else if (held) {
      await laterReads.opened;
    }
    await route.fulfill({ response, body });
  });

  const call = (event) => pbx('POST', '/api/v1/telephony/events', { call_id: 'call-late', event, direction: 'in', from: LATE_CALLER, to: '201', extension: '201' });
  assert.equal((await call('ringing')).status, 200);
  const item = eva.getByRole('region', { name: 'Queue' }).getByRole('listitem').filter({ hasText: LATE_CALLER });
  await visible(item);
  await firstReadBack.opened;
  assert.equal((await call('answered')).status, 200);
  assert.equal((await call('hangup')).status, 200);
  const mine = eva.getByRole('region', { name: 'My conversations' });
  const endedCall = mine.getByRole('button', { name: `${LATE_CALLER} Ended`, exact: true });
  await visible(endedCall);
  await item.waitFor({ state: 'detached' });

  const landed = eva.waitForResponse((r) => r.url().endsWith('/api/v1/sessions/queue'));
  firstRead.open();
  await landed;
  // The late answer has been applied (a moment to render it), and the call is still gone from the
  // queue, and still ended in the list; so it stays once the later reads come.
  await eva.waitForTimeout(300);
  assert.equal(await item.count(), 0, 'the ended call is back in the queue');
  assert.equal(await mine.getByRole('button', { name: LATE_CALLER, exact: true }).count(), 0, 'the ended call reads as active');
  laterReads.open();
  await eva.waitForTimeout(300);
  assert.equal(await item.count(), 0);
  await visible(endedCall);
  await evaContext.close();
});
