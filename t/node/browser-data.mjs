// Data messages (issue 11): livekit-client 2.21.0 pages in Chromium send
// and receive LiveKit DataPackets through ngx_meet as through
// livekit-server: reliable publishData both ways and to a destination list,
// lossy packets, a 100 KB text stream on "lk.chat" (sendText /
// registerTextStreamHandler, as livekit's components send chat), a 1 MB
// byte stream (sendFile / registerByteStreamHandler), RPC (performRpc /
// registerRpcMethod); a participant joining later gets new messages only;
// one without canPublishData never gets a packet through.  Every received
// packet names its real sender.  Run by t/browser/90-data.t in its own
// network namespace; needs the SCTP data channels of the media module.

import { scriptEnv, runWithBrowser, caseReporter, waitConnected,
         openRoomPage, openMeetPage, PC_RECORDER } from './lib/browser.mjs';
import { uniq, token, T } from './lib/signal.mjs';

const { PORT, HOST } = scriptEnv();
const ROOM = uniq('data-room');

const PLAN = [
  'A, B and C connect',
  'reliable publishData A -> B and C, B -> A, with the real sender',
  'publishData to a destination list reaches only it',
  'a lossy packet arrives on the lossy channel',
  'sendText of 100 KB on lk.chat arrives whole',
  'sendFile of 1 MB arrives whole',
  'performRpc / registerRpcMethod between two participants',
  'a participant joining later gets new messages only',
  'a participant without canPublishData gets nothing through',
];
const reporter = caseReporter(PLAN, T(150000));
const { report } = reporter;
let browser;

// every page records what it receives: window.meetData
const COLLECT = () => {
  const LK = window.LivekitClient;
  window.meetData = [];
  window.meet.room.on(LK.RoomEvent.DataReceived, (payload, p, kind, topic) => {
    window.meetData.push({ from: p ? p.identity : null, text: new TextDecoder().decode(payload),
                           kind, topic: topic || null });
  });
  return window.meet.room.localParticipant.identity;
};

async function open(name, grants) {
  let page;
  if (grants) {
    const tok = await token({ identity: `${name}-${uniq('id')}`, room: ROOM, name, grants });
    page = await openMeetPage({ browser, url: `http://${HOST}:${PORT}`, wsUrl: `ws://${HOST}:${PORT}`,
      token: tok, timeout: T(20000), joinTimeout: T(10000), logs: [], initScripts: [PC_RECORDER] });
  } else {
    page = await openRoomPage(browser, { HOST, PORT, room: ROOM, name });
  }
  const ok = await waitConnected(page, T(20000));
  const identity = await page.evaluate(COLLECT);
  return { page, identity, ok };
}

const received = (p) => p.page.evaluate(() => window.meetData);

// waits until pred(received) or ms: the last list
async function until(p, pred, ms) {
  const end = Date.now() + ms;
  let got = [];
  for (let i = 0; i < 1000 && Date.now() < end; i++) {
    got = await received(p);
    if (pred(got)) return got;
    await new Promise((r) => setTimeout(r, 100));
  }
  return got;
}

const publish = (p, text, opts) => p.page.evaluate(([t, o]) =>
  window.meet.room.localParticipant.publishData(new TextEncoder().encode(t), o)
    .then(() => 'ok', (e) => 'error: ' + e.message), [text, opts || { reliable: true }]);

const has = (list, text, from) => list.some((m) => m.text === text && (!from || m.from === from));

