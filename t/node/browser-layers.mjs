// Simulcast layers per subscriber: A publishes its camera in three layers
// (livekit-client's default simulcast, q/h/f); B first gets the highest
// layer A sends (frameWidth above the smallest layer's once A's bandwidth
// estimate lets it send more), then asks for LOW (UpdateTrackSettings) and
// gets the smallest, then HIGH again; its decoder never stalls: ngx_meet
// switches on key frames and keeps B's sequence numbers continuous.  Run by
// t/browser/36-layers.t in its own network namespace.

import { scriptEnv, runWithBrowser, cameraPair, caseReporter, openRoomPage,
         inboundVideo, SIMULCAST_720P } from './lib/browser.mjs';
import { uniq, T } from './lib/signal.mjs';

const { PORT, HOST, OUT } = scriptEnv();
const ROOM = uniq('layers-room');


const PLAN = [
  'B decodes A\'s simulcast camera',
  'B gets a layer above the smallest (the highest A sends)',
  'B asks for LOW: it gets the smallest layer and keeps decoding',
  'B asks for HIGH again: a larger layer, still decoding',
  'dynacast: while B wants LOW, A stops sending the upper layers',
];
const reporter = caseReporter(PLAN, T(110000));
const { report } = reporter;

let browser;

async function openPage(name) {
  return openRoomPage(browser, { HOST, PORT, room: ROOM, name, options: { ...SIMULCAST_720P, dynacast: true } });
}

const inbound = inboundVideo;

// polls B until pred(stats) holds or ms pass; the last stats
async function outbound(page) {
  return page.evaluate(async () => {
    const v = { rids: {}, bwe: 0 };
    for (const pc of window.__pcs || []) {
      const st = await pc.getStats();
      st.forEach((r) => {
        if (r.type === 'outbound-rtp' && r.kind === 'video') {
          v.rids[r.rid || '-'] = { w: r.frameWidth, sent: r.packetsSent, q: r.qualityLimitationReason, active: r.active };
        }
        if (r.type === 'candidate-pair' && r.nominated && r.availableOutgoingBitrate) {
          v.bwe = Math.max(v.bwe, r.availableOutgoingBitrate);
        }
      });
    }
    return v;
  });
}

async function until(page, pred, ms) {
  const end = Date.now() + ms;
  let v = await inbound(page);
  while (Date.now() < end && !pred(v)) {
    await new Promise((res) => setTimeout(res, 300));
    v = await inbound(page);
  }
  return v;
}

async function setQuality(page, q) {
  await page.evaluate((quality) => {
    for (const p of window.meet.room.remoteParticipants.values()) {
      for (const pub of p.videoTrackPublications.values()) {
        pub.setVideoQuality(window.LivekitClient.VideoQuality[quality]);
      }
    }
  }, q);
}

await runWithBrowser('browser-layers', reporter, async (br) => {
  browser = br;
  const [a, b] = await cameraPair(openPage, T(20000));

  let v = await until(b, (s) => s.frames > 0 && s.width > 0, T(15000));
  report(0, v.frames > 0, JSON.stringify(v));

  // the smallest layer's width as A encodes it
  let pub = await outbound(a);
  const small = (pub.rids.q && pub.rids.q.w) || 0;
  v = await until(b, (s) => small > 0 && s.width > small, T(45000));
  const big = v.width;
  pub = await outbound(a);
  console.log('MEET-INFO ' + JSON.stringify({ small, up: v, pub }));
  report(1, small > 0 && v.width > small, JSON.stringify({ small, now: v, pub }));

  await setQuality(b, 'LOW');
  const f0 = v.frames;
  v = await until(b, (s) => s.width > 0 && s.width <= small && s.frames > f0 + 10, T(15000));
  const low = v.width;
  // A's upper layers go inactive (SubscribedQualityUpdate)
  let pubLow = await outbound(a);
  const pubEnd = Date.now() + T(10000);
  while (Date.now() < pubEnd && !(pubLow.rids.h && pubLow.rids.h.active === false
                                  && pubLow.rids.f && pubLow.rids.f.active === false)) {
    await new Promise((res) => setTimeout(res, 300));
    pubLow = await outbound(a);
  }
  console.log('MEET-INFO ' + JSON.stringify({ low: v, pubLow }));
  report(2, v.width > 0 && v.width <= small && v.frames > f0 + 10, JSON.stringify({ big, now: v }));

  await setQuality(b, 'HIGH');
  const f1 = v.frames;
  v = await until(b, (s) => s.width > low && s.frames > f1 + 10, T(15000));
  console.log('MEET-INFO ' + JSON.stringify({ high: v }));
  report(3, v.width > low && v.frames > f1 + 10, JSON.stringify({ low, now: v }));
  report(4, pubLow.rids.q && pubLow.rids.q.active && pubLow.rids.h && !pubLow.rids.h.active
    && pubLow.rids.f && !pubLow.rids.f.active, JSON.stringify(pubLow));

  await b.evaluate(() => window.meetLeave());
  await a.evaluate(() => window.meetLeave());
}, { timeout: T(20000) });
