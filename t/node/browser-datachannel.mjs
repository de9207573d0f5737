// Data channels (SCTP over DTLS, DCEP) between a real livekit-client page
// in headless Chromium and the nginx under test, whose tests' build echoes
// every message back on its channel (meet_rtp_test_data_echo on).  Run by
// t/browser/90-datachannel.t (UDP) and 91-datachannel-tcp.t (ICE-TCP
// only), inside their own network namespace, with MEET_PORT and MEET_OUT
// as for browser-join.mjs, and MEET_DATA_MAX (meet_rtp_data_max_message
// of that nginx).
//
// The page records the channels livekit-client creates (a wrapper of
// RTCPeerConnection.prototype.createDataChannel) and sends raw bytes on
// them: messages of 10 bytes and 60 KB on "_reliable" come back intact, a
// small one on "_lossy" too, one over MEET_DATA_MAX (under the 64 KB the
// answer announces, so that Chromium sends it) never comes back while the
// next one does, and a channel of another label is closed by the server.

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { launch, caseReporter, waitConnected, openMeetPage } from './lib/browser.mjs';
import { uniq, T, token } from './lib/signal.mjs';

const PORT = Number(process.env.MEET_PORT);
const HOST = process.env.MEET_HOST || '127.0.0.1';
const OUT = process.env.MEET_OUT || path.resolve('build/browser-out');
const MAX = Number(process.env.MEET_DATA_MAX || 61440);
const ROOM = uniq('data-room');

const PLAN = [
  'room.connect() resolves',
  'the SDP answer accepts m=application with sctp-port and max-message-size',
  '"_reliable" and "_lossy" open (DCEP answered)',
  'reliable: 10 bytes come back intact',
  'reliable: 60 KB come back intact',
  'reliable: 20 messages come back in order',
  'lossy: 10 bytes come back intact',
  'a message over meet_rtp_data_max_message does not come back, the next does',
  'a channel of another label is closed by the server',
  'the media connection is still up',
];
const { report, reportMissing, done } = caseReporter(PLAN, T(80000));

// before any page script: every data channel and the remote descriptions
const DC_RECORDER = `
(() => {
  window.__dcs = [];
  window.__answers = [];
  const P = RTCPeerConnection.prototype;
  const create = P.createDataChannel;
  P.createDataChannel = function (...a) {
    const dc = create.apply(this, a);
    window.__dcs.push(dc);
    dc.binaryType = 'arraybuffer';
    dc.__got = [];
    dc.addEventListener('message', (e) => {
      const d = e.data;
      dc.__got.push(typeof d === 'string' ? new TextEncoder().encode(d) : new Uint8Array(d));
    });
    return dc;
  };
  const srd = P.setRemoteDescription;
  P.setRemoteDescription = function (d, ...r) {
    if (d && d.sdp) window.__answers.push(d.sdp);
    return srd.call(this, d, ...r);
  };
})();`;

// in the page: helpers on window.__dt
const PAGE_HELPERS = `
window.__dt = {
  dc(label) { return window.__dcs.filter((d) => d.label === label).pop(); },
  fill(n, seed) {
    const a = new Uint8Array(n);
    let x = seed >>> 0 || 1;
    for (let i = 0; i < n; i++) { x = (x * 1103515245 + 12345) >>> 0; a[i] = x >>> 24; }
    return a;
  },
  same(a, b) {
    if (!a || !b || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  },
  async echo(label, msgs, ms) {
    const dc = this.dc(label);
    if (!dc || dc.readyState !== 'open') return { err: 'no open ' + label };
    const from = dc.__got.length;
    for (const m of msgs) dc.send(m);
    const until = Date.now() + ms;
    while (dc.__got.length - from < msgs.length && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const got = dc.__got.slice(from);
    return { sent: msgs.length, got: got.length,
             same: msgs.every((m, i) => this.same(m, got[i])),
             lens: got.map((g) => g.length).slice(0, 25) };
  },
};`;

const logs = [];
let browser;

