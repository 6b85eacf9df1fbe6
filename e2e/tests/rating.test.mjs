// Ratings and transcripts: when Jana ends a chat, the client rates it with stars and a comment,
// once; Jana sees the rating in the ended conversation at once; both download the transcript. In
// English and in Czech, with axe on the rating form.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
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

const WORDS = {
  en: {
    ...CHAT_WORDS.en,
    question: 'How was the conversation?',
    stars: (n) => (n === 1 ? '1 star' : `${n} stars`),
    comment: 'Anything to add? (optional)',
    send: 'Send rating',
    thanks: 'Thank you for your rating.',
    download: 'Download the conversation',
    operatorDownload: 'Download the transcript',
    heading: 'Conversation · ',
    rated: (n) => `The client rated it ${n} of 5`,
  },
  cs: {
    ...CHAT_WORDS.cs,
    question: 'Jak jste byli spokojeni?',
    stars: (n) => `${n}\u00a0${n === 1 ? 'hvězdička' : n < 5 ? 'hvězdičky' : 'hvězdiček'}`,
    comment: 'Chcete něco dodat? (nepovinné)',
    send: 'Odeslat hodnocení',
    thanks: 'Děkujeme za hodnocení.',
    download: 'Stáhnout konverzaci',
    operatorDownload: 'Stáhnout přepis',
    heading: 'Konverzace · ',
    rated: (n) => `Klient hodnotil ${n} z\u00a05`,
  },
};

for (const [lang, w] of Object.entries(WORDS)) {
  test(`the client rates the conversation when it ends, Jana sees it, and both download the transcript (${lang})`, async () => {
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
    const item = jana.getByRole('region', { name: w.queue }).getByRole('listitem').filter({ hasText: name });
    await item.getByRole('button', { name: w.accept, exact: true }).click();
    const conversation = await visible(jana.getByRole('region', { name: new RegExp(name) }));
    await conversation.getByRole('textbox').first().fill('Hello');
    await conversation.getByRole('textbox').first().press('Enter');
    await visible(widget.getByText('Hello', { exact: true }));
    await jana.getByRole('button', { name: w.end, exact: true }).click();
    await jana.getByRole('button', { name: w.confirm }).click();

    // The client is asked, and answers with the keyboard-reachable stars.
    const form = await visible(widget.getByRole('group', { name: w.question }));
    assert.deepEqual(await seriousA11yViolations(client, { include: [['hovor-widget']] }), [], `the rating form (${lang})`);
    const score = lang === 'en' ? 4 : 5;
    await form.getByRole('radio', { name: w.stars(score) }).check();
    await widget.getByRole('textbox', { name: w.comment }).fill(lang === 'en' ? 'Quick and kind.' : 'Rychlé a milé.');
    await screenshot(client, `rating-1-form-${lang}`);
    await widget.getByRole('button', { name: w.send }).click();
    await visible(widget.getByText(w.thanks));
    assert.equal(await widget.getByRole('group', { name: w.question }).count(), 0, 'asked once');
    // Jana's ended conversation shows it, live.
    await visible(conversation.getByText(w.rated(score)));
    await visible(conversation.getByText(lang === 'en' ? 'Quick and kind.' : 'Rychlé a milé.'));
    await screenshot(jana, `rating-2-operator-${lang}`);
    // Both download the transcript, in their language.
    const [clientFile] = await Promise.all([client.waitForEvent('download'), widget.getByRole('button', { name: w.download }).click()]);
    const clientText = readFileSync(await clientFile.path(), 'utf8');
    assert.ok(clientText.startsWith(w.heading), clientText);
    assert.match(clientText, /\] Jana Nováková: Hello\n/);
    const [janaFile] = await Promise.all([jana.waitForEvent('download'), jana.getByRole('link', { name: w.operatorDownload }).click()]);
    const janaText = readFileSync(await janaFile.path(), 'utf8');
    assert.ok(janaText.startsWith(w.heading), janaText);
    assert.match(janaText, /\] Jana Nováková: Hello\n/);
    // After a reload the client is thanked, not asked again.
    await client.reload();
    const again = await openWidget(client, env.server.url, { button: w.button });
    await visible(again.getByText(w.thanks));
    await janaContext.close();
    await clientContext.close();
  });
}
