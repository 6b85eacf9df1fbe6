// Takes screenshots of every page in both languages into e2e/artifacts/shots-*.png, for a human to
// look at: `node tools/screenshots.mjs` (uses HOVOR_BIN like the tests).
import { CS_LOGIN, launchBrowser, logIn, newContext, openWidget, screenshot, startServer } from '../lib/hovor.mjs';

const server = await startServer();
const browser = await launchBrowser();
try {
  for (const [lang, locale, labels] of [['en', 'en-US', undefined], ['cs', 'cs-CZ', CS_LOGIN]]) {
    const jc = await newContext(browser, locale);
    const jana = await jc.newPage();
    await jana.goto(server.url);
    await jana.waitForLoadState('networkidle');
    await screenshot(jana, `shots-${lang}-1-login`);
    await logIn(jana, server.url, 'jana@demo.test', labels ? { labels } : {});
    await jana.waitForTimeout(500);
    await screenshot(jana, `shots-${lang}-2-workspace`);
    await jana.locator('.profile-button').click();
    await jana.waitForTimeout(300);
    await screenshot(jana, `shots-${lang}-3-menu`);
    await jana.keyboard.press('Escape');
    await jana.locator('.profile-button').click();
    await jana.getByRole('menuitemradio').nth(2).click();
    await jana.waitForTimeout(300);

    const sc = await newContext(browser, locale);
    const sup = await sc.newPage();
    await logIn(sup, server.url, 'admin@demo.test', labels ? { labels } : {});
    await sup.waitForTimeout(800);
    await screenshot(sup, `shots-${lang}-4-team`);
    await sup.goto(`${server.url}/admin`);
    await sup.waitForTimeout(500);
    await screenshot(sup, `shots-${lang}-5-admin`);

    await jana.goto(`${server.url}/profile`);
    await jana.waitForTimeout(800);
    await screenshot(jana, `shots-${lang}-6-profile`);
    await jana.setViewportSize({ width: 390, height: 800 });
    await jana.goto(server.url);
    await jana.waitForTimeout(500);
    await screenshot(jana, `shots-${lang}-7-mobile`);
    await jana.setViewportSize({ width: 1280, height: 800 });
    await jana.goto(server.url);
    await jana.waitForTimeout(500);
    await jana.getByRole('tab').nth(2).click();
    await jana.waitForTimeout(300);
    await screenshot(jana, `shots-${lang}-9-notifications`);
    const wc = await newContext(browser, locale);
    const visitor = await wc.newPage();
    await openWidget(visitor, server.url, { button: lang === 'cs' ? 'Napište nám' : 'Chat with us' });
    await visitor.waitForTimeout(400);
    await screenshot(visitor, `shots-${lang}-8-widget`);
    await wc.close();
    await jc.close();
    await sc.close();
  }
} finally {
  await browser.close();
  await server.stop();
}
