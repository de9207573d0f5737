// The real livekit-client 2.21.0 in headless Chromium joins a room of the
// nginx under test.  Run by t/browser/10-join.t inside its own network
// namespace, with:
//   MEET_PORT     the nginx port on 127.0.0.1 (page, bundle and /rtc)
//   MEET_OUT      folder for the screenshot and the console log
//   MEET_ROOM     room name for the token (default: a random one)
// Prints "MEET-PLAN n" and one "MEET-CASE {json}" per check, plus
// "MEET-INFO {json}" (room, identity, sid) for the Perl side's log checks.
// The media plane is not implemented yet, so room.connect() does not
// resolve: passing means the JoinResponse arrived (SignalConnected) and our
// SDP answer was accepted by setRemoteDescription.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { launch, SRD_RECORDER } from './lib/browser.mjs';
import { token, uniq, T } from './lib/signal.mjs';

const PORT = Number(process.env.MEET_PORT);
const HOST = process.env.MEET_HOST || '127.0.0.1';
const OUT = process.env.MEET_OUT || path.resolve('build/browser-out');
const ROOM = process.env.MEET_ROOM || uniq('browser-room');
const IDENTITY = uniq('chromium');
const JOIN_TIMEOUT = T(10000);

if (!PORT) {
  console.error('MEET_PORT is not set');
  process.exit(2);
}
mkdirSync(OUT, { recursive: true });

const PLAN = [
  'page loads livekit-client 2.21.0 from the nginx under test',
  'RoomEvent.SignalConnected within 10 s',
  'room.localParticipant.sid starts with PA_',
  'room.name equals the token room',
  'localParticipant.identity equals the token identity',
  'setRemoteDescription of our SDP answer succeeded',
  'no setRemoteDescription / remote answer errors in the console',
  'room.disconnect() ends in state disconnected',
];
console.log(`MEET-PLAN ${PLAN.length}`);
const reported = new Set();
function report(i, ok, diag = '') {
  const name = PLAN[i];
  reported.add(name);
  console.log('MEET-CASE ' + JSON.stringify({ name, ok: !!ok, diag: ok ? '' : String(diag) }));
}
function reportMissing(why) {
  PLAN.forEach((n, i) => { if (!reported.has(n)) report(i, false, why); });
}

const consoleLines = [];
const errors = [];
let browser;
const hardStop = setTimeout(() => {
  console.error('browser-join: hard time limit reached');
  reportMissing('hard time limit reached');
  process.exit(3);
}, T(45000));

try {
  const tok = await token({ identity: IDENTITY, room: ROOM, name: 'Headless Chromium' });
  browser = await launch({ timeout: T(20000) });
  const ctx = await browser.newContext({ viewport: { width: 900, height: 600 } });
  await ctx.addInitScript(SRD_RECORDER);
  const page = await ctx.newPage();
  page.setDefaultTimeout(T(10000));
  page.on('console', (m) => {
    const line = `[${m.type()}] ${m.text()}`;
    consoleLines.push(line);
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => {
    consoleLines.push(`[pageerror] ${e.message}`);
    errors.push(e.message);
  });
  page.on('requestfailed', (r) => consoleLines.push(`[requestfailed] ${r.url()} ${r.failure()?.errorText}`));

  const url = `http://${HOST}:${PORT}/test/join.html`;
  const resp = await page.goto(url, { waitUntil: 'load' });
  const version = await page.evaluate(() => (window.LivekitClient ? window.LivekitClient.version : null));
  report(0, resp && resp.status() === 200 && version === '2.21.0',
    `status ${resp && resp.status()}, LivekitClient.version ${version}`);

  const r = await page.evaluate(([u, t, ms]) => window.meetJoin(u, t, ms),
    [`ws://${HOST}:${PORT}`, tok, JOIN_TIMEOUT]);
  console.log('MEET-INFO ' + JSON.stringify({ room: ROOM, identity: IDENTITY, sid: r.sid, joinMs: r.ms }));
  report(1, r.signalConnected, `no SignalConnected within ${JOIN_TIMEOUT} ms; state ${r.state}`);
  report(2, /^PA_/.test(r.sid || ''), `sid ${r.sid}`);
  report(3, r.roomName === ROOM, `room.name ${JSON.stringify(r.roomName)}, token room ${ROOM}`);
  report(4, r.identity === IDENTITY, `identity ${r.identity}`);

  // the answer follows the JoinResponse; the client applies it at once
  let srd = [];
  const until = Date.now() + T(5000);
  while (Date.now() < until) {
    srd = await page.evaluate(() => window.__meetSRD);
    const ans = srd.filter((x) => x.type === 'answer');
    if (ans.length && ans.every((x) => x.ok !== null)) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  const answers = srd.filter((x) => x.type === 'answer');
  report(5, answers.length > 0 && answers.every((x) => x.ok === true),
    answers.length ? JSON.stringify(answers) : 'no setRemoteDescription(answer) call seen');

  // give late console errors of the negotiation a moment
  await new Promise((res) => setTimeout(res, 300));
  const bad = errors.filter((e) => /setRemoteDescription|Failed to set remote answer|unable to set answer|Failed to set remote|NegotiationError/i.test(e));
  report(6, bad.length === 0, bad.join('\n'));

  await page.screenshot({ path: path.join(OUT, 'join.png') });
  const state = await page.evaluate(() => window.meetLeave());
  report(7, state === 'disconnected', `state ${state}`);
  const events = await page.evaluate(() => window.meet.events);
  writeFileSync(path.join(OUT, 'page-events.log'), events.join('\n') + '\n');
  await page.screenshot({ path: path.join(OUT, 'after-leave.png') });
} catch (e) {
  console.error('browser-join: ' + (e && e.stack || e));
  reportMissing(String(e && e.message || e));
} finally {
  try {
    writeFileSync(path.join(OUT, 'console.log'), consoleLines.join('\n') + '\n');
  } catch (e) { /* reported by the missing file */ }
  if (browser) await browser.close().catch(() => {});
  clearTimeout(hardStop);
}
process.exit(0);
