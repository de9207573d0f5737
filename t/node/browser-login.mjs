// Logging in through the web app (web/) in headless Debian Chromium: run by
// t/browser/80-login.t inside its own network namespace, against nginx
// (spa, api, rtc, meet_oidc) and a real OpenID Provider (npm
// oidc-provider, t/node/oidc-server.mjs, which logs its test user in by
// itself).  MEET_PORT: nginx; MEET_OUT: screenshots.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { launch, PC_RECORDER, caseReporter } from './lib/browser.mjs';
import { T } from './lib/signal.mjs';

const BASE = `http://127.0.0.1:${process.env.MEET_PORT}`;
const OUT = process.env.MEET_OUT || path.resolve('build/login-out');
mkdirSync(OUT, { recursive: true });

const PLAN = [
  'signed out: the home screen offers "Log in"',
  'Log in goes through the identity provider and comes back signed in as Alice',
  'the session cookie is HttpOnly (the page cannot read it)',
  'a meeting link opened signed in: the pre-join screen has Alice\'s name',
  'joining: the room token names the user, the room screen shows Alice',
  'Log out: back to "Log in", users/me is 401 again',
];
const { report, reportMissing, done } = caseReporter(PLAN, T(150000));

const logs = [];
let browser;
let shotNo = 0;
const byId = (page, id) => page.getByTestId(id);

async function shot(page, name) {
  shotNo += 1;
  await page.screenshot({ path: path.join(OUT, `${String(shotNo).padStart(2, '0')}-${name}.png`) }).catch(() => {});
}

try {
  browser = await launch({ timeout: T(20000) });
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 720 } });
  await ctx.addInitScript(PC_RECORDER);
  const page = await ctx.newPage();
  page.setDefaultTimeout(T(15000));
  page.on('console', (m) => logs.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`[pageerror] ${e.message}`));
  // every document the page loads, redirects included
  page.on('request', (r) => { if (r.resourceType() === 'document') logs.push(`[nav] ${r.url()}`); });

  await page.goto(`${BASE}/`);
  await byId(page, 'home-screen').waitFor();
  const login = byId(page, 'account-login');
  await login.waitFor({ timeout: T(8000) }).catch(() => {});
  const state0 = await byId(page, 'account').getAttribute('data-state');
  await shot(page, 'home-signed-out');
  report(0, state0 === 'signed-out' && await login.isVisible(), `account state ${state0}`);

  await login.click();
  await byId(page, 'account-name').waitFor({ timeout: T(15000) }).catch(() => {});
  const who = await byId(page, 'account-name').textContent().catch(() => null);
  const visited = logs.filter((l) => l.startsWith('[nav]')).join(' ');
  await shot(page, 'home-signed-in');
  report(1, who === 'Signed in as Alice Liddell' && new URL(page.url()).pathname === '/'
    && /\/auth\?response_type=code&/.test(visited) && /\/api\/v1\.0\/callback\/\?code=/.test(visited),
    `name "${who}", url ${page.url()}, navigations ${visited}`);

  const cookies = await ctx.cookies(BASE);
  const sess = cookies.find((c) => c.name === 'sessionid');
  const seen = await page.evaluate(() => document.cookie);
  report(2, sess && sess.httpOnly && sess.sameSite === 'Lax' && !seen.includes('sessionid'),
    JSON.stringify({ sess, seen }));

  await page.goto(`${BASE}/standup-login`);
  await byId(page, 'prejoin-screen').waitFor();
  const prefilled = await (async () => {
    const end = Date.now() + T(5000);
    while (Date.now() < end) {
      const v = await byId(page, 'prejoin-name').inputValue();
      if (v) return v;
      await new Promise((r) => setTimeout(r, 200));
    }
    return '';
  })();
  await shot(page, 'prejoin-signed-in');
  report(3, prefilled === 'Alice Liddell', `name field "${prefilled}"`);

  const tokenResp = page.waitForResponse((r) => r.url().includes('/api/v1.0/rooms/standup-login/'));
  await byId(page, 'prejoin-join').click();
  const resp = await tokenResp;
  const body = await resp.json().catch(() => ({}));
  const me = await page.evaluate(async () => (await fetch('/api/v1.0/users/me/')).json());
  let claims = {};
  try {
    claims = JSON.parse(Buffer.from(body.livekit.token.split('.')[1], 'base64url').toString());
  } catch { /* reported below */ }
  await byId(page, 'room-screen').waitFor({ timeout: T(20000) }).catch(() => {});
  const inRoom = await byId(page, 'room-screen').isVisible().catch(() => false);
  await shot(page, 'room-signed-in');
  report(4, inRoom && claims.sub === me.id && claims.name === 'Alice Liddell' && /^[0-9a-f]{64}$/.test(claims.meet_session || ''),
    JSON.stringify({ inRoom, claims, me }));

  await page.goto(`${BASE}/`);
  await byId(page, 'account-logout').click();
  // the OP asks whether to end its own session too (oidc-provider's form)
  const yes = page.locator('button[name="logout"][value="yes"]');
  if (await yes.waitFor({ timeout: T(8000) }).then(() => true).catch(() => false)) {
    await shot(page, 'op-logout-confirm');
    await yes.click();
  }
  await byId(page, 'account-login').waitFor({ timeout: T(15000) }).catch(() => {});
  const out = await byId(page, 'account').getAttribute('data-state').catch(() => null);
  const meStatus = await page.evaluate(async () => (await fetch('/api/v1.0/users/me/')).status);
  await shot(page, 'home-signed-out-again');
  report(5, out === 'signed-out' && meStatus === 401, `state ${out}, users/me ${meStatus}, url ${page.url()}`);
} catch (err) {
  console.error('browser-login: ' + (err && err.stack || err));
  reportMissing(String(err && err.message || err));
} finally {
  try { writeFileSync(path.join(OUT, 'console.log'), logs.join('\n') + '\n'); } catch { /* best effort */ }
  if (browser) await browser.close().catch(() => {});
  done();
}
process.exit(0);
