// Idle WebSocket participants for bench/run-ws-idle.sh: opens N LiveKit
// signaling connections to ngx_meet (rooms of ROOM_SIZE), keeps them alive
// with the client's 5 s ping, and prints a JSON line when all are joined.
// Only talks to the URL it is given (127.0.0.1).
import WebSocket from 'ws';
import { AccessToken } from 'livekit-server-sdk';
import { SignalRequest, SignalResponse, JoinRequest, WrappedJoinRequest,
         WrappedJoinRequest_Compression, SessionDescription } from '@livekit/protocol';
import { readFileSync } from 'fs';
import { gzipSync } from 'zlib';

const url = process.argv[2];
const n = parseInt(process.argv[3] || '1000', 10);
const roomSize = parseInt(process.env.ROOM_SIZE || '10', 10);
const holdMs = parseInt(process.env.HOLD_MS || '8000', 10);
// what livekit-client 2.21 sends: a gzipped JoinRequest with the
// browser's first offer (3 audio + 3 video recvonly slots, data channel),
// base64url with "=" escaped: about 2.5 KB of URL
const offer = readFileSync(new URL('../t/unit/fixtures/chromium-join-offer.sdp', import.meta.url), 'utf8');
const jr = new JoinRequest({ publisherOffer: new SessionDescription({ type: 'offer', sdp: offer, id: 1 }) });
const wrapped = new WrappedJoinRequest({ compression: WrappedJoinRequest_Compression.GZIP,
                                         joinRequest: gzipSync(jr.toBinary()) });
// OFFER=0: an empty JoinRequest instead (a short URL, no SDP work)
const joinReq = process.env.OFFER === '0' ? 'EgA%3D'
  : Buffer.from(wrapped.toBinary()).toString('base64')
      .replace(/\+/g, '-').replace(/\//g, '_').replace(/=/g, '%3D');

async function token(i) {
  const at = new AccessToken('devkey', 'secret', { identity: `p${i}` });
  at.addGrant({ roomJoin: true, room: `bench-${Math.floor(i / roomSize)}` });
  return at.toJwt();
}

const sockets = [];
let joined = 0, failed = 0;
const t0 = Date.now();
const joinTimes = [];

function open(i, tok) {
  return new Promise((resolve) => {
    const start = Date.now();
    const ws = new WebSocket(`${url}/rtc/v1?access_token=${tok}&join_request=${joinReq}`);
    let done = false;
    ws.on('message', (d) => {
      if (done) return;
      const r = SignalResponse.fromBinary(new Uint8Array(d));
      if (r.message.case === 'join') {
        done = true; joined++; joinTimes.push(Date.now() - start); resolve();
      }
    });
    ws.on('error', () => { if (!done) { done = true; failed++; resolve(); } });
    ws.on('close', () => { if (!done) { done = true; failed++; resolve(); } });
    sockets.push(ws);
  });
}

const tokens = await Promise.all(Array.from({ length: n }, (_, i) => token(i)));
// open in batches so the accept queue is not the thing measured
for (let i = 0; i < n; i += 200) {
  await Promise.all(tokens.slice(i, i + 200).map((t, k) => open(i + k, t)));
}
const ping = setInterval(() => {
  const msg = new SignalRequest({ message: { case: 'ping', value: BigInt(Date.now()) } }).toBinary();
  for (const ws of sockets) if (ws.readyState === 1) ws.send(msg);
}, 5000);
joinTimes.sort((a, b) => a - b);
const q = (p) => joinTimes[Math.min(joinTimes.length - 1, Math.floor(p * joinTimes.length))] || 0;
console.log(JSON.stringify({ event: 'joined', n, joined, failed, seconds: (Date.now() - t0) / 1000,
  join_ms_p50: q(0.5), join_ms_p95: q(0.95) }));
await new Promise((r) => setTimeout(r, holdMs));
const open_now = sockets.filter((ws) => ws.readyState === 1).length;
console.log(JSON.stringify({ event: 'held', open: open_now }));
clearInterval(ping);
for (const ws of sockets) ws.terminate();
process.exit(0);
