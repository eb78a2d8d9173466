// Headless Debian chromium driven by puppeteer-core, for the browser tests
// and the screenshots of docs/REVIEW.md.
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import puppeteer from 'puppeteer-core';

export const kChromium = process.env.CLEARMATCH_CHROMIUM ?? '/usr/bin/chromium';

// A fresh browser (its own profile directory, removed by close()).
export async function launchBrowser() {
  const profile = mkdtempSync(join(tmpdir(), 'clearmatch-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: kChromium,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu',
           '--disable-background-networking', '--disable-component-update',
           '--disable-sync', '--no-first-run', '--disable-dev-shm-usage',
           `--user-data-dir=${profile}`],
  });
  const close = browser.close.bind(browser);
  browser.close = async () => {
    await close();
    rmSync(profile, {recursive: true, force: true});
  };
  return browser;
}

// A page that records dialogs (an alert() would be an XSS), console errors
// and failed requests.
export async function newPage(browser) {
  const page = await browser.newPage();
  await page.setViewport({width: 1280, height: 900});
  page.dialogs = [];
  page.errors = [];
  page.on('dialog', async (d) => {
    page.dialogs.push(d.message());
    await d.dismiss();
  });
  page.on('pageerror', (e) => page.errors.push(String(e)));
  return page;
}
