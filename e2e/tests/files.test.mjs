// Files in chats: the client sends a photo from the widget and Jana sees its preview; Jana sends a
// PDF and the client downloads it; a program called a PDF is refused with the reason. In English
// and in Czech, with axe on the new parts of both views.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { deflateSync, crc32 } from 'node:zlib';
import {
  CHAT_WORDS,
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

/** A real PNG of w×h pixels in one colour, as a phone's photo would be a real JPEG. */
function png(w, h, [r, g, b]) {
  const chunk = (type, data) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([head, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: w }, () => [r, g, b]).flat())]);
  const pixels = Buffer.concat(Array.from({ length: h }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(pixels)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n');
const PROGRAM = Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04]);

const WORDS = {
  en: {
    ...CHAT_WORDS.en,
    clientSend: 'Send a photo or a file',
    operatorSend: 'Send a file',
    photo: 'broken mug.png',
    picture: (name) => `Picture ${name}`,
    offer: 'offer.pdf',
    download: (name) => new RegExp(`^Download ${name.replace('.', '\\.')} \\(`),
    refused: 'invoice.pdf cannot be sent: this kind of file is not taken here.',
  },
  cs: {
    ...CHAT_WORDS.cs,
    clientSend: 'Poslat fotku nebo soubor',
    operatorSend: 'Poslat soubor',
    photo: 'rozbitý hrnek.png',
    picture: (name) => `Obrázek ${name}`,
    offer: 'nabídka.pdf',
    download: (name) => new RegExp(`^Stáhnout ${name.replace('.', '\\.')} \\(`),
    refused: 'faktura.pdf nelze poslat: tento druh souboru se zde nepřijímá.',
  },
};

/** The picture has arrived and decoded (not a broken image). */
async function decoded(img) {
  await visible(img);
  for (let i = 0; i < 40; i++) {
    if (await img.evaluate((el) => el.complete && el.naturalWidth > 0)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail('the picture did not load');
}

for (const [lang, w] of Object.entries(WORDS)) {
  test(`the client sends a photo and Jana sees it; Jana sends a PDF and the client downloads it (${lang})`, async () => {
    const janaContext = await newContext(env.browser, w.locale, { bypassCSP: true });
    const jana = await janaContext.newPage();
    await logIn(jana, env.server.url, 'jana@demo.test', w.login ? { labels: w.login } : {});
    await visible(profileButton(jana, 'Jana Nováková', w.profile[0], w.profile[1]));
    const clientContext = await newContext(env.browser, w.locale, { bypassCSP: true });
    const client = await clientContext.newPage();
    const widget = await openWidget(client, env.server.url, { button: w.button });
    const name = lang === 'en' ? 'Karel' : 'Božena';
    await widget.getByLabel(w.name).fill(name);
    await widget.getByRole('button', { name: w.start }).click();

    // While waiting, the client sends a photo (on a phone the picker offers the camera).
    await visible(widget.getByRole('button', { name: w.clientSend }));
    const picker = widget.locator('input[type=file]');
    assert.equal(await picker.getAttribute('accept'), 'image/*,application/pdf,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp');
    await picker.setInputFiles({ name: w.photo, mimeType: 'image/png', buffer: png(64, 48, [200, 60, 30]) });
    await decoded(widget.getByRole('img', { name: w.picture(w.photo) }));

    const item = jana.getByRole('region', { name: w.queue }).getByRole('listitem').filter({ hasText: name });
    await item.getByRole('button', { name: w.accept, exact: true }).click();
    const conversation = await visible(jana.getByRole('region', { name: new RegExp(name) }));
    // Jana sees the photo's preview in the conversation.
    await decoded(conversation.getByRole('img', { name: w.photo }));
    await screenshot(jana, `files-1-operator-preview-${lang}`);

    // Jana sends a PDF; the client sees it and downloads it.
    await conversation.locator('input[type=file]').setInputFiles({ name: w.offer, mimeType: 'application/pdf', buffer: PDF });
    const offer = await visible(widget.getByRole('button', { name: w.download(w.offer) }));
    await visible(conversation.getByRole('link', { name: new RegExp(w.offer.replace('.', '\\.')) }));
    await screenshot(client, `files-2-client-${lang}`);
    const [file] = await Promise.all([client.waitForEvent('download'), offer.click()]);
    assert.equal(file.suggestedFilename(), w.offer);
    assert.deepEqual(readFileSync(await file.path()), PDF);

    // A program called a PDF is refused, and the client is told why; nothing is sent.
    const refusedName = lang === 'en' ? 'invoice.pdf' : 'faktura.pdf';
    await picker.setInputFiles({ name: refusedName, mimeType: 'application/pdf', buffer: PROGRAM });
    await visible(widget.getByRole('alert').filter({ hasText: w.refused }));
    assert.equal(await conversation.getByText(refusedName).count(), 0);

    assert.deepEqual(await seriousA11yViolations(client, { include: [['hovor-widget']] }), [], `files in the widget (${lang})`);
    assert.deepEqual(await seriousA11yViolations(jana), [], `files in the workspace (${lang})`);
    // After a reload the client still sees the photo and the PDF.
    await client.reload();
    const again = await openWidget(client, env.server.url, { button: w.button });
    await decoded(again.getByRole('img', { name: w.picture(w.photo) }));
    await visible(again.getByRole('button', { name: w.download(w.offer) }));
    await janaContext.close();
    await clientContext.close();
  });
}
