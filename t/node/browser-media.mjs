// Two real livekit-client 2.21.0 pages publish camera and microphone
// (Chromium's fake devices) in one room of the nginx under test; each must
// DECODE the other's video (inbound-rtp framesDecoded > 0) and receive the
// other's audio packets: ngx_meet forwards SRTP between them.  Run by
// t/browser/30-media.t inside its own network namespace (MEET_PORT,
// MEET_OUT as for browser-join.mjs).

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { launch, caseReporter, waitConnected, waitEvent, openRoomPage } from './lib/browser.mjs';
import { uniq, T } from './lib/signal.mjs';

const PORT = Number(process.env.MEET_PORT);
const HOST = process.env.MEET_HOST || '127.0.0.1';
const OUT = process.env.MEET_OUT || path.resolve('build/browser-out');
const ROOM = uniq('media-room');

mkdirSync(OUT, { recursive: true });

const PLAN = [
  'A and B connect and publish camera and microphone',
  'A decodes B\'s video (framesDecoded > 0)',
  'B decodes A\'s video (framesDecoded > 0)',
  'A receives B\'s audio packets',
  'B receives A\'s audio packets',
  'A sees B\'s camera track subscribed',
  'C joins later and decodes both A and B within 2 s of connecting',
  'A mutes its microphone: B and C get TrackMuted',
  'A unmutes: B and C get TrackUnmuted',
  'B leaves: A and C see it disconnect and its tracks unsubscribed',
  'A gets sender reports for B\'s streams (remote-outbound-rtp)',
];
const { report, reportMissing, done } = caseReporter(PLAN, T(100000));

const logs = {};
let browser;

async function openPage(name) {
  logs[name] = [];
  return openRoomPage(browser, { HOST, PORT, room: ROOM, name, logs: logs[name] });
}

async function inbound(page) {
  return page.evaluate(async () => {
    const out = { video: 0, audioPackets: 0, videoPackets: 0, codecs: [] };
    for (const pc of window.__pcs || []) {
      const st = await pc.getStats();
      st.forEach((r) => {
        if (r.type !== 'inbound-rtp') return;
        if (r.kind === 'video') { out.video += r.framesDecoded || 0; out.videoPackets += r.packetsReceived || 0; }
        if (r.kind === 'audio') out.audioPackets += r.packetsReceived || 0;
      });
    }
    return out;
  });
}

try {
  browser = await launch({ timeout: T(20000) });
  const a = await openPage('A');
  const b = await openPage('B');
  const ca = await waitConnected(a, T(20000));
  const cb = await waitConnected(b, T(20000));
  const pa = await a.evaluate(() => window.meet.room.localParticipant.enableCameraAndMicrophone().then(() => 'ok', (e) => 'error ' + e.message));
  const pb = await b.evaluate(() => window.meet.room.localParticipant.enableCameraAndMicrophone().then(() => 'ok', (e) => 'error ' + e.message));
  report(0, ca === 'connected' && cb === 'connected' && pa === 'ok' && pb === 'ok',
    `connect A ${ca}, B ${cb}; publish A ${pa}, B ${pb}`);

  let sa = {}, sb = {};
  const until = Date.now() + T(20000);
  while (Date.now() < until) {
    sa = await inbound(a);
    sb = await inbound(b);
    if (sa.video > 0 && sb.video > 0 && sa.audioPackets > 0 && sb.audioPackets > 0) break;
    await new Promise((res) => setTimeout(res, 500));
  }
  console.log('MEET-INFO ' + JSON.stringify({ room: ROOM, A: sa, B: sb }));
  report(1, sa.video > 0, JSON.stringify(sa));
  report(2, sb.video > 0, JSON.stringify(sb));
  report(3, sa.audioPackets > 0, JSON.stringify(sa));
  report(4, sb.audioPackets > 0, JSON.stringify(sb));
  const subs = await a.evaluate(() => [...window.meet.room.remoteParticipants.values()]
    .flatMap((p) => [...p.trackPublications.values()].map((t) => `${t.source}:${t.isSubscribed}`)));
  report(5, subs.includes('camera:true'), JSON.stringify(subs));
  await a.screenshot({ path: path.join(OUT, 'media-A.png') });

  // sender reports (RTCP SR) relayed: Chrome shows them as remote-outbound-rtp
  // (Chrome sends audio reports about every 5 s, video every second)
  let remote = [];
  const srUntil = Date.now() + T(8000);
  while (Date.now() < srUntil) {
    remote = await a.evaluate(async () => {
      const kinds = [];
      for (const pc of window.__pcs || []) {
        const st = await pc.getStats();
        st.forEach((r) => { if (r.type === 'remote-outbound-rtp') kinds.push(r.kind); });
      }
      return kinds;
    });
    if (remote.includes('video') && remote.includes('audio')) break;
    await new Promise((res) => setTimeout(res, 500));
  }
  report(10, remote.includes('video') && remote.includes('audio'), JSON.stringify(remote));

  // scenario 2: a third participant joins later
  const c = await openPage('C');
  const cc = await waitConnected(c, T(20000));
  const tc = Date.now();
  let sc = {};
  const perTrack = async () => c.evaluate(async () => {
    const n = {};
    for (const pc of window.__pcs || []) {
      const st = await pc.getStats();
      st.forEach((r) => { if (r.type === 'inbound-rtp' && r.kind === 'video') n[r.ssrc] = r.framesDecoded || 0; });
    }
    return Object.values(n).filter((v) => v > 0).length;
  });
  let decoding = 0;
  while (Date.now() - tc < T(2000)) {
    decoding = await perTrack();
    if (decoding >= 2) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  sc = { connect: cc, decodingVideos: decoding, ms: Date.now() - tc };
  report(6, cc === 'connected' && decoding >= 2, JSON.stringify(sc));

  // scenario 3: mute and unmute reach the others as events
  await a.evaluate(() => window.meet.room.localParticipant.setMicrophoneEnabled(false));
  const mutedB = await waitEvent(b, /TrackMuted A-\S+ microphone/, T(5000));
  const mutedC = await waitEvent(c, /TrackMuted A-\S+ microphone/, T(5000));
  report(7, mutedB && mutedC, `B ${mutedB}, C ${mutedC}`);
  await a.evaluate(() => window.meet.room.localParticipant.setMicrophoneEnabled(true));
  const unB = await waitEvent(b, /TrackUnmuted A-\S+ microphone/, T(5000));
  const unC = await waitEvent(c, /TrackUnmuted A-\S+ microphone/, T(5000));
  report(8, unB && unC, `B ${unB}, C ${unC}`);

  // scenario 4: a participant leaves
  await b.evaluate(() => window.meetLeave());
  const goneA = await waitEvent(a, /ParticipantDisconnected B-/, T(5000));
  const goneC = await waitEvent(c, /ParticipantDisconnected B-/, T(5000));
  const endA = await waitEvent(a, /TrackUnsubscribed B-\S+ camera/, T(5000));
  report(9, goneA && goneC && endA, `A sees disconnect ${goneA}, C ${goneC}, A's camera of B unsubscribed ${endA}`);

  await c.evaluate(() => window.meetLeave());
  await a.evaluate(() => window.meetLeave());
} catch (e) {
  console.error('browser-media: ' + (e && e.stack || e));
  reportMissing(String(e && e.message || e));
} finally {
  try {
    for (const [k, v] of Object.entries(logs)) writeFileSync(path.join(OUT, `media-${k}.console.log`), v.join('\n') + '\n');
  } catch (e) { /* best effort */ }
  if (browser) await browser.close().catch(() => {});
  done();
}
process.exit(0);
