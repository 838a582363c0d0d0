// What the browser tests of the web workstation share: the stack's gateway
// and admin key, calls to the API as the admin, one headless chromium
// (Debian's, driven by playwright-core), a context signed in through the
// sign-in form, axe-core, screenshots and the tablet layout check.
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { readRunEnv } from './run-env.mjs';

export const env = readRunEnv();
export const base = env.IBC_GATEWAY_URL;
export const uniq = `${Date.now() % 1e7}${process.pid % 1000}`;
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const shots = process.env.IBC_WEB_SHOTS;
let browser;

// Starts the one browser of this test file; returns it.
export async function launch() {
  browser = await chromium.launch({ executablePath: process.env.IBC_CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
  return browser;
}

export async function shutdown() {
  await browser?.close();
}

// One call of the API with the admin key (or headers.Authorization):
// {status, data} with data parsed when it is JSON.
export async function call(method, path, body, headers = {}) {
  const r = await fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${env.IBC_ADMIN_KEY}`, ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  let data = null;
  try { data = JSON.parse(text); } catch { data = text; }
  return { status: r.status, data };
}

// POSTs what must be created (201 or 202) and returns the answer's body.
export async function make(path, body) {
  const r = await call('POST', path, body);
  assert.ok(r.status === 201 || r.status === 202, `${path}: ${r.status} ${JSON.stringify(r.data)}`);
  return r.data;
}

// A new browser context signed in as who (through the sign-in form).
// page.errors collects what went wrong in the page.
export async function signedIn(who, opts = {}) {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'ru-RU', ...opts });
  const page = await ctx.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  // a 401 before signing in is how the page learns that nobody is signed in
  // (the browser logs every 4xx answer: a refusal the page shows is not an error of the page)
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) page.errors.push(m.text()); });
  page.on('dialog', (d) => { page.errors.push(`dialog: ${d.message()}`); d.dismiss(); });
  await page.goto(base + '/');
  await page.fill('#login', who.login);
  await page.fill('#password', who.password);
  await page.press('#password', 'Enter');
  await page.waitForSelector('header#top .who');
  return page;
}

export async function axe(page, name) {
  // axe is injected into the page; the page's CSP forbids such a script, so
  // this context bypasses CSP (the others test it)
  await page.evaluate(axeSource);
  const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${name}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target).join(' ')}`), []);
}

// IBC_WEB_SHOTS=<dir>: saves a screenshot of the page there.
export async function shot(page, name, fullPage = false) {
  if (!shots) return;
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: `${shots}/${name}.png`, fullPage });
}

// What a page shows on a tablet that the layout got wrong: a horizontal
// scroll, and controls smaller than WCAG 2.2's 24 × 24 CSS px target size.
export async function tabletFaults(page) {
  return page.evaluate(() => {
    const faults = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > window.innerWidth + 1) faults.push(`scrolls sideways: ${doc.scrollWidth} > ${window.innerWidth}`);
    for (const el of document.querySelectorAll('button, input:not([type=hidden]), select, textarea, a[href]')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue; // not shown
      const inline = el.tagName === 'A' && getComputedStyle(el).display === 'inline';
      if (!inline && (r.width < 24 || r.height < 24)) faults.push(`${el.tagName.toLowerCase()}#${el.id || el.name || el.textContent.trim().slice(0, 20)}: ${Math.round(r.width)}×${Math.round(r.height)}`);
      if (r.right > window.innerWidth + 1) faults.push(`${el.tagName.toLowerCase()} ${el.id || el.textContent.trim().slice(0, 20)} ends off screen at ${Math.round(r.right)}`);
    }
    return faults;
  });
}
