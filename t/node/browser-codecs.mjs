// Codecs pass through ngx_meet: for each of VP8, VP9 (livekit-client's SVC
// mode) and H.264, A publishes its camera with that codec and B must decode
// it (inbound-rtp framesDecoded > 0 with that mimeType).  Run by
// t/browser/35-codecs.t inside its own network namespace (MEET_PORT,
// MEET_OUT as for browser-join.mjs).

import { scriptEnv, runWithBrowser, caseReporter, waitConnected, openRoomPage } from './lib/browser.mjs';
import { uniq, T } from './lib/signal.mjs';

const { PORT, HOST, OUT } = scriptEnv();
const CODECS = (process.env.MEET_CODECS || 'vp8,vp9,h264').split(',');

const PLAN = CODECS.map((c) => `${c}: B decodes A's ${c.toUpperCase()} video`);
const reporter = caseReporter(PLAN, T(100000));
const { report } = reporter;

let browser;

async function openPage(name, room, codec) {
  return openRoomPage(browser, { HOST, PORT, room, name,
    options: { publishDefaults: { videoCodec: codec } } });
}

async function decoded(page) {
  return page.evaluate(async () => {
    const v = { frames: 0, mime: '' };
    for (const pc of window.__pcs || []) {
      const st = await pc.getStats();
      st.forEach((r) => {
        if (r.type !== 'inbound-rtp' || r.kind !== 'video') return;
        v.frames += r.framesDecoded || 0;
        const c = r.codecId && st.get(r.codecId);
        if (c) v.mime = c.mimeType;
      });
    }
    return v;
  });
}

await runWithBrowser('browser-codecs', reporter, async (br) => {
  browser = br;
  for (let i = 0; i < CODECS.length; i++) {
    const codec = CODECS[i];
    const room = uniq(`codec-${codec}`);
    const a = await openPage('A', room, codec);
    const b = await openPage('B', room, codec);
    await waitConnected(a, T(20000));
    await waitConnected(b, T(20000));
    await a.evaluate(() => window.meet.room.localParticipant.setCameraEnabled(true));
    let v = { frames: 0, mime: '' };
    const until = Date.now() + T(15000);
    while (Date.now() < until && !(v.frames > 0 && v.mime)) {
      v = await decoded(b);
      await new Promise((res) => setTimeout(res, 250));
    }
    console.log('MEET-INFO ' + JSON.stringify({ [codec]: v }));
    report(i, v.frames > 0 && v.mime.toLowerCase() === `video/${codec}`, JSON.stringify(v));
    await b.evaluate(() => window.meetLeave());
    await a.evaluate(() => window.meetLeave());
    await a.close();
    await b.close();
  }
}, { timeout: T(20000) });
