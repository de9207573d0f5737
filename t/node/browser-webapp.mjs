// The meeting web app (web/) through its own UI, in headless Debian
// Chromium with fake camera and microphone: run by t/browser/70-webapp.t
// inside its own network namespace, against one nginx with four servers:
//   MEET_PORT       the embedded default (spa, api with anonymous rooms, rtc)
//   MEET_PORT_OFF   the same with meet_api_anonymous_rooms off
//   MEET_PORT_FULL  the same with meet_signal_max_participants 1
//   MEET_TLS_PORT   the same over TLS (443)
// Screenshots of every step go to MEET_OUT (t/browser/out/webapp/).
// Everything is checked through what the page shows (data-testid
// attributes), plus the decoder statistics of the page's peer connections.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { launch, chromeArgs, CHROMIUM, PC_RECORDER, caseReporter } from './lib/browser.mjs';
import { uniq, T } from './lib/signal.mjs';

const HOST = '127.0.0.1';
const BASE = `http://${HOST}:${process.env.MEET_PORT}`;
const BASE_OFF = `http://${HOST}:${process.env.MEET_PORT_OFF}`;
const BASE_FULL = `http://${HOST}:${process.env.MEET_PORT_FULL}`;
const TLS_PORT = Number(process.env.MEET_TLS_PORT || 443);
const BASE_TLS = `https://${HOST}${TLS_PORT === 443 ? '' : `:${TLS_PORT}`}`;
const OUT = process.env.MEET_OUT || path.resolve('build/webapp-out');
mkdirSync(OUT, { recursive: true });

const PLAN = [
  'home: "New meeting" opens the pre-join screen of a new readable room at /<room>',
  'pre-join: the camera preview plays and the pickers list camera and microphone',
  '"Copy link" puts the room link on the clipboard',
  'B opens the copied link: the pre-join screen of the same room',
  'A and B enter their names and join: both are in the room',
  'each sees the other\'s tile with the other\'s name',
  'A decodes B\'s video: framesDecoded rising, B\'s tile plays it',
  'B decodes A\'s video: framesDecoded rising, A\'s tile plays it',
  'active speaker: A sees B\'s tile highlighted while B\'s microphone sounds',
  'B turns its camera off: A sees B\'s avatar instead of video',
  'B turns its camera on again: A sees B\'s video again',
  'A mutes its microphone: B sees A\'s microphone muted',
  'A presents its screen: B sees a screen tile with live video; stopping removes it',
  'over TLS on 443: C opens https://<host>/<room>, signals over wss from the page origin, decodes A',
  'B leaves: B gets the "you left" screen, A no longer has B\'s tile',
  'camera denied: the camera-or-microphone-blocked screen, "join without" goes on to pre-join',
  'server unreachable: joining while the network is gone shows the unreachable screen',
  'token refused: a server without anonymous rooms gives the token-refused screen',
  'room full: in a room capped at one, the second person gets the room-full screen',
  'home: joining by a typed name opens that room, a bad name is refused on the spot',
  'media blocked: when no ICE path to the server works, the no-audio-and-video screen names the UDP port',
  'chat: A sends a message in the chat panel (a text stream on lk.chat), B sees it with A\'s name',
  'reactions: B sends a thumbs up (Meet\'s reactionReceived publishData), A sees it with B\'s name',
];
const { report, reportMissing, done } = caseReporter(PLAN, T(250000));

const logs = {};
let shotNo = 0;
let browser;
let deniedBrowser;

