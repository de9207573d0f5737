// Two real livekit-client 2.21.0 pages in headless Chromium join one room
// of the nginx under test and CONNECT: room.connect() resolves only when
// the peer connection is up, i.e. our ICE-lite answered the browser's
// checks and our DTLS server finished the handshake (SRTP keyed).  Run by
// t/browser/20-connect.t inside its own network namespace, with MEET_PORT
// and MEET_OUT as for browser-join.mjs.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { launch } from './lib/browser.mjs';
import { token, uniq, T } from './lib/signal.mjs';

const PORT = Number(process.env.MEET_PORT);
const HOST = process.env.MEET_HOST || '127.0.0.1';
const OUT = process.env.MEET_OUT || path.resolve('build/browser-out');
const ROOM = uniq('connect-room');
const CONNECT_TIMEOUT = T(20000);

mkdirSync(OUT, { recursive: true });

const PLAN = [
  'A: room.connect() resolves (ICE + DTLS with ngx_meet)',
  'B: room.connect() resolves (ICE + DTLS with ngx_meet)',
  'A sees B join (ParticipantConnected)',
  'B lists A among the remote participants',
  'A: the peer connection negotiated DTLS-SRTP',
  'A sees B leave (ParticipantDisconnected)',
];
console.log(`MEET-PLAN ${PLAN.length}`);
const reported = new Set();
function report(i, ok, diag = '') {
  reported.add(PLAN[i]);
  console.log('MEET-CASE ' + JSON.stringify({ name: PLAN[i], ok: !!ok, diag: ok ? '' : String(diag) }));
}
const hardStop = setTimeout(() => {
  PLAN.forEach((n, i) => { if (!reported.has(n)) report(i, false, 'hard time limit'); });
  process.exit(3);
}, T(55000));

const logs = {};
let browser;

async function openPage(name) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  page.setDefaultTimeout(T(15000));
  logs[name] = [];
  page.on('console', (m) => logs[name].push(`[${m.type()}] ${m.text()}`));
  await page.goto(`http://${HOST}:${PORT}/test/join.html`, { waitUntil: 'load' });
  const tok = await token({ identity: `${name}-${uniq('id')}`, room: ROOM, name });
  await page.evaluate(([u, t, ms]) => window.meetJoin(u, t, ms), [`ws://${HOST}:${PORT}`, tok, T(10000)]);
  return page;
}

async function waitConnected(page) {
  const until = Date.now() + CONNECT_TIMEOUT;
  let r = null;
  while (Date.now() < until) {
    r = await page.evaluate(() => window.meet.connectResult);
    if (r) break;
    await new Promise((res) => setTimeout(res, 200));
  }
  return r;
}

async function events(page) { return page.evaluate(() => window.meet.events); }

async function waitEvent(page, re, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if ((await events(page)).some((e) => re.test(e))) return true;
    await new Promise((res) => setTimeout(res, 200));
  }
  return false;
}

try {
  browser = await launch({ timeout: T(20000) });
  const a = await openPage('A');
  const ra = await waitConnected(a);
  report(0, ra === 'connected', `connect(): ${ra}`);

  const b = await openPage('B');
  const rb = await waitConnected(b);
  report(1, rb === 'connected', `connect(): ${rb}`);

  report(2, await waitEvent(a, /ParticipantConnected B-/, T(5000)), (await events(a)).join('\n'));
  const remotes = await b.evaluate(() => [...window.meet.room.remoteParticipants.values()].map((p) => p.identity));
  report(3, remotes.some((i) => i.startsWith('A-')), `remote participants of B: ${JSON.stringify(remotes)}`);

  const dtls = await a.evaluate(async () => {
    const room = window.meet.room;
    const pcs = [];
    const eng = room.engine;
    for (const k of ['pcManager']) {
      const m = eng && eng[k];
      if (m) for (const t of ['publisher', 'subscriber']) if (m[t] && m[t]._pc) pcs.push(m[t]._pc);
    }
    const out = [];
    for (const pc of pcs) {
      const st = await pc.getStats();
      st.forEach((r) => { if (r.type === 'transport') out.push({ dtlsState: r.dtlsState, srtpCipher: r.srtpCipher, tlsVersion: r.tlsVersion }); });
    }
    return out;
  });
  report(4, dtls.some((t) => t.dtlsState === 'connected' && t.srtpCipher),
    `transport stats: ${JSON.stringify(dtls)}`);
  console.log('MEET-INFO ' + JSON.stringify({ room: ROOM, transport: dtls }));

  await b.evaluate(() => window.meetLeave());
  report(5, await waitEvent(a, /Disconnected|ParticipantDisconnected/, T(5000))
    || (await a.evaluate(() => window.meet.room.remoteParticipants.size)) === 0,
    (await events(a)).join('\n'));
  // the event log shows ParticipantDisconnected only if the page listens:
  await a.evaluate(() => window.meetLeave());
} catch (e) {
  console.error('browser-connect: ' + (e && e.stack || e));
  PLAN.forEach((n, i) => { if (!reported.has(n)) report(i, false, String(e && e.message || e)); });
} finally {
  try {
    for (const [k, v] of Object.entries(logs)) writeFileSync(path.join(OUT, `connect-${k}.console.log`), v.join('\n') + '\n');
  } catch (e) { /* best effort */ }
  if (browser) await browser.close().catch(() => {});
  clearTimeout(hardStop);
}
process.exit(0);
