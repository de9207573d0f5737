// Loss recovery: the nginx under test drops every 20th video packet it
// forwards to subscribers (meet_rtp_test_drop 20); B must NACK them, get
// them again from ngx_meet's history and keep decoding.  With
// MEET_UPSTREAM=1 it drops every 20th packet it receives from the publisher
// instead (meet_rtp_test_drop_upstream 20): ngx_meet must NACK the
// publisher and forward what comes back on its RTX stream.  Run by
// t/browser/50-nack.t and 60-nack-upstream.t (MEET_PORT, MEET_OUT).

import { scriptEnv, runWithBrowser, cameraPair, caseReporter, openRoomPage } from './lib/browser.mjs';
import { uniq, T } from './lib/signal.mjs';

const { PORT, HOST, OUT } = scriptEnv();
const ROOM = uniq('nack-room');


const PLAN = [
  'A publishes its camera, B decodes it',
  process.env.MEET_UPSTREAM ? 'ngx_meet NACKs the publisher and forwards its RTX retransmissions'
                            : 'B sends NACKs for the dropped packets',
  process.env.MEET_UPSTREAM ? 'B keeps decoding, losing under 2 % of what it got in 4 s (5 % dropped upstream)'
                            : 'B gets every dropped packet again on its RTX stream and keeps decoding',
];
const reporter = caseReporter(PLAN, T(80000));
const { report } = reporter;

const logs = {};
let browser;

async function openPage(name) {
  logs[name] = [];
  return openRoomPage(browser, { HOST, PORT, room: ROOM, name, logs: logs[name],
    options: { publishDefaults: { simulcast: !!process.env.MEET_SIMULCAST } } });
}

async function video(page) {
  return page.evaluate(async () => {
    const v = { frames: 0, nack: 0, retransmitted: 0, lost: 0, received: 0 };
    for (const pc of window.__pcs || []) {
      const st = await pc.getStats();
      st.forEach((r) => {
        if (r.type === 'outbound-rtp' && r.kind === 'video') {
          v.out = { frames: r.framesEncoded, nack: r.nackCount, rtx: r.retransmittedPacketsSent,
            sent: r.packetsSent, mode: r.scalabilityMode, q: r.qualityLimitationReason };
        }
        if (r.type !== 'inbound-rtp' || r.kind !== 'video') return;
        v.frames += r.framesDecoded || 0;
        v.nack += r.nackCount || 0;
        v.retransmitted += r.retransmittedPacketsReceived || 0;
        v.lost += r.packetsLost || 0;
        v.received += r.packetsReceived || 0;
      });
    }
    return v;
  });
}

await runWithBrowser('browser-nack', reporter, async (br) => {
  browser = br;
  const [a, b] = await cameraPair(openPage, T(20000));
  let v = { frames: 0 };
  const until = Date.now() + T(15000);
  while (Date.now() < until && v.frames === 0) {
    v = await video(b);
    await new Promise((res) => setTimeout(res, 250));
  }
  report(0, v.frames > 0, JSON.stringify(v));
  await new Promise((res) => setTimeout(res, 6000));
  const v1 = await video(b);
  await new Promise((res) => setTimeout(res, process.env.MEET_UPSTREAM ? 4000 : 2000));
  const v2 = await video(b);
  const pub = await video(a);
  console.log('MEET-INFO ' + JSON.stringify({ room: ROOM, v1, v2, pub: pub.out }));
  // upstream loss: ngx_meet recovers it before forwarding (the Perl side
  // checks /healthz nacks_sent); downstream loss: B must ask for it
  report(1, process.env.MEET_UPSTREAM ? v2.received > v1.received : v2.nack > 0,
    JSON.stringify(v2));
  // downstream: B's slot negotiated RTX, so every packet dropped on the
  // way to B comes back on the RTX stream (libwebrtc does not count those
  // as received in packetsLost: retransmittedPacketsReceived covers them)
  // and B keeps decoding.  Upstream: ngx_meet recovers the loss before
  // forwarding; a few packets may still miss B's jitter buffer deadline;
  // without the recovery about 5 % stay lost and decoding stalls.
  const recovered = process.env.MEET_UPSTREAM
    ? v2.frames - v1.frames >= 10 && (v2.lost - v1.lost) * 50 <= v2.received - v1.received
    : v2.frames > v1.frames && v2.received > v1.received
      && v2.retransmitted > v1.retransmitted && v2.lost <= v2.retransmitted;
  report(2, recovered, JSON.stringify({ v1, v2 }));
  await b.evaluate(() => window.meetLeave());
  await a.evaluate(() => window.meetLeave());
}, { timeout: T(20000) });