await runWithBrowser('browser-data', reporter, async (br) => {
  browser = br;
  const a = await open('A');
  const b = await open('B');
  const c = await open('C');
  report(0, a.ok && b.ok && c.ok, `${a.ok} ${b.ok} ${c.ok}`);

  // 1. reliable both ways
  await publish(a, 'hello from A', { reliable: true, topic: 'greet' });
  await publish(b, 'hello from B', { reliable: true });
  const bGot = await until(b, (l) => has(l, 'hello from A'), T(10000));
  const cGot = await until(c, (l) => has(l, 'hello from A') && has(l, 'hello from B'), T(10000));
  const aGot = await until(a, (l) => has(l, 'hello from B'), T(10000));
  const m = bGot.find((x) => x.text === 'hello from A');
  report(1, m && m.from === a.identity && m.topic === 'greet' && has(cGot, 'hello from A', a.identity)
    && has(aGot, 'hello from B', b.identity) && !has(aGot, 'hello from A'),
    JSON.stringify({ bGot, cGot, aGot }));

  // 2. to C only
  await publish(a, 'for C', { reliable: true, destinationIdentities: [c.identity] });
  const cOnly = await until(c, (l) => has(l, 'for C'), T(10000));
  await new Promise((r) => setTimeout(r, T(1000)));
  report(2, has(cOnly, 'for C', a.identity) && !has(await received(b), 'for C'),
    JSON.stringify(await received(b)));

  // 3. lossy (best effort: a few, one must arrive)
  for (let i = 0; i < 5; i++) await publish(a, 'lossy', { reliable: false });
  const lossy = await until(b, (l) => has(l, 'lossy'), T(10000));
  const lm = lossy.find((x) => x.text === 'lossy');
  report(3, lm && lm.kind === 1 && lm.from === a.identity, JSON.stringify(lm));

  // 4. a 100 KB text stream on lk.chat
  await b.page.evaluate(() => {
    window.meetText = null;
    window.meet.room.registerTextStreamHandler('lk.chat', async (reader, from) => {
      const text = await reader.readAll();
      window.meetText = { from: from.identity, len: text.length, ok: /^(0123456789)+$/.test(text) };
    });
  });
  const sent = await a.page.evaluate(() => window.meet.room.localParticipant
    .sendText('0123456789'.repeat(10240), { topic: 'lk.chat' }).then(() => 'ok', (e) => 'error: ' + e.message));
  let text = null;
  for (let i = 0; i < 300 && !text; i++) {
    text = await b.page.evaluate(() => window.meetText);
    if (!text) await new Promise((r) => setTimeout(r, 100));
  }
  report(4, text && text.len === 102400 && text.ok && text.from === a.identity, `${sent} ${JSON.stringify(text)}`);

  // 5. a 1 MB file
  await c.page.evaluate(() => {
    window.meetFile = null;
    window.meet.room.registerByteStreamHandler('files', async (reader, from) => {
      const chunks = await reader.readAll();
      let len = 0, sum = 0;
      for (const ch of chunks) { len += ch.length; for (const x of ch) sum = (sum + x) % 65521; }
      window.meetFile = { from: from.identity, len, sum, name: reader.info.name };
    });
  });
  const fileSent = await a.page.evaluate(async () => {
    const bytes = new Uint8Array(1024 * 1024);
    let sum = 0;
    for (let i = 0; i < bytes.length; i++) { bytes[i] = (i * 7) & 255; sum = (sum + bytes[i]) % 65521; }
    window.meetFileSum = sum;
    await window.meet.room.localParticipant.sendFile(new File([bytes], 'one-mb.bin'), { topic: 'files' });
    return sum;
  }).catch((e) => 'error: ' + e.message);
  let file = null;
  for (let i = 0; i < 600 && !file; i++) {
    file = await c.page.evaluate(() => window.meetFile);
    if (!file) await new Promise((r) => setTimeout(r, 100));
  }
  report(5, file && file.len === 1048576 && file.sum === fileSent && file.from === a.identity
    && file.name === 'one-mb.bin', `${fileSent} ${JSON.stringify(file)}`);

  // 6. RPC
  await b.page.evaluate(() => window.meet.room.localParticipant.registerRpcMethod('greet',
    async (data) => `hello ${data.payload} from ${data.callerIdentity}`));
  const rpc = await a.page.evaluate((dest) => window.meet.room.localParticipant.performRpc(
    { destinationIdentity: dest, method: 'greet', payload: 'rpc' }).catch((e) => 'error: ' + e.message),
  b.identity);
  report(6, rpc === `hello rpc from ${a.identity}`, rpc);

  // 7. a later participant
  await publish(a, 'before D', { reliable: true });
  await until(b, (l) => has(l, 'before D'), T(10000));
  const d = await open('D');
  await publish(a, 'after D', { reliable: true });
  const dGot = await until(d, (l) => has(l, 'after D'), T(10000));
  report(7, d.ok && has(dGot, 'after D', a.identity) && !has(dGot, 'before D'), JSON.stringify(dGot));

  // 8. no canPublishData
  const mute = await open('M', { canPublishData: false });
  const mSent = await publish(mute, 'from M', { reliable: true });
  await publish(mute, 'from M', { reliable: false });
  await publish(a, 'after M', { reliable: true });
  await until(b, (l) => has(l, 'after M'), T(10000));
  await new Promise((r) => setTimeout(r, T(1000)));
  const any = [];
  for (const p of [a, b, c, d]) if (has(await received(p), 'from M')) any.push(p.identity);
  report(8, mute.ok && any.length === 0 && has(await received(mute), 'after M'), `${mSent} leaked to ${any}`);

  for (const p of [a, b, c, d, mute]) await p.page.evaluate(() => window.meetLeave()).catch(() => {});
}, { timeout: T(20000) });
