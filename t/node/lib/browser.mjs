// Headless Debian Chromium through playwright-core for the browser tests,
// with the guard flags of webrtc-test-rig.md section 4: no background
// traffic, HTTP(S) to a dead proxy except TEST-NET, no DNS.  The tests run
// it inside a network namespace of their own (t/lib/Test/Meet/Netns.pm).

import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

export const CHROMIUM = process.env.MEET_CHROMIUM || '/usr/bin/chromium';

// Playwright 1.65's own --disable-features list (chromiumSwitches), passed
// again with ours: the last --disable-features wins, so it must be a superset.
const PW_DISABLED = [
  'AvoidUnnecessaryBeforeUnloadCheckSync', 'DestroyProfileOnBrowserClose',
  'HttpsUpgrades', 'HttpsFirstBalancedModeAutoEnable', 'LensOverlay',
  'MediaRouter', 'PaintHolding', 'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect', 'OptimizationHints',
  'NetworkTimeServiceQuerying', 'AimEnabled', 'PreconnectToSearch',
];

export function chromeArgs({ loopback = true, extra = [] } = {}) {
  return [
    '--no-sandbox', '--headless', '--disable-gpu', '--disable-quic',
    '--no-first-run',
    '--disable-background-networking', '--disable-component-update',
    '--disable-sync',
    '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
    '--disable-features=' + [...PW_DISABLED, 'WebRtcHideLocalIpsWithMdns',
      'DialMediaRouteProvider', 'Translate'].join(','),
    // guards: nothing HTTP(S) or DNS leaves the machine
    '--proxy-server=127.0.0.1:9',
    '--proxy-bypass-list=198.51.100.0/24;203.0.113.0/24',
    '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, '
      + 'EXCLUDE 127.0.0.1, EXCLUDE 198.51.100.*, EXCLUDE 203.0.113.*',
    ...(loopback ? ['--allow-loopback-in-peer-connection'] : []),
    ...extra,
  ];
}

export async function launch(opts = {}) {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: chromeArgs(opts),
    timeout: opts.timeout || 30000,
  });
}

// What a browser script gets from its .t: the nginx port and host, and the
// output folder (made here).
export function scriptEnv() {
  const OUT = process.env.MEET_OUT || path.resolve('build/browser-out');
  mkdirSync(OUT, { recursive: true });
  return { PORT: Number(process.env.MEET_PORT),
           HOST: process.env.MEET_HOST || '127.0.0.1', OUT };
}

// Runs body(browser) with a launched Chromium; an exception counts against
// the cases not reported yet; closes the browser, reports, exits.
export async function runWithBrowser(name, reporter, body, opts = {}) {
  let browser;
  try {
    browser = await launch(opts);
    await body(browser);
  } catch (e) {
    console.error(`${name}: ` + (e && e.stack || e));
    reporter.reportMissing(String(e && e.message || e));
  } finally {
    if (browser) await browser.close().catch(() => {});
    reporter.done();
  }
  process.exit(0);
}

// Records every RTCPeerConnection.setRemoteDescription call of the page
// (type and outcome) in window.__meetSRD, before any page script runs.
export const SRD_RECORDER = `
(() => {
  window.__meetSRD = [];
  const P = window.RTCPeerConnection && window.RTCPeerConnection.prototype;
  if (!P) return;
  const orig = P.setRemoteDescription;
  P.setRemoteDescription = function (desc, ...rest) {
    const rec = { type: desc && desc.type, sdpLength: desc && desc.sdp ? desc.sdp.length : 0,
                  at: Date.now(), ok: null, error: null };
    window.__meetSRD.push(rec);
    let p;
    try {
      p = orig.call(this, desc, ...rest);
    } catch (e) {
      rec.ok = false; rec.error = String(e && e.message || e);
      throw e;
    }
    return Promise.resolve(p).then((v) => { rec.ok = true; return v; },
      (e) => { rec.ok = false; rec.error = String(e && e.message || e); throw e; });
  };
})();
`;

// Every RTCPeerConnection of a page in window.__pcs, for getStats().
export const PC_RECORDER = `
(() => {
  const Orig = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = function (...args) {
    const pc = new Orig(...args);
    window.__pcs.push(pc);
    return pc;
  };
  window.RTCPeerConnection.prototype = Orig.prototype;
  Object.setPrototypeOf(window.RTCPeerConnection, Orig);
})();`;

