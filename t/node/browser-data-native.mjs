// Data messages (issue 11) between a native LiveKit participant
// (@livekit/rtc-node: libwebrtc through LiveKit's Rust SDK, its own SCTP
// and DataPacket code) and a livekit-client 2.21.0 page in Chromium,
// through ngx_meet: reliable and lossy, both ways, each naming its real
// sender, and to a destination list.  Run by t/browser/92-data-native.t in
// its own network namespace.

import { scriptEnv, runWithBrowser, caseReporter, waitConnected,
         openRoomPage } from './lib/browser.mjs';
import { uniq, token, T } from './lib/signal.mjs';
import { Room, RoomEvent, dispose } from '@livekit/rtc-node';

const { PORT, HOST } = scriptEnv();
const ROOM = uniq('native-data');

const PLAN = [
  'the page and the native participant connect',
  'reliable: page -> native, with the page as sender and the topic',
  'reliable: native -> page, with the native participant as sender',
  'lossy: native -> page on the lossy channel',
  'lossy: page -> native',
  'to a destination list: native -> the page only, not a second page',
];
const reporter = caseReporter(PLAN, T(120000));
const { report } = reporter;

const COLLECT = () => {
  const LK = window.LivekitClient;
  window.meetData = [];
  window.meet.room.on(LK.RoomEvent.DataReceived, (payload, p, kind, topic) => {
    window.meetData.push({ from: p ? p.identity : null, text: new TextDecoder().decode(payload),
                           kind, topic: topic || null });
  });
  return window.meet.room.localParticipant.identity;
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function pageUntil(page, pred, ms) {
  const end = Date.now() + ms;
  let got = [];
  while (Date.now() < end) {
    got = await page.evaluate(() => window.meetData);
    if (pred(got)) return got;
    await sleep(100);
  }
  return got;
}

async function nativeUntil(list, pred, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end && !pred(list)) await sleep(100);
  return list;
}

const has = (list, text, from) => list.some((m) => m.text === text && (!from || m.from === from));

const pagePublish = (page, text, opts) => page.evaluate(([t, o]) =>
  window.meet.room.localParticipant.publishData(new TextEncoder().encode(t), o)
    .then(() => 'ok', (e) => 'error: ' + e.message), [text, opts]);

let room;

await runWithBrowser('browser-data-native', reporter, async (browser) => {
  const page = await openRoomPage(browser, { HOST, PORT, room: ROOM, name: 'P' });
  const pageOk = await waitConnected(page, T(20000));
  const pageId = await page.evaluate(COLLECT);

  const nativeId = uniq('native');
  const got = [];
  room = new Room();
  room.on(RoomEvent.DataReceived, (payload, participant, kind, topic) => {
    got.push({ from: participant ? participant.identity : null,
               text: new TextDecoder().decode(payload), kind, topic: topic || null });
  });
  let nativeOk = false;
  try {
    await room.connect(`ws://${HOST}:${PORT}`, await token({ identity: nativeId, room: ROOM }),
                       { autoSubscribe: true });
    nativeOk = true;
  } catch (e) {
    report(0, false, 'native connect: ' + e.message);
    return;
  }
  // both sides see each other
  const seen = await page.evaluate(async ([id, ms]) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if ([...window.meet.room.remoteParticipants.values()].some((p) => p.identity === id)) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }, [nativeId, T(10000)]);
  report(0, pageOk && nativeOk && seen, `${pageOk} ${nativeOk} ${seen}`);

  // 1. page -> native, reliable: sent once (a receiver whose channel is
  // not open yet gets it when it opens), waited for up to 10 s
  let r1 = '';
  for (let i = 0; i < 20 && !has(got, 'from the page'); i++) {
    if (i === 0) r1 = await pagePublish(page, 'from the page', { reliable: true, topic: 'greet' });
    await nativeUntil(got, (l) => has(l, 'from the page'), T(500));
  }
  const m1 = got.find((m) => m.text === 'from the page');
  report(1, m1 && m1.from === pageId && m1.topic === 'greet', `${r1} ${JSON.stringify(got)}`);

  // 2. native -> page, reliable
  await room.localParticipant.publishData(new TextEncoder().encode('from native'),
                                          { reliable: true, topic: 'hello' });
  const p2 = await pageUntil(page, (l) => has(l, 'from native'), T(10000));
  const m2 = p2.find((m) => m.text === 'from native');
  report(2, m2 && m2.from === nativeId && m2.topic === 'hello' && m2.kind === 0, JSON.stringify(p2));

  // 3. native -> page, lossy (best effort: a few, one must arrive)
  for (let i = 0; i < 5; i++) {
    await room.localParticipant.publishData(new TextEncoder().encode('native lossy'), { reliable: false });
  }
  const p3 = await pageUntil(page, (l) => has(l, 'native lossy'), T(10000));
  const m3 = p3.find((m) => m.text === 'native lossy');
  report(3, m3 && m3.from === nativeId && m3.kind === 1, JSON.stringify(m3));

  // 4. page -> native, lossy
  for (let i = 0; i < 5; i++) await pagePublish(page, 'page lossy', { reliable: false });
  await nativeUntil(got, (l) => has(l, 'page lossy'), T(10000));
  const m4 = got.find((m) => m.text === 'page lossy');
  report(4, m4 && m4.from === pageId, JSON.stringify(m4));

  // 5. to a destination list
  const other = await openRoomPage(browser, { HOST, PORT, room: ROOM, name: 'Q' });
  const otherOk = await waitConnected(other, T(20000));
  await other.evaluate(COLLECT);
  await room.localParticipant.publishData(new TextEncoder().encode('for P only'),
    { reliable: true, destination_identities: [pageId] });
  await room.localParticipant.publishData(new TextEncoder().encode('for all'), { reliable: true });
  const p5 = await pageUntil(page, (l) => has(l, 'for P only'), T(10000));
  const q5 = await pageUntil(other, (l) => has(l, 'for all'), T(10000));
  report(5, otherOk && has(p5, 'for P only', nativeId) && has(q5, 'for all', nativeId)
    && !has(q5, 'for P only'), JSON.stringify({ p5, q5 }));

  for (const p of [page, other]) await p.evaluate(() => window.meetLeave()).catch(() => {});
}, { timeout: T(20000) });

try { if (room) await room.disconnect(); } catch { /* gone */ }
await dispose();
