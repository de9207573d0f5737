// Two real livekit-client 2.21.0 pages in headless Chromium join one room
// of the nginx under test and CONNECT: room.connect() resolves only when
// the peer connection is up, i.e. our ICE-lite answered the browser's
// checks and our DTLS server finished the handshake (SRTP keyed).  Run by
// t/browser/20-connect.t inside its own network namespace, with MEET_PORT
// and MEET_OUT as for browser-join.mjs.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { launch, caseReporter, waitConnected, pageEvents, waitEvent,
         openRoomPage } from './lib/browser.mjs';
import { uniq, T } from './lib/signal.mjs';

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
const { report, reportMissing, done } = caseReporter(PLAN, T(55000));

const logs = {};
let browser;

async function openPage(name) {
  logs[name] = [];
  return openRoomPage(browser, { HOST, PORT, room: ROOM, name, logs: logs[name], timeout: 15000, recorder: false });
}

try {
  browser = await launch({ timeout: T(20000) });
  const a = await openPage('A');
  const ra = await waitConnected(a, CONNECT_TIMEOUT);
  report(0, ra === 'connected', `connect(): ${ra}`);

  const b = await openPage('B');
  const rb = await waitConnected(b, CONNECT_TIMEOUT);
  report(1, rb === 'connected', `connect(): ${rb}`);

  report(2, await waitEvent(a, /ParticipantConnected B-/, T(5000)), (await pageEvents(a)).join('\n'));
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
    (await pageEvents(a)).join('\n'));
  // the event log shows ParticipantDisconnected only if the page listens:
  await a.evaluate(() => window.meetLeave());
} catch (e) {
  console.error('browser-connect: ' + (e && e.stack || e));
  reportMissing(String(e && e.message || e));
} finally {
  try {
    for (const [k, v] of Object.entries(logs)) writeFileSync(path.join(OUT, `connect-${k}.console.log`), v.join('\n') + '\n');
  } catch (e) { /* best effort */ }
  if (browser) await browser.close().catch(() => {});
  done();
}
process.exit(0);
