// Issue 4 scenario 5: congestion feedback.  A publishes its camera without
// simulcast, B receives it; the bitrate B receives after 20 s must be well
// above the start rate, which only happens when the publisher's bandwidth
// estimation gets feedback (ngx_meet sends transport-wide CC feedback).
// Measured here: about 140 kbit/s in the first seconds, about 500 kbit/s
// after 20 s (livekit-client's cap for Chromium's 640x480 fake camera);
// without the feedback the rate falls to about 26 kbit/s.
// Run by t/browser/40-bitrate.t (MEET_PORT, MEET_OUT).

import { scriptEnv, runWithBrowser, cameraPair, caseReporter, openRoomPage } from './lib/browser.mjs';
import { uniq, T } from './lib/signal.mjs';

const { PORT, HOST, OUT } = scriptEnv();
const ROOM = uniq('bitrate-room');


const PLAN = [
  'A publishes its camera, B decodes it',
  'B receives well above the start rate after 20 s (> 300 kbit/s and 2x the first seconds)',
];
const reporter = caseReporter(PLAN, T(80000));
const { report } = reporter;

const logs = {};
let browser;

async function openPage(name) {
  logs[name] = [];
  return openRoomPage(browser, { HOST, PORT, room: ROOM, name, logs: logs[name],
    options: { publishDefaults: { simulcast: false },
      videoCaptureDefaults: { resolution: { width: 1280, height: 720, frameRate: 30 } } } });
}

async function video(page) {
  return page.evaluate(async () => {
    let bytes = 0, frames = 0;
    for (const pc of window.__pcs || []) {
      const st = await pc.getStats();
      st.forEach((r) => { if (r.type === 'inbound-rtp' && r.kind === 'video') { bytes += r.bytesReceived || 0; frames += r.framesDecoded || 0; } });
    }
    return { bytes, frames, t: Date.now() };
  });
}

async function rate(page, ms) {
  const a = await video(page);
  await new Promise((res) => setTimeout(res, ms));
  const b = await video(page);
  return ((b.bytes - a.bytes) * 8) / ((b.t - a.t) / 1000);
}

await runWithBrowser('browser-bitrate', reporter, async (br) => {
  browser = br;
  const [a, b] = await cameraPair(openPage, T(20000));
  let v = { frames: 0 };
  const until = Date.now() + T(15000);
  while (Date.now() < until && v.frames === 0) {
    v = await video(b);
    await new Promise((res) => setTimeout(res, 250));
  }
  report(0, v.frames > 0, JSON.stringify(v));
  const early = await rate(b, 2000);
  await new Promise((res) => setTimeout(res, 16000));
  const late = await rate(b, 2000);
  console.log('MEET-INFO ' + JSON.stringify({ room: ROOM, early_bps: Math.round(early), late_bps: Math.round(late) }));
  // without our congestion feedback Chrome stays near 26 kbit/s;
  // 300 kbit/s leaves room for a slow nginx (valgrind) on a loaded machine
  report(1, late > 300000 && late > 2 * early, `early ${Math.round(early)} bit/s, after 20 s ${Math.round(late)} bit/s`);
  await b.evaluate(() => window.meetLeave());
  await a.evaluate(() => window.meetLeave());
}, { timeout: T(20000) });
