// Issue 15, the e-mail channel in the browser: a client's e-mail, delivered to the company's real
// mailbox (Debian's dovecot, started here with aiosmtpd by scripts/mail-servers), is offered to the
// operator with e-mail switched on; he answers it in the workspace, and the answer arrives in the
// client's mailbox as a reply in the thread. In Czech, files go both ways: the client's photo is shown
// in the conversation, and the PDF the operator attaches reaches the client's mailbox.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { CS_LOGIN, E2E_DIR, apiSession, logIn, newContext, openWidget, profileButton, screenshot, seriousA11yViolations, serverAndBrowser, visible } from '../lib/hovor.mjs';

// The mail servers listen on loopback, which Hovor reaches only when allowed.
process.env.HOVOR_ALLOW_PRIVATE_WEBHOOKS = '1';
const skipped = process.env.HOVOR_SKIP_MAIL === '1';
if (skipped) console.log('SKIPPED: the e-mail browser test (HOVOR_SKIP_MAIL=1: dovecot or aiosmtpd is missing)');

/** The mail servers of this file: started (at load, with top-level await) before Hovor, which trusts their CA. */
const mail = { info: null, child: null, lines: null, dir: null };
const serverArgs = [];
if (!skipped) {
  mail.dir = mkdtempSync(join(tmpdir(), 'hovor-mail-'));
  mail.child = spawn(
    'python3',
    [
      resolve(E2E_DIR, '../scripts/mail-servers/mailservers.py'),
      '--dir',
      mail.dir,
      '--user',
      'support@demo.test:podpora-heslo',
      '--user',
      'karel@example.test:karlovo-heslo',
      '--user',
      'marie@example.test:mariino-heslo',
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  mail.lines = createInterface({ input: mail.child.stdout })[Symbol.asyncIterator]();
  mail.info = JSON.parse((await mail.lines.next()).value);
  serverArgs.push('--mail-ca-file', mail.info.ca);
}
after(async () => {
  mail.child?.stdin.end();
  if (mail.child && mail.child.exitCode === null) await new Promise((r) => mail.child.once('exit', r));
  if (mail.dir) rmSync(mail.dir, { recursive: true, force: true });
});
const env = serverAndBrowser(undefined, serverArgs);

/** Drops a raw message into a user's INBOX, as if it had been delivered. */
async function deliver(user, raw) {
  const file = join(mail.dir, `in-${Date.now()}.eml`);
  writeFileSync(file, raw.replace(/\n/g, '\r\n'));
  mail.child.stdin.write(`deliver ${user} ${file}\n`);
  const answer = JSON.parse((await mail.lines.next()).value);
  assert.equal(answer.done, 'deliver', JSON.stringify(answer));
}

/** The messages in a user's mailbox that nobody has read yet. */
function received(user) {
  const dir = join(mail.info.maildirs[user], 'new');
  return readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8'));
}

/** The text of a one-part e-mail, decoded (base64 or quoted-printable). */
function bodyText(raw) {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const body = rest.join('\n\n');
  if (/Content-Transfer-Encoding: base64/i.test(head)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (/Content-Transfer-Encoding: quoted-printable/i.test(head)) {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

/** The demo company's inbox on the test mail servers, set up by whichever test comes first. */
let inbox = null;
function ensureInbox() {
  inbox ??= (async () => {
    const admin = await apiSession(env.server.url, 'admin@demo.test');
    const made = await admin('POST', '/api/v1/inboxes', {
      name: 'Podpora',
      address: 'support@demo.test',
      imap: { host: '127.0.0.1', port: mail.info.imaps_port, security: 'tls', username: 'support@demo.test', password: 'podpora-heslo' },
      smtp: { host: '127.0.0.1', port: mail.info.smtp_port, security: 'none', username: 'support@demo.test', password: 'podpora-heslo' },
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
  })();
  return inbox;
}

/** The messages in a user's mailbox, waited for until there are `count`. */
async function receivedAtLeast(user, count) {
  let got = [];
  for (let i = 0; i < 100 && got.length < count; i += 1) {
    got = received(user);
    if (got.length < count) await new Promise((r) => setTimeout(r, 200));
  }
  return got;
}

test('an e-mail is offered to the e-mail operator, who answers it in the workspace (en)', { skip: skipped }, async () => {
  await ensureInbox();

  // Tomáš (the demo's operator with e-mail) works in his workspace.
  const context = await newContext(env.browser);
  const tomas = await context.newPage();
  await logIn(tomas, env.server.url, 'tomas@demo.test');
  await visible(profileButton(tomas, 'Tomáš Dvořák', 'Online'));

  await deliver(
    'support@demo.test',
    [
      'From: Karel Klient <karel@example.test>',
      'To: support@demo.test',
      'Subject: Where is my order?',
      'Message-ID: <order-42@example.test>',
      'Date: Sat, 05 Dec 2026 09:00:00 +0100',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Hello, order 42 has not arrived yet.',
      '',
    ].join('\n'),
  );
  const item = tomas.getByRole('region', { name: 'Queue' }).getByRole('listitem').filter({ hasText: 'Karel Klient' });
  await visible(item, 30_000);
  // The envelope in the header counts it.
  await visible(tomas.getByRole('button', { name: 'E-mail: 1 waiting or unread' }));
  await screenshot(tomas, 'email-0-envelope-en');
  await item.getByRole('button', { name: 'Accept', exact: true }).click();
  const conversation = await visible(tomas.getByRole('region', { name: 'Conversation with Karel Klient' }));
  await visible(conversation.getByText('Hello, order 42 has not arrived yet.'));
  // The thread's subject and the address the client wrote to, above it.
  await visible(conversation.getByText('Where is my order? · to support@demo.test'));
  await visible(tomas.getByRole('button', { name: 'E-mail: 0 waiting or unread' }));
  const reply = conversation.getByRole('textbox', { name: 'Reply by e-mail' });
  await reply.fill('Dear Karel, it left our warehouse this morning.');
  await screenshot(tomas, 'email-1-reply-en');
  // An e-mail goes with Ctrl+Enter (Enter alone starts a new line).
  await reply.press('Control+Enter');
  await visible(conversation.getByText('Dear Karel, it left our warehouse this morning.'));
  // The workspace says when it has gone out.
  await visible(conversation.getByText('E-mail sent'));

  // It arrives in Karel's mailbox as a reply in his thread.
  const got = await receivedAtLeast('karel@example.test', 1);
  assert.equal(got.length, 1, 'the reply reached the client');
  assert.match(got[0], /^In-Reply-To: <order-42@example\.test>/m);
  assert.match(got[0], /^Subject: Re: Where is my order\?/m);
  assert.match(got[0], /^From: "Podpora" <support@demo\.test>/m);

  // Karel answers, quoting the reply: it joins the conversation with the quote folded.
  const replyId = /^Message-ID: <([^>]+)>/m.exec(got[0])?.[1];
  assert.ok(replyId, got[0]);
  await deliver(
    'support@demo.test',
    [
      'From: Karel Klient <karel@example.test>',
      'To: support@demo.test',
      'Subject: Re: Where is my order?',
      'Message-ID: <order-42-thanks@example.test>',
      `In-Reply-To: <${replyId}>`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Great, thank you!',
      '',
      'On Sat, 5 Dec 2026 at 10:00, Podpora <support@demo.test> wrote:',
      '> Dear Karel, it left our warehouse this morning.',
      '',
    ].join('\n'),
  );
  const thanks = conversation.getByRole('listitem').filter({ hasText: 'Great, thank you!' });
  await visible(thanks, 30_000);
  const quote = thanks.getByText('> Dear Karel, it left our warehouse this morning.');
  assert.equal(await quote.isVisible(), false, 'the quote is folded');
  await thanks.getByText('Quoted earlier messages').click();
  await visible(quote);
  await screenshot(tomas, 'email-2-quote-en');
  await context.close();
});

/** A 2×2 PNG that browsers decode. */
const PHOTO = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==',
  'base64',
);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

test('a client sends a photo and the operator answers with a PDF (cs)', { skip: skipped }, async () => {
  await ensureInbox();
  const context = await newContext(env.browser, 'cs-CZ', { bypassCSP: true });
  const tomas = await context.newPage();
  await logIn(tomas, env.server.url, 'tomas@demo.test', { labels: CS_LOGIN });
  await visible(profileButton(tomas, 'Tomáš Dvořák', 'Online', 'Profil'));

  const photo = PHOTO.toString('base64');
  await deliver(
    'support@demo.test',
    [
      'From: Marie Nováková <marie@example.test>',
      'To: support@demo.test',
      'Subject: =?UTF-8?Q?Rozbit=C3=BD_hrnek?=',
      'Message-ID: <hrnek@example.test>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="HR"',
      '',
      '--HR',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      'Dobrý den, hrnek přišel rozbitý, posílám fotku.',
      '--HR',
      'Content-Type: image/png',
      'Content-Disposition: attachment; filename="hrnek.png"',
      'Content-Transfer-Encoding: base64',
      '',
      photo,
      '--HR--',
      '',
    ].join('\n'),
  );
  const item = tomas.getByRole('region', { name: 'Fronta' }).getByRole('listitem').filter({ hasText: 'Marie Nováková' });
  await visible(item, 30_000);
  await item.getByRole('button', { name: 'Přijmout', exact: true }).click();
  const conversation = await visible(tomas.getByRole('region', { name: 'Konverzace: Marie Nováková' }));
  await visible(conversation.getByText('Dobrý den, hrnek přišel rozbitý, posílám fotku.'));
  await visible(conversation.getByText('Rozbitý hrnek · na adresu support@demo.test'));
  // Her photo is shown in the conversation, decoded by the browser.
  const preview = await visible(conversation.getByRole('img', { name: 'hrnek.png' }));
  await tomas.waitForFunction((img) => img.complete && img.naturalWidth === 2, await preview.elementHandle());

  // A renamed program is refused with the reason; the PDF is attached.
  const picker = conversation.locator('input[type="file"]');
  await picker.setInputFiles({ name: 'faktura.pdf', mimeType: 'application/pdf', buffer: Buffer.from('\x7fELF\x02\x01\x01\x00program') });
  await visible(conversation.getByRole('alert').filter({ hasText: 'faktura.pdf: odeslat lze jen obrázky' }));
  await picker.setInputFiles({ name: 'nabídka.pdf', mimeType: 'application/pdf', buffer: PDF });
  const chosen = await visible(conversation.getByRole('list', { name: 'Soubory k\u00a0odeslání' }).getByText('nabídka.pdf'));
  assert.ok(chosen);
  const reply = conversation.getByRole('textbox', { name: 'Odpověď e-mailem' });
  await reply.fill('Dobrý den, omlouváme se. V příloze je dobropis.');
  // "dobropis" selected and made bold with the toolbar.
  await reply.evaluate((el) => el.setSelectionRange(el.value.indexOf('dobropis'), el.value.indexOf('dobropis') + 'dobropis'.length));
  await conversation.getByRole('toolbar', { name: 'Formátování' }).getByRole('button', { name: 'Tučně' }).click();
  assert.equal(await reply.inputValue(), 'Dobrý den, omlouváme se. V příloze je **dobropis**.');
  // Enter starts a new line in an e-mail; it does not send it.
  await reply.press('End');
  await reply.press('Enter');
  await reply.pressSequentially('Tomáš');
  assert.equal(await reply.inputValue(), 'Dobrý den, omlouváme se. V příloze je **dobropis**.\nTomáš');
  assert.deepEqual(await seriousA11yViolations(tomas, {}), [], 'the e-mail conversation with files (cs)');
  await screenshot(tomas, 'email-3-files-cs');
  await conversation.getByRole('button', { name: 'Odeslat e-mail' }).click();
  const sent = conversation.getByRole('listitem').filter({ hasText: 'V příloze je dobropis.' });
  await visible(sent);
  // Shown as the e-mail shows it: bold, without the marks.
  await visible(sent.locator('strong', { hasText: 'dobropis' }));
  await visible(sent.getByText('E-mail odeslán'));
  await visible(sent.getByRole('link', { name: /nabídka\.pdf/ }));

  // It reaches Marie's mailbox with the PDF attached.
  const got = await receivedAtLeast('marie@example.test', 1);
  assert.equal(got.length, 1, 'the reply reached the client');
  assert.match(got[0], /^In-Reply-To: <hrnek@example\.test>/m);
  assert.match(got[0], /Content-Type: application\/pdf/);
  // The name in RFC 2047 words, as mail programs read them.
  assert.ok(got[0].includes(`filename="=?utf-8?B?${Buffer.from('nabídka.pdf').toString('base64')}?="`), 'the file name');
  assert.ok(got[0].replace(/\r?\n/g, '').includes(PDF.toString('base64')), 'the PDF itself');
  // Beside the plain text, HTML with the bold word.
  assert.match(got[0], /Content-Type: text\/html/);
  assert.ok(got[0].replace(/=\r?\n/g, '').includes('<strong>dobropis</strong>'), 'the bold word in the HTML part');
  await screenshot(tomas, 'email-4-sent-cs');
  await context.close();
});

test('a client has the transcript of the chat e-mailed to the address they gave, once (cs)', { skip: skipped }, async () => {
  await ensureInbox();
  const janaContext = await newContext(env.browser, 'cs-CZ');
  const jana = await janaContext.newPage();
  await logIn(jana, env.server.url, 'jana@demo.test', { labels: CS_LOGIN });
  await visible(profileButton(jana, 'Jana Nováková', 'Online', 'Profil'));
  const clientContext = await newContext(env.browser, 'cs-CZ', { bypassCSP: true });
  const client = await clientContext.newPage();
  const widget = await openWidget(client, env.server.url, { button: 'Napište nám' });
  await widget.getByLabel('Vaše jméno').fill('Marie');
  await widget.getByLabel('E-mail').fill('marie@example.test');
  await widget.getByRole('button', { name: 'Začít chat' }).click();
  const before = received('marie@example.test').length;
  await jana.getByRole('region', { name: 'Fronta' }).getByRole('listitem').filter({ hasText: 'Marie' }).getByRole('button', { name: 'Přijmout', exact: true }).click();
  const conversation = await visible(jana.getByRole('region', { name: /Marie/ }));
  await conversation.getByRole('textbox', { name: 'Zpráva' }).fill('Dobrý den, hrnek stojí 120 Kč.');
  await conversation.getByRole('textbox', { name: 'Zpráva' }).press('Enter');
  await visible(widget.getByText('Dobrý den, hrnek stojí 120 Kč.'));
  await jana.getByRole('button', { name: 'Ukončit', exact: true }).click();
  await jana.getByRole('button', { name: 'Ano, ukončit' }).click();

  const send = await visible(widget.getByRole('button', { name: 'Poslat na marie@example.test' }));
  assert.deepEqual(await seriousA11yViolations(client, { include: [['hovor-widget']] }), [], 'the ended chat with the e-mail button');
  await send.click();
  await visible(widget.getByText('Konverzaci jsme poslali na marie@example.test.'));
  assert.equal(await widget.getByRole('button', { name: 'Poslat na marie@example.test' }).count(), 0, 'once');
  await screenshot(client, 'transcript-emailed-cs');
  const got = await receivedAtLeast('marie@example.test', before + 1);
  assert.equal(got.length, before + 1);
  const text = bodyText(got[got.length - 1]);
  assert.match(text, /\] Jana Nováková: Dobrý den, hrnek stojí 120 Kč\./);
  assert.match(got[got.length - 1], /^From: .*support@demo\.test/m);
  await janaContext.close();
  await clientContext.close();
});