async function shot(page, name) {
  shotNo += 1;
  const file = path.join(OUT, `${String(shotNo).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file }).catch(() => {});
}

// Fault injection: every RTCPeerConnection of the page gathers relay
// candidates only (and there is no TURN server), so no ICE pair can form.
const RELAY_ONLY = `(() => {
  const O = window.RTCPeerConnection;
  const relay = (cfg) => ({ ...(cfg || {}), iceTransportPolicy: 'relay' });
  const set = O.prototype.setConfiguration;
  O.prototype.setConfiguration = function (cfg) { return set.call(this, relay(cfg)); };
  window.RTCPeerConnection = function (cfg, ...rest) { return new O(relay(cfg), ...rest); };
  window.RTCPeerConnection.prototype = O.prototype;
  Object.setPrototypeOf(window.RTCPeerConnection, O);
})();`;

async function newPage(name, { b = browser, https = false, initScripts = [] } = {}) {
  const ctx = await b.newContext({
    viewport: { width: 1100, height: 720 },
    ignoreHTTPSErrors: https,
  });
  for (const s of initScripts) await ctx.addInitScript(s);
  await ctx.addInitScript(PC_RECORDER);
  const page = await ctx.newPage();
  page.setDefaultTimeout(T(15000));
  logs[name] = [];
  page.on('console', (m) => logs[name].push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => logs[name].push(`[pageerror] ${e.message}`));
  page.on('websocket', (ws) => logs[name].push(`[websocket] ${ws.url().replace(/\?.*/, '?...')}`));
  return page;
}

const byId = (page, id) => page.getByTestId(id);

// the remote camera tile of the participant called `name`
const tileOf = (page, name, source = 'camera') =>
  page.locator(`[data-testid="tile"][data-local="false"][data-source="${source}"][data-name="${name}"]`);

async function until(fn, ms, step = 250) {
  const end = Date.now() + ms;
  let v;
  while (Date.now() < end) {
    v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, step));
  }
  return v;
}

// frames decoded, summed over the page's inbound video streams
async function framesDecoded(page) {
  return page.evaluate(async () => {
    let n = 0;
    for (const pc of window.__pcs || []) {
      const st = await pc.getStats();
      st.forEach((r) => { if (r.type === 'inbound-rtp' && r.kind === 'video') n += r.framesDecoded || 0; });
    }
    return n;
  });
}

// true when framesDecoded grows by more than 5 within `ms`, after being > 0
async function decodingRises(page, ms) {
  const end = Date.now() + ms;
  let first = 0;
  while (Date.now() < end) {
    const n = await framesDecoded(page);
    if (!first && n > 0) first = n;
    else if (first && n > first + 5) return { ok: true, first, now: n };
    await new Promise((r) => setTimeout(r, 300));
  }
  return { ok: false, first, now: await framesDecoded(page) };
}

// the video of a tile is playing: dimensions known and frames advancing
async function tilePlays(tile, ms) {
  const v = tile.getByTestId('tile-video');
  const sample = () => v.evaluate((el) => ({
    w: el.videoWidth, visible: !el.hidden && el.offsetWidth > 0,
    frames: el.getVideoPlaybackQuality ? el.getVideoPlaybackQuality().totalVideoFrames : 0,
  })).catch(() => ({ w: 0, visible: false, frames: 0 }));
  const a = await until(async () => { const s = await sample(); return s.w > 0 && s.visible && s.frames > 0 ? s : null; }, ms);
  if (!a) return { ok: false, ...(await sample()) };
  const b = await until(async () => { const s = await sample(); return s.frames > a.frames + 3 ? s : null; }, ms);
  return { ok: !!b, before: a, after: b || await sample() };
}

async function prejoinReady(page) {
  await byId(page, 'prejoin-screen').waitFor();
}

async function joinAs(page, name) {
  await byId(page, 'prejoin-name').fill(name);
  await byId(page, 'prejoin-join').click();
}

async function errorKind(page, ms) {
  return until(() => page.locator('[data-testid="error-screen"]').getAttribute('data-error', { timeout: 500 })
    .catch(() => null), ms);
}

// opens the pre-join screen at url, joins as `person`, and waits for an
// error screen: its kind (data-error) and its whole text
async function joinForError(page, url, person, ms) {
  await page.goto(url);
  await prejoinReady(page);
  await joinAs(page, person);
  const kind = await errorKind(page, ms);
  const text = await byId(page, 'error-screen').textContent().catch(() => '');
  return { kind, text };
}

try {
  browser = await launch({ timeout: T(20000) });

  // ------------------------------------------------ create, copy, join
  const a = await newPage('A');
  await a.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
  await a.goto(`${BASE}/`);
  await byId(a, 'home-screen').waitFor();
  await shot(a, 'A-home');
  await byId(a, 'home-create').click();
  await prejoinReady(a);
  const slug = new URL(a.url()).pathname.slice(1);
  const shown = await byId(a, 'prejoin-room').textContent();
  report(0, /^[a-z]{3}-[a-z]{4}-[a-z]{3}$/.test(slug) && shown === slug, `url ${a.url()}, shown "${shown}"`);

  const preview = await until(() => byId(a, 'prejoin-video').evaluate((v) => v.videoWidth > 0 && !v.hidden && !v.paused), T(8000));
  const cams = await byId(a, 'prejoin-camera-select').locator('option').count();
  const mics = await byId(a, 'prejoin-mic-select').locator('option').count();
  await shot(a, 'A-prejoin');
  report(1, preview && cams > 0 && mics > 0, `preview playing ${preview}, cameras ${cams}, microphones ${mics}`);

  await byId(a, 'copy-link').click();
  const clip = await until(() => a.evaluate(() => navigator.clipboard.readText()).catch(() => ''), T(3000));
  report(2, clip === `${BASE}/${slug}`, `clipboard "${clip}"`);

  const b = await newPage('B');
  await b.goto(clip || `${BASE}/${slug}`);
  await prejoinReady(b);
  const shownB = await byId(b, 'prejoin-room').textContent();
  await shot(b, 'B-prejoin-by-link');
  report(3, shownB === slug, `B sees room "${shownB}"`);

  await joinAs(a, 'Alice Martin');
  await byId(a, 'room-screen').waitFor({ timeout: T(20000) });
  await joinAs(b, 'Bob');
  await byId(b, 'room-screen').waitFor({ timeout: T(20000) });
  report(4, true);

  // ------------------------------------------------------ see, decode
  const bTileOnA = tileOf(a, 'Bob');
  const aTileOnB = tileOf(b, 'Alice Martin');
  const seen = await Promise.all([
    bTileOnA.waitFor({ timeout: T(10000) }).then(() => true, () => false),
    aTileOnB.waitFor({ timeout: T(10000) }).then(() => true, () => false),
  ]);
  const labelA = seen[0] ? await bTileOnA.getByTestId('tile-name').textContent() : null;
  report(5, seen[0] && seen[1] && labelA === 'Bob', `A sees B ${seen[0]} (label "${labelA}"), B sees A ${seen[1]}`);

  const decA = await decodingRises(a, T(15000));
  const playA = await tilePlays(bTileOnA, T(8000));
  await shot(a, 'A-room-with-B');
  report(6, decA.ok && playA.ok, JSON.stringify({ decA, playA }));
  const decB = await decodingRises(b, T(15000));
  const playB = await tilePlays(aTileOnB, T(8000));
  await shot(b, 'B-room-with-A');
  report(7, decB.ok && playB.ok, JSON.stringify({ decB, playB }));

  // Chromium's fake microphone beeps: B's tile lights up on A now and then
  // (a MutationObserver catches a highlight shorter than any poll interval)
  await bTileOnA.evaluate((el) => {
    window.__spoke = el.dataset.speaking === 'true';
    new MutationObserver(() => { if (el.dataset.speaking === 'true') window.__spoke = true; })
      .observe(el, { attributes: true, attributeFilter: ['data-speaking'] });
  });
  const spoke = await until(() => a.evaluate(() => window.__spoke === true), T(8000), 100);
  if (spoke) await shot(a, 'A-sees-B-speaking');
  const audioIn = spoke ? null : await a.evaluate(async () => {
    const out = [];
    for (const pc of window.__pcs || []) {
      const st = await pc.getStats();
      st.forEach((r) => { if (r.type === 'inbound-rtp' && r.kind === 'audio') out.push({ packets: r.packetsReceived, level: r.audioLevel }); });
    }
    return { inbound: out, tiles: [...document.querySelectorAll('[data-testid=tile]')].map((t) => ({ ...t.dataset })),
      audio: [...document.querySelectorAll('audio')].map((e) => ({ paused: e.paused, ready: e.readyState })) };
  });
  report(8, !!spoke, `no speaking highlight on B's tile within 8 s: ${JSON.stringify(audioIn)}`);

  // ------------------------------------------------- camera off and on
  await byId(b, 'toggle-camera').click();
  const avatar = await until(async () => (await bTileOnA.getAttribute('data-video')) === 'off'
    && await bTileOnA.getByTestId('tile-avatar').isVisible()
    && !(await bTileOnA.getByTestId('tile-video').isVisible()), T(8000));
  const bState = await byId(b, 'toggle-camera').getAttribute('data-state');
  await shot(a, 'A-sees-B-camera-off');
  await shot(b, 'B-camera-off');
  report(9, !!avatar && bState === 'off', `avatar on A ${avatar}, B's button ${bState}`);

  await byId(b, 'toggle-camera').click();
  const back = await until(async () => (await bTileOnA.getAttribute('data-video')) === 'on', T(8000));
  const playAgain = back ? await tilePlays(bTileOnA, T(8000)) : { ok: false };
  await shot(a, 'A-sees-B-camera-on');
  report(10, !!back && playAgain.ok, JSON.stringify({ back, playAgain }));

  // ----------------------------------------------------- microphone
  await byId(a, 'toggle-mic').click();
  const mutedOnB = await until(() => aTileOnB.getByTestId('tile-muted').isVisible(), T(8000));
  await shot(b, 'B-sees-A-muted');
  await byId(a, 'toggle-mic').click();
  const unmutedOnB = await until(async () => !(await aTileOnB.getByTestId('tile-muted').isVisible()), T(8000));
  report(11, !!mutedOnB && !!unmutedOnB, `muted icon shown ${mutedOnB}, gone after unmute ${unmutedOnB}`);

  // --------------------------------------------------- screen share
  await byId(a, 'toggle-screen').click();
  const screenOnB = tileOf(b, 'Alice Martin', 'screen');
  const hasScreen = await screenOnB.waitFor({ timeout: T(10000) }).then(() => true, () => false);
  const playScreen = hasScreen ? await tilePlays(screenOnB, T(10000)) : { ok: false };
  await shot(b, 'B-sees-A-screen');
  await byId(a, 'toggle-screen').click();
  const screenGone = await screenOnB.waitFor({ state: 'detached', timeout: T(8000) }).then(() => true, () => false);
  report(12, hasScreen && playScreen.ok && screenGone, JSON.stringify({ hasScreen, playScreen, screenGone }));

  // ------------------------------------------- chat and reactions (data)
  await byId(a, 'toggle-chat').click();
  await byId(a, 'chat-input').fill('hello from Alice');
  await byId(a, 'chat-send').click();
  await byId(b, 'toggle-chat').click();
  const bMsg = b.locator('[data-testid="chat-message"][data-from="Alice Martin"]');
  const chatText = await bMsg.first().textContent({ timeout: T(10000) }).catch(() => null);
  await shot(b, 'B-sees-A-chat');
  report(21, /hello from Alice/.test(chatText || ''), `B's message list: ${chatText}`);
  await byId(b, 'react-thumbs-up').click();
  const aReact = a.locator('[data-testid="reaction"][data-emoji="thumbs-up"][data-from="Bob"]');
  const reacted = await aReact.first().waitFor({ timeout: T(8000) }).then(() => true, () => false);
  await shot(a, 'A-sees-B-reaction');
  report(22, reacted, 'no thumbs up from Bob on A\'s page within 8 s');

  // ------------------------------------------------ TLS on 443, wss
  const c = await newPage('C', { https: true });
  await c.goto(`${BASE_TLS}/${slug}`);
  await prejoinReady(c);
  await joinAs(c, 'Carol');
  const cIn = await byId(c, 'room-screen').waitFor({ timeout: T(20000) }).then(() => true, () => false);
  const wss = logs.C.filter((l) => l.startsWith('[websocket]'));
  const aTileOnC = tileOf(c, 'Alice Martin');
  const cSeesA = cIn && await aTileOnC.waitFor({ timeout: T(10000) }).then(() => true, () => false);
  const decC = cSeesA ? await decodingRises(c, T(15000)) : { ok: false };
  await shot(c, 'C-over-TLS');
  report(13, cIn && cSeesA && decC.ok
    && wss.length > 0 && wss.every((u) => u.startsWith(`[websocket] wss://${HOST}/rtc`)),
  JSON.stringify({ cIn, cSeesA, decC, wss }));
  if (cIn) await byId(c, 'leave').click().catch(() => {});

  // ------------------------------------------------------------ leave
  await byId(b, 'leave').click();
  const left = await byId(b, 'left-screen').waitFor({ timeout: T(8000) }).then(() => true, () => false);
  const gone = await bTileOnA.waitFor({ state: 'detached', timeout: T(10000) }).then(() => true, () => false);
  await shot(b, 'B-left');
  await shot(a, 'A-after-B-left');
  report(14, left && gone, `B's left screen ${left}, B's tile gone on A ${gone}`);
  await byId(a, 'leave').click().catch(() => {});

  // ------------------------------------------------- camera denied
  // a browser without --use-fake-ui-for-media-stream: headless Chromium
  // then refuses camera and microphone, as a person clicking "Block" does
  deniedBrowser = await chromium.launch({
    executablePath: CHROMIUM, headless: true, timeout: T(20000),
    args: chromeArgs().filter((x) => x !== '--use-fake-ui-for-media-stream')
      .concat('--deny-permission-prompts'),
  });
  const d = await newPage('D', { b: deniedBrowser });
  await d.goto(`${BASE}/${uniq('denied')}`);
  const denied = await errorKind(d, T(10000));
  await shot(d, 'D-camera-denied');
  let without = false;
  if (denied === 'media-denied') {
    await byId(d, 'error-without-media').click();
    without = await byId(d, 'prejoin-screen').waitFor({ timeout: T(5000) }).then(() => true, () => false)
      && (await byId(d, 'prejoin-toggle-camera').getAttribute('data-state')) === 'off';
    await shot(d, 'D-prejoin-without-media');
  }
  report(15, denied === 'media-denied' && without, `error screen "${denied}", pre-join without media ${without}`);

  // --------------------------------------------- server unreachable
  const e = await newPage('E');
  await e.goto(`${BASE}/${uniq('offline')}`);
  await prejoinReady(e);
  await byId(e, 'prejoin-name').fill('Eve');
  await e.context().setOffline(true);
  await byId(e, 'prejoin-join').click();
  const unreachable = await errorKind(e, T(15000));
  await shot(e, 'E-unreachable');
  await e.context().setOffline(false);
  report(16, unreachable === 'unreachable', `error screen "${unreachable}"`);

  // ------------------------------------------------- token refused
  const f = await newPage('F');
  const refused = await joinForError(f, `${BASE_OFF}/${uniq('private')}`, 'Frank', T(10000));
  await shot(f, 'F-token-refused');
  report(17, refused.kind === 'token-refused' && /HTTP 403/.test(refused.text), JSON.stringify(refused));

  // ---------------------------------------------------------- room full
  const fullRoom = uniq('full');
  const g1 = await newPage('G1');
  await g1.goto(`${BASE_FULL}/${fullRoom}`);
  await prejoinReady(g1);
  await joinAs(g1, 'Grace');
  const g1In = await byId(g1, 'room-screen').waitFor({ timeout: T(20000) }).then(() => true, () => false);
  const g2 = await newPage('G2');
  const full = await joinForError(g2, `${BASE_FULL}/${fullRoom}`, 'Gus', T(20000));
  await shot(g2, 'G2-room-full');
  report(18, g1In && full.kind === 'room-full', `first in ${g1In}, second: ${JSON.stringify(full)}`);
  await byId(g1, 'leave').click().catch(() => {});

  // ---------------------------------------------------- home: by name
  const h = await newPage('H');
  await h.goto(`${BASE}/`);
  await byId(h, 'home-join-input').fill('Not A Room!');
  await byId(h, 'home-join-submit').click();
  const refusedName = await byId(h, 'home-join-error').isVisible();
  await shot(h, 'H-bad-name');
  await byId(h, 'home-join-input').fill('Team Standup');
  await byId(h, 'home-join-submit').click();
  await prejoinReady(h);
  const typed = await byId(h, 'prejoin-room').textContent();
  await shot(h, 'H-joined-by-name');
  report(19, refusedName && typed === 'team-standup' && new URL(h.url()).pathname === '/team-standup',
    `bad name refused ${refusedName}, room "${typed}", url ${h.url()}`);

  // ------------------------------------------------ media path blocked
  // signaling works, but the page may use no direct path (as behind a
  // firewall that lets only HTTPS out): its peer connections are forced to
  // relay-only ICE and there is no relay, so livekit-client gives up after
  // its peer connection timeout (15 s)
  const k = await newPage('K', { initScripts: [RELAY_ONLY] });
  const noMedia = await joinForError(k, `${BASE}/${uniq('no-udp')}`, 'Kim', T(40000));
  await shot(k, 'K-media-blocked');
  report(20, noMedia.kind === 'media-blocked' && /UDP/.test(noMedia.text), JSON.stringify(noMedia));
} catch (err) {
  console.error('browser-webapp: ' + (err && err.stack || err));
  reportMissing(String(err && err.message || err));
} finally {
  try {
    for (const [k, v] of Object.entries(logs)) writeFileSync(path.join(OUT, `${k}.console.log`), v.join('\n') + '\n');
  } catch { /* best effort */ }
  if (browser) await browser.close().catch(() => {});
  if (deniedBrowser) await deniedBrowser.close().catch(() => {});
  done();
}
process.exit(0);