try {
  browser = await launch({ timeout: T(20000) });
  const tok = await token({ identity: `A-${uniq('id')}`, room: ROOM, name: 'A' });
  const page = await openMeetPage({ browser, url: `http://${HOST}:${PORT}`,
    wsUrl: `ws://${HOST}:${PORT}`, token: tok, timeout: T(20000),
    joinTimeout: T(10000), logs, initScripts: [DC_RECORDER] });
  await page.evaluate(PAGE_HELPERS);

  const rc = await waitConnected(page, T(20000));
  report(0, rc === 'connected', `connect(): ${rc}`);

  const answers = await page.evaluate(() => window.__answers);
  const ans = answers.find((s) => /m=application [1-9]/.test(s)) || answers.join('\n---\n');
  report(1, /m=application [1-9]\d* UDP\/DTLS\/SCTP webrtc-datachannel/.test(ans)
    && /a=sctp-port:5000/.test(ans) && /a=max-message-size:65536/.test(ans), ans);

  // the channels open once SCTP is up and DCEP answered
  const opened = await page.evaluate(async (ms) => {
    const until = Date.now() + ms;
    const st = () => window.__dcs.map((d) => `${d.label}:${d.readyState}:${d.id}`);
    while (Date.now() < until) {
      const r = window.__dt.dc('_reliable'), l = window.__dt.dc('_lossy');
      if (r && l && r.readyState === 'open' && l.readyState === 'open') return { ok: true, st: st() };
      await new Promise((res) => setTimeout(res, 100));
    }
    return { ok: false, st: st() };
  }, T(15000));
  report(2, opened.ok, JSON.stringify(opened.st));
  console.log('MEET-INFO ' + JSON.stringify({ channels: opened.st }));

  const echo = (label, spec, ms) => page.evaluate(async ([label, spec, ms]) => {
    const msgs = spec.map(([n, seed]) => window.__dt.fill(n, seed));
    return window.__dt.echo(label, msgs, ms);
  }, [label, spec, ms]);

  let r = await echo('_reliable', [[10, 1]], T(5000));
  report(3, r.got === 1 && r.same, JSON.stringify(r));

  r = await echo('_reliable', [[60000, 2]], T(10000));
  report(4, r.got === 1 && r.same, JSON.stringify(r));

  r = await echo('_reliable', Array.from({ length: 20 }, (_, i) => [100 + i * 37, 10 + i]), T(10000));
  report(5, r.got === 20 && r.same, JSON.stringify(r));

  r = await echo('_lossy', [[10, 3]], T(5000));
  report(6, r.got === 1 && r.same, JSON.stringify(r));

  // over the server's limit: dropped; the next message still comes back
  r = await echo('_reliable', [[MAX + 1000, 4]], T(3000));
  const r2 = await echo('_reliable', [[10, 5]], T(5000));
  report(7, r.got === 0 && r2.got === 1 && r2.same,
    `over: ${JSON.stringify(r)}, next: ${JSON.stringify(r2)}`);

  // a label livekit-client never opens: the server resets its stream
  const closed = await page.evaluate(async (ms) => {
    const room = window.meet.room;
    const eng = room.engine;
    const pcm = eng && eng.pcManager;
    const pc = pcm && pcm.publisher && pcm.publisher._pc;
    if (!pc) return { err: 'no publisher peer connection' };
    const dc = pc.createDataChannel('not-livekit');
    const seen = [];
    dc.addEventListener('open', () => seen.push('open'));
    dc.addEventListener('close', () => seen.push('close'));
    const until = Date.now() + ms;
    while (dc.readyState !== 'closed' && Date.now() < until) {
      await new Promise((res) => setTimeout(res, 100));
    }
    return { state: dc.readyState, seen };
  }, T(10000));
  report(8, closed.state === 'closed', JSON.stringify(closed));

  const still = await page.evaluate(() => window.meet.room.state);
  r = await echo('_reliable', [[10, 6]], T(5000));
  report(9, still === 'connected' && r.got === 1 && r.same, `${still} ${JSON.stringify(r)}`);

  await page.evaluate(() => window.meetLeave());
} catch (e) {
  console.error('browser-datachannel: ' + (e && e.stack || e));
  reportMissing(String(e && e.message || e));
} finally {
  try {
    writeFileSync(path.join(OUT, `datachannel-${process.env.MEET_CASE || 'udp'}.console.log`), logs.join('\n') + '\n');
  } catch (e) { /* best effort */ }
  if (browser) await browser.close().catch(() => {});
  done();
}
process.exit(0);