// The MEET-PLAN / MEET-CASE protocol of t/lib/Test/Meet/Node.pm: prints
// the plan, reports case i, and reports every missing case as failed when
// the hard time limit hits.
export function caseReporter(plan, hardMs) {
  console.log(`MEET-PLAN ${plan.length}`);
  const reported = new Set();
  const report = (i, ok, diag = '') => {
    reported.add(plan[i]);
    console.log('MEET-CASE ' + JSON.stringify({ name: plan[i], ok: !!ok, diag: ok ? '' : String(diag) }));
  };
  const reportMissing = (why) => plan.forEach((n, i) => { if (!reported.has(n)) report(i, false, why); });
  const hardStop = setTimeout(() => { reportMissing('hard time limit'); process.exit(3); }, hardMs);
  return { report, reportMissing, done: () => clearTimeout(hardStop) };
}

// A page of t/browser/www/join.html in its own context, joined to a room:
// opts = { browser, url (http base), wsUrl, token, timeout, logs (array for
// console lines), initScripts }
export async function openMeetPage(opts) {
  const ctx = await opts.browser.newContext();
  for (const s of opts.initScripts || []) await ctx.addInitScript(s);
  const page = await ctx.newPage();
  page.setDefaultTimeout(opts.timeout);
  if (opts.logs) page.on('console', (m) => opts.logs.push(`[${m.type()}] ${m.text()}`));
  await page.goto(`${opts.url}/test/join.html`, { waitUntil: 'load' });
  await page.evaluate(([u, t, ms]) => window.meetJoin(u, t, ms), [opts.wsUrl, opts.token, opts.joinTimeout]);
  return page;
}

// A and B joined (openPage(name) opens one), A's camera on: the start of
// the two-party media tests
export async function cameraPair(openPage, ms) {
  const a = await openPage('A');
  const b = await openPage('B');
  await waitConnected(a, ms);
  await waitConnected(b, ms);
  await a.evaluate(() => window.meet.room.localParticipant.setCameraEnabled(true));
  return [a, b];
}

// A page joined to a room with a token for name: the room options, when
// given, as window.meetRoomOptions; PC_RECORDER unless recorder is false;
// console lines into logs
export async function openRoomPage(browser, { HOST, PORT, room, name, options,
                                              logs = [], timeout = 20000,
                                              recorder = true }) {
  const { token, uniq, T } = await import('./signal.mjs');
  const tok = await token({ identity: `${name}-${uniq('id')}`, room, name });
  const initScripts = recorder ? [PC_RECORDER] : [];
  if (options) initScripts.push(`window.meetRoomOptions = ${JSON.stringify(options)};`);
  return openMeetPage({ browser, url: `http://${HOST}:${PORT}`, wsUrl: `ws://${HOST}:${PORT}`,
    token: tok, timeout: T(timeout), joinTimeout: T(10000), logs, initScripts });
}

// room options of the simulcast tests: a 720p camera in three VP8 layers
export const SIMULCAST_720P = {
  publishDefaults: { simulcast: true, videoCodec: 'vp8' },
  videoCaptureDefaults: { resolution: { width: 1280, height: 720, frameRate: 30 } },
};

// what a page receives of video: frames decoded, the widest frame, lost
// packets and freezes over its inbound-rtp streams
export async function inboundVideo(page) {
  return page.evaluate(async () => {
    const v = { frames: 0, width: 0, lost: 0, freezes: 0 };
    for (const pc of window.__pcs || []) {
      const st = await pc.getStats();
      st.forEach((r) => {
        if (r.type !== 'inbound-rtp' || r.kind !== 'video') return;
        v.frames += r.framesDecoded || 0;
        v.width = Math.max(v.width, r.frameWidth || 0);
        v.lost += r.packetsLost || 0;
        v.freezes += r.freezeCount || 0;
      });
    }
    return v;
  });
}

// room.connect()'s outcome ('connected' or 'error: ...'), or null
export async function waitConnected(page, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const r = await page.evaluate(() => window.meet.connectResult);
    if (r) return r;
    await new Promise((res) => setTimeout(res, 200));
  }
  return null;
}

export async function pageEvents(page) { return page.evaluate(() => window.meet.events); }

export async function waitEvent(page, re, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if ((await pageEvents(page)).some((e) => re.test(e))) return true;
    await new Promise((res) => setTimeout(res, 200));
  }
  return false;
}
