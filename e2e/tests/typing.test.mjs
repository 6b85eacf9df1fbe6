// Typing indicators: the client sees "Jana is typing…" while she writes, and Jana sees the client
// typing; both disappear after a few seconds of silence, and when the message comes. English and Czech.
import { test } from 'node:test';
import { CS_LOGIN, logIn, newContext, openWidget, profileButton, screenshot, serverAndBrowser, visible } from '../lib/hovor.mjs';

const env = serverAndBrowser();

const WORDS = {
  en: { locale: 'en-US', button: 'Chat with us', name: 'Your name', start: 'Start chat', queue: 'Queue', accept: 'Accept', message: 'Message', janaTyping: 'Jana Nováková is typing…', clientTyping: (n) => `${n} is typing…`, profile: 'Profile' },
  cs: { locale: 'cs-CZ', button: 'Napište nám', name: 'Vaše jméno', start: 'Začít chat', queue: 'Fronta', accept: 'Přijmout', message: 'Zpráva', janaTyping: 'Jana Nováková píše…', clientTyping: (n) => `${n} píše…`, profile: 'Profil', login: CS_LOGIN },
};

for (const [lang, w] of Object.entries(WORDS)) {
  test(`each side sees the other typing (${lang})`, async () => {
    const janaContext = await newContext(env.browser, w.locale);
    const jana = await janaContext.newPage();
    await logIn(jana, env.server.url, 'jana@demo.test', w.login ? { labels: w.login } : {});
    await visible(profileButton(jana, 'Jana Nováková', 'Online', w.profile));
    const clientContext = await newContext(env.browser, w.locale);
    const client = await clientContext.newPage();
    const widget = await openWidget(client, env.server.url, { button: w.button });
    const name = lang === 'en' ? 'Marek' : 'Ludmila';
    await widget.getByLabel(w.name).fill(name);
    await widget.getByRole('button', { name: w.start }).click();
    const item = jana.getByRole('region', { name: w.queue }).getByRole('listitem').filter({ hasText: name });
    await item.getByRole('button', { name: w.accept, exact: true }).click();
    const conversation = await visible(jana.getByRole('region', { name: new RegExp(name) }));

    // Jana types: the client sees it, and it goes away after a few seconds of silence.
    await conversation.getByRole('textbox', { name: w.message }).pressSequentially('Dobrý den');
    await visible(widget.getByText(w.janaTyping));
    await screenshot(client, `typing-1-client-${lang}`);
    await widget.getByText(w.janaTyping).waitFor({ state: 'hidden', timeout: 10_000 });

    // The client types: Jana sees it; the message itself takes its place.
    const box = widget.getByRole('textbox', { name: w.message });
    await box.pressSequentially('Mám dotaz');
    await visible(conversation.getByText(w.clientTyping(name)));
    await screenshot(jana, `typing-2-operator-${lang}`);
    await box.press('Enter');
    await visible(conversation.getByRole('log').getByText('Mám dotaz'));
    await conversation.getByText(w.clientTyping(name)).waitFor({ state: 'hidden', timeout: 3_000 });
    await janaContext.close();
    await clientContext.close();
  });
}
