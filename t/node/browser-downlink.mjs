// A lossy downlink gets a smaller layer: A publishes three simulcast layers;
// everything ngx_meet sends B loses a quarter of its video packets
// (meet_rtp_test_drop in t/browser/38-downlink.t); from B's receiver reports
// ngx_meet caps B's layer and B ends up on the smallest one, still decoding.

import { scriptEnv, runWithBrowser, cameraPair, caseReporter, openRoomPage,
         inboundVideo, SIMULCAST_720P } from './lib/browser.mjs';
import { uniq, T } from './lib/signal.mjs';

const { PORT, HOST } = scriptEnv();
const ROOM = uniq('downlink-room');

const PLAN = [
  'B decodes A\'s simulcast camera',
  'with 25 % loss towards B, B ends up on the smallest layer and keeps decoding',
];
const reporter = caseReporter(PLAN, T(80000));
const { report } = reporter;
let browser;

async function openPage(name) {
  return openRoomPage(browser, { HOST, PORT, room: ROOM, name, options: SIMULCAST_720P });
}

const inbound = inboundVideo;

await runWithBrowser('browser-downlink', reporter, async (br) => {
  browser = br;
  const [a, b] = await cameraPair(openPage, T(20000));
  let v = await inbound(b);
  let end = Date.now() + T(15000);
  while (Date.now() < end && !(v.frames > 0)) {
    await new Promise((res) => setTimeout(res, 300));
    v = await inbound(b);
  }
  report(0, v.frames > 0, JSON.stringify(v));

  // the smallest layer: at most 320 wide; and frames still coming
  end = Date.now() + T(30000);
  let f0 = v.frames;
  while (Date.now() < end && !(v.width > 0 && v.width <= 320 && v.frames > f0 + 10)) {
    await new Promise((res) => setTimeout(res, 500));
    const w = await inbound(b);
    if (!(w.width <= 320)) f0 = w.frames;
    v = w;
  }
  console.log('MEET-INFO ' + JSON.stringify({ b: v }));
  report(1, v.width > 0 && v.width <= 320 && v.frames > f0 + 10, JSON.stringify(v));

  await b.evaluate(() => window.meetLeave());
  await a.evaluate(() => window.meetLeave());
}, { timeout: T(20000) });
