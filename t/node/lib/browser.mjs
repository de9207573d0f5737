// Headless Debian Chromium through playwright-core for the browser tests,
// with the guard flags of webrtc-test-rig.md section 4: no background
// traffic, HTTP(S) to a dead proxy except TEST-NET, no DNS.  The tests run
// it inside a network namespace of their own (t/lib/Test/Meet/Netns.pm).

import { chromium } from 'playwright-core';

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
