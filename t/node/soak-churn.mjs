// Churn soak (issue 16): native LiveKit participants (@livekit/rtc-node,
// libwebrtc through LiveKit's Rust SDK) join ngx_meet, publish a microphone
// (a sine, AudioSource) and a small camera (I420 frames, VideoSource),
// subscribe to each other, stay a few seconds, leave, and others take their
// places, in cycles across a few rooms.  At each quiet point (every
// participant of the cycle gone, /healthz showing no room, participant or
// media session) it samples the nginx worker: VmRSS from /proc/PID/status
// and the number of open files in /proc/PID/fd.
//
//   MEET_URL=ws://127.0.0.1:PORT MEET_WORKER_PID=<pid> node soak-churn.mjs
//
// Environment (defaults in brackets):
//   MEET_URL          the server, ws:// on 127.0.0.1 (required)
//   MEET_WORKER_PID   the nginx worker to sample (required)
//   SOAK_ROOMS        rooms [3]
//   SOAK_PER_ROOM     participants in a room at a time [3]
//   SOAK_TURNS        participants taking one place in turn per cycle [2]
//   SOAK_STAY_MS      how long one stays, "min-max" ms [2000-5000]
//   SOAK_CYCLES       at most this many cycles [1000000]
//   SOAK_SECONDS      no new cycle after this many seconds [60]
//   SOAK_FPS          video frames a second [15]
//   SOAK_SIMULCAST    0: publish the camera without simulcast [1]
//   SOAK_IDENTITIES   "reuse": a place's participants share one identity
//                     (p-<room>-<place>), else each join has its own [fresh]
//   SOAK_QUIET_MS     the longest wait for a quiet point [30000]
//   MEET_CASES=1      also speak Test::Meet::Node's protocol (MEET-PLAN,
//                     MEET-CASE, MEET-INFO) for t/soak/10-churn.t
//
// Output: one JSON line per event: {"event":"sample", cycle, joins, rss_kb,
// fds, heap, arena, busy_rss_kb, busy_arena, busy_participants, quiet_ms,
// t}, then {"event":"done", ...totals, summary}.  heap is the bytes the
// worker's malloc has in use (its arena and mmap()ed chunks), arena the
// arena's size, from /healthz with meet_test_heap (the tests' build:
// components.heap), else null; busy_* the highest values seen during the
// cycle (every 500 ms).  Only the server of
// MEET_URL is contacted (loopback); every wait is bounded.

import { readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import {
  Room, RoomEvent, AudioSource, AudioFrame, LocalAudioTrack, VideoSource,
  VideoFrame, VideoBufferType, LocalVideoTrack, TrackPublishOptions,
  TrackSource, TrackKind, VideoStream, dispose,
} from '@livekit/rtc-node';
import { AccessToken } from 'livekit-server-sdk';
import WebSocket from 'ws';
import { SignalResponse } from '@livekit/protocol';

const env = process.env;

// the figures of bench/README.md: from the end of the warm-up (SOAK_WARMUP
// cycles, default 2) to the last quiet point; slopes by least squares
function summary(start, samples) {
  const warm = Math.min(Number(process.env.SOAK_WARMUP || 2), samples.length) - 1;
  const s = samples.slice(Math.max(warm, 0));
  if (s.length < 2) return null;
  const fit = (key, x) => {
    const pts = s.filter((p) => p[key] != null);
    if (pts.length < 2) return null;
    const mx = pts.reduce((a, p) => a + p[x], 0) / pts.length;
    const my = pts.reduce((a, p) => a + p[key], 0) / pts.length;
    let num = 0, den = 0;
    for (const p of pts) { num += (p[x] - mx) * (p[key] - my); den += (p[x] - mx) ** 2; }
    return den ? num / den : null;
  };
  const a = s[0], b = s[s.length - 1];
  const rssPerJoin = fit('rss_kb', 'joins');
  const rssPerHour = fit('rss_kb', 't');
  const heapPerJoin = fit('heap', 'joins');
  return {
    joins_after_warmup: b.joins - a.joins,
    rss_kb: { start: a.rss_kb, end: b.rss_kb,
              min: Math.min(...s.map((p) => p.rss_kb)), max: Math.max(...s.map((p) => p.rss_kb)),
              growth_pct: +(100 * (b.rss_kb - a.rss_kb) / a.rss_kb).toFixed(2),
              bytes_per_join: rssPerJoin == null ? null : Math.round(rssPerJoin * 1024),
              kb_per_hour: rssPerHour == null ? null : Math.round(rssPerHour * 3600) },
    fds: { before: start.fds, start: a.fds, end: b.fds, max: Math.max(...s.map((p) => p.fds)) },
    heap: a.heap == null ? null : { start: a.heap, end: b.heap,
            bytes_per_join: heapPerJoin == null ? null : +heapPerJoin.toFixed(1) },
  };
}


// node soak-churn.mjs --summary FILE: the summary of the JSON lines of one
// or more runs (bench/soak.sh starts the driver again if it dies)
if (process.argv[2] === '--summary') {
  const lines = readFileSync(process.argv[3], 'utf8').split('\n')
    .filter((l) => l.startsWith('{')).map((l) => { try { return JSON.parse(l); } catch { return {}; } });
  const start = lines.find((l) => l.event === 'start') || {};
  const samples = lines.filter((l) => l.event === 'sample');
  const runs = lines.filter((l) => l.event === 'start').length;
  console.log(JSON.stringify({ runs, cycles: samples.length,
    joins: samples.length ? samples[samples.length - 1].joins : 0,
    minutes: samples.length ? +(samples[samples.length - 1].t / 60).toFixed(1) : 0,
    ...summary(start, samples) }));
  process.exit(0);
}

const url = env.MEET_URL;
const workerPid = parseInt(env.MEET_WORKER_PID || '', 10);
if (!url || !/^wss?:\/\/127\.0\.0\.1:\d+$/.test(url) || !workerPid) {
  console.error('MEET_URL=ws://127.0.0.1:PORT and MEET_WORKER_PID are required');
  process.exit(2);
}
const httpPort = parseInt(url.split(':')[2], 10);
const num = (v, d) => (v === undefined || v === '' ? d : Number(v));
const ROOMS = num(env.SOAK_ROOMS, 3);
const PER_ROOM = num(env.SOAK_PER_ROOM, 3);
const TURNS = num(env.SOAK_TURNS, 2);
const [STAY_MIN, STAY_MAX] = (env.SOAK_STAY_MS || '2000-5000').split('-').map(Number);
const MAX_CYCLES = num(env.SOAK_CYCLES, 1000000);
const SECONDS = num(env.SOAK_SECONDS, 60);
const FPS = num(env.SOAK_FPS, 15);
const FACTOR = num(env.MEET_TIMEOUT_FACTOR, 1) || 1;
const QUIET_MS = num(env.SOAK_QUIET_MS, 30000) * FACTOR;
const CASES = env.MEET_CASES === '1';
const SIMULCAST = env.SOAK_SIMULCAST !== '0';
const REUSE = env.SOAK_IDENTITIES === 'reuse';

const W = 320, H = 180, RATE = 48000, FRAME = 480;   // 10 ms of audio

// a run that continues another (bench/soak.sh): its counts and clock go on
const t0 = Number(env.SOAK_T0 || Date.now());
const BASE_JOINS = num(env.SOAK_BASE_JOINS, 0), BASE_CYCLES = num(env.SOAK_BASE_CYCLES, 0);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const out = (o) => console.log(JSON.stringify({ ...o, t: (Date.now() - t0) / 1000 }));

// ---- the worker, from /proc

function sample() {
  let rss = null, fds = null;
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${workerPid}/status`, 'utf8'));
    rss = m ? Number(m[1]) : null;
    fds = readdirSync(`/proc/${workerPid}/fd`).length;
  } catch (e) { /* gone: reported as null */ }
  return { rss_kb: rss, fds };
}

function health() {
  return new Promise((resolve) => {
    // no keepalive: the sample must not count our own connection
    const req = http.get({ host: '127.0.0.1', port: httpPort, path: '/healthz',
                           agent: false, headers: { Connection: 'close' },
                           timeout: 5000 * FACTOR }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => { try { resolve(JSON.parse(body)); } catch { resolve(null); } });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
  });
}

// quiet: no room, participant or media session left in the worker
async function quiet() {
  const start = Date.now();
  let h = null;
  while (Date.now() - start < QUIET_MS) {
    h = await health();
    const c = h && h.components;
    if (c && c.signal && c.signal.rooms === 0 && c.signal.participants === 0
        && c.media && c.media.sessions === 0) {
      return { ok: true, ms: Date.now() - start,
               heap: c.heap ? c.heap.in_use + c.heap.mmap : null,
               arena: c.heap ? c.heap.arena : null };
    }
    await sleep(250);
  }
  return { ok: false, ms: Date.now() - start, health: h && h.components };
}

// ---- one participant

const stats = { joins: 0, join_failures: 0, published: 0, subscribed: 0,
                video_frames_seen: 0, evicted: 0, errors: [] };
let serial = 0;

function note(err) {
  const msg = String(err && err.message || err);
  if (stats.errors.length < 20) stats.errors.push(msg);
  out({ event: 'error', error: msg });
}

async function token(identity, room) {
  const at = new AccessToken(env.MEET_API_KEY || 'devkey',
                             env.MEET_API_SECRET || 'secret', { identity, name: identity });
  at.addGrant({ roomJoin: true, room, canPublish: true, canSubscribe: true });
  return at.toJwt();
}

function withTimeout(p, ms, what) {
  let timer;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`${what}: timed out after ${ms} ms`)), ms); }),
  ]);
}

// one I420 frame, a grey level moving with n (the encoder has something to do)
function i420(n) {
  const buf = new Uint8Array(W * H * 3 / 2);
  buf.fill((n * 7) & 0xff, 0, W * H);
  buf.fill(128, W * H);
  for (let y = 0; y < H; y += 4) buf[y * W + (n % W)] = 255;
  return buf;
}

async function participant(roomName, identity, stayMs) {
  const room = new Room();
  const timers = [];
  let audio, video, running = true;
  let reader = null;

  room.on(RoomEvent.TrackSubscribed, (track) => {
    stats.subscribed++;
    if (track.kind === TrackKind.KIND_VIDEO && !reader) {
      // one decoded frame of the first video it gets: media went through
      // ngx_meet (one stream a participant: rtc-node's native video
      // streams are what its rare crashes came near)
      reader = track.sid;
      const vs = new VideoStream(track);
      (async () => {
        const it = vs[Symbol.asyncIterator]();
        try {
          const r = await it.next();
          if (!r.done) stats.video_frames_seen++;
        } catch { /* ended */ }
        try { await it.return(); } catch { /* ended */ }
      })();
    }
  });

  try {
    await withTimeout(room.connect(url, await token(identity, roomName),
                                   { autoSubscribe: true, dynacast: true }),
                      15000 * FACTOR, 'connect');
    stats.joins++;

    audio = new AudioSource(RATE, 1);
    const at = LocalAudioTrack.createAudioTrack('microphone', audio);
    const ao = new TrackPublishOptions();
    ao.source = TrackSource.SOURCE_MICROPHONE;

    video = new VideoSource(W, H);
    const vt = LocalVideoTrack.createVideoTrack('camera', video);
    const vo = new TrackPublishOptions();
    vo.source = TrackSource.SOURCE_CAMERA;
    vo.simulcast = SIMULCAST;

    await withTimeout(room.localParticipant.publishTrack(at, ao), 10000 * FACTOR, 'publish audio');
    await withTimeout(room.localParticipant.publishTrack(vt, vo), 10000 * FACTOR, 'publish video');
    stats.published++;

    // a 440 Hz sine, 10 ms a frame, paced by captureFrame's queue
    (async () => {
      const pcm = new Int16Array(FRAME);
      let phase = 0;
      while (running) {
        for (let i = 0; i < FRAME; i++) {
          pcm[i] = Math.round(8000 * Math.sin(phase));
          phase += 2 * Math.PI * 440 / RATE;
        }
        try { await audio.captureFrame(new AudioFrame(pcm, RATE, 1, FRAME)); }
        catch { break; }
      }
    })();

    let n = 0;
    timers.push(setInterval(() => {
      if (!running) return;
      try { video.captureFrame(new VideoFrame(i420(n++), W, H, VideoBufferType.I420)); }
      catch { /* closed */ }
    }, Math.round(1000 / FPS)));

    await sleep(stayMs);
  } catch (e) {
    stats.join_failures++;
    note(`${identity}: ${e && e.message || e}`);
  } finally {
    running = false;
    for (const t of timers) clearInterval(t);
    try { await withTimeout(room.disconnect(), 10000 * FACTOR, 'disconnect'); }
    catch (e) {
      note(`${identity}: ${e.message}`);
      await evict(roomName, identity);
    }
    try { if (audio) await audio.close(); } catch { /* gone */ }
    try { if (video) await video.close(); } catch { /* gone */ }
  }
}

// A participant whose disconnect() never ends (rtc-node, rarely: a
// publication that timed out) would stay in its room, its WebSocket open
// and pinging, and no quiet point would come again.  The server's rule for
// a duplicate identity ends it: a plain signaling join with the same
// identity takes its place, then leaves.
async function evict(roomName, identity) {
  const tok = await token(identity, roomName);
  const ws = new WebSocket(`${url}/rtc/v1?access_token=${tok}&join_request=EgA%3D`);
  const joined = await new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), 10000 * FACTOR);
    const end = (v) => { clearTimeout(timer); resolve(v); };
    ws.on('message', (d) => {
      try {
        if (SignalResponse.fromBinary(new Uint8Array(d)).message.case === 'join') end(true);
      } catch { /* not ours to judge */ }
    });
    ws.on('close', () => end(false));
    ws.on('error', () => end(false));
  });
  if (joined) stats.evicted++;
  note(`${identity}: ${joined ? 'evicted by a join with its identity' : 'could not be evicted'}`);
  try { ws.close(1000); } catch { /* gone */ }
  await sleep(500);
  try { ws.terminate(); } catch { /* gone */ }
}

// ---- cycles

const stay = () => STAY_MIN + Math.floor(Math.random() * (STAY_MAX - STAY_MIN + 1));

async function place(cycle, r, s) {
  // the places of a room start a little apart, as people do
  await sleep(s * 300 + Math.floor(Math.random() * 300));
  for (let k = 0; k < TURNS; k++) {
    await participant(`soak-${r}`, REUSE ? `p-${r}-${s}` : `p-${cycle}-${r}-${s}-${k}-${serial++}`,
                      stay());
  }
}

const samples = [];
const start = sample();
out({ event: 'start', ...start, rooms: ROOMS, per_room: PER_ROOM, turns: TURNS });

let cycle = BASE_CYCLES, quietFailures = 0;
{
  const q = await quiet();
  start.heap = q.heap ?? null;
  start.arena = q.arena ?? null;
}
while (cycle - BASE_CYCLES < MAX_CYCLES && (Date.now() - t0) / 1000 < SECONDS) {
  const places = [];
  for (let r = 0; r < ROOMS; r++) {
    for (let s = 0; s < PER_ROOM; s++) places.push(place(cycle, r, s));
  }
  // busy: the worker's peak during the cycle, sampled while places are
  // taken (every 500 ms; a sample of a cycle that ended is not taken)
  let busy = { rss_kb: 0, arena: 0, participants: 0 }, ended = false;
  const watch = (async () => {
    while (!ended) {
      await sleep(500);
      const h = !ended && await health();
      const c = h && h.components;
      if (!c || ended) continue;
      const p = sample();
      busy = { rss_kb: Math.max(busy.rss_kb, p.rss_kb || 0),
               arena: Math.max(busy.arena, c.heap ? c.heap.arena : 0),
               participants: Math.max(busy.participants, c.signal ? c.signal.participants : 0) };
    }
  })();
  await Promise.all(places);
  ended = true;
  await watch;
  cycle++;
  const q = await quiet();
  if (!q.ok) {
    quietFailures++;
    note(`cycle ${cycle}: no quiet point after ${q.ms} ms: ${JSON.stringify(q.health)}`);
  }
  await sleep(500);    // the worker's posted events and timers settle
  const proc = sample();
  const h = q.ok ? await quiet() : q;    // the heap after that
  const s = { cycle, joins: BASE_JOINS + stats.joins, quiet_ms: q.ms, ...proc,
              heap: h.heap ?? null, arena: h.arena ?? null,
              busy_rss_kb: busy.rss_kb, busy_arena: busy.arena || null,
              busy_participants: busy.participants };
  samples.push(s);
  out({ event: 'sample', ...s });
}

const done = { event: 'done', cycles: cycle, seconds: (Date.now() - t0) / 1000,
               quiet_failures: quietFailures, ...stats, start, samples };
out({ ...done, samples: undefined, summary: summary(start, samples) });

if (CASES) {
  // rtc-node itself, rarely (about one publication in a thousand in our
  // runs), never completes a camera publication: up to 2 % of the
  // participants may fail that way; each failure is listed
  const attempts = stats.published + stats.join_failures;
  const allowed = Math.max(1, Math.floor(attempts * 0.02));
  const cases = [
    ['participants joined and published audio and video (rtc-node: 2 % may fail)',
     stats.published > 0 && stats.join_failures <= allowed,
     `${stats.published} of ${attempts} published, ${stats.join_failures} failed `
     + `(${allowed} allowed), ${stats.evicted} evicted: ${stats.errors.join('; ')}`],
    ['participants received each other\'s video', stats.video_frames_seen > 0,
     `${stats.video_frames_seen} first frames, ${stats.subscribed} subscriptions`],
    ['every cycle ended at a quiet point', quietFailures === 0 && cycle > 0,
     `${quietFailures} of ${cycle} without: ${stats.errors.join('; ')}`],
  ];
  console.log(`MEET-PLAN ${cases.length}`);
  for (const [name, ok, diag] of cases) {
    console.log(`MEET-CASE ${JSON.stringify({ name, ok: !!ok, diag })}`);
  }
  console.log(`MEET-INFO ${JSON.stringify({ start, samples, cycles: cycle, joins: stats.joins })}`);
}

await dispose();
process.exit(0);
