// LiveKit signaling of ngx_meet_signal_module checked with the real
// @livekit/protocol codec (1.50.4, what livekit-client 2.21.0 uses) and
// tokens minted by livekit-server-sdk.  Run by t/signal/20-livekit-protocol.t,
// which starts nginx and passes:
//   MEET_PORT         the server port (127.0.0.1)
//   MEET_PATH         the meet_signal location (default /rtc)
//   MEET_FULL_PATH    a location with meet_signal_max_participants 2
//   MEET_SMALL_PATH   a location with meet_signal_max_frame 4k
// Prints "MEET-PLAN n" and one "MEET-CASE {json}" line per case
// (MEET_ONLY=regex runs a subset).

import {
  AddTrackRequest, MuteTrackRequest, LeaveRequest, LeaveRequest_Action,
  DisconnectReason, Ping, SessionDescription, SignalRequest, TrackType,
  TrackSource, ParticipantInfo_State, UpdateParticipantMetadata,
  RequestResponse_Reason,
} from '@livekit/protocol';
import { randomUUID } from 'node:crypto';
import {
  Signal, token, rawToken, joinRequestParam, httpGet, fixture, uniq, T,
  runCases, API_KEY, API_SECRET,
} from './lib/signal.mjs';

const PORT = Number(process.env.MEET_PORT);
if (!PORT) {
  console.error('MEET_PORT is not set');
  process.exit(2);
}
const PATH = process.env.MEET_PATH || '/rtc';
const FULL = process.env.MEET_FULL_PATH || '/full/rtc';
const SMALL = process.env.MEET_SMALL_PATH || '/small/rtc';
const BASE = `ws://127.0.0.1:${PORT}`;

const JOIN_OFFER = fixture('chromium-join-offer.sdp');
const PUBLISH_OFFER = fixture('chromium-publish-offer.sdp');
// track ids of the publish fixture's sendonly sections (mid 7 video, 8 audio)
const FIX_VIDEO_TRACK = '08b7bfac-0ead-4430-96d0-75856ea89d69';
const FIX_AUDIO_TRACK = '75bb6427-ee78-41ee-9df7-c39e6e18e6a0';

const now = () => Math.floor(Date.now() / 1000);

function wsUrl(tok, { path = PATH, join = joinRequestParam() } = {}) {
  const q = [];
  if (tok !== undefined) q.push('access_token=' + encodeURIComponent(tok));
  if (join !== null) q.push('join_request=' + join);
  return `${BASE}${path}/v1?${q.join('&')}`;
}

// Opens a participant's signal connection and takes its first message,
// which must be the JoinResponse.
async function join(t, { identity = uniq('p'), room, grants, path = PATH,
  offer, gzip = false, name } = {}) {
  const tok = await token({ identity, room, grants, name });
  const s = t.track(await Signal.open(wsUrl(tok, { path,
    join: joinRequestParam({ offer, gzip }) })));
  if (s.httpError) {
    throw new Error(`join of ${identity} refused: ${s.httpError.status} ${s.httpError.body}`);
  }
  const first = await s.next();
  if (!first.message || first.message.case !== 'join') {
    throw new Error(`first message of ${identity} is ${first.message ? first.message.case : JSON.stringify(first)}, not join`);
  }
  return { s, join: first.message.value, identity };
}

function addTrack(s, { cid, type = TrackType.VIDEO, source = TrackSource.CAMERA,
  name = 'camera', muted = false, width = 640, height = 480 }) {
  s.send({ case: 'addTrack', value: new AddTrackRequest({ cid, name, type,
    source, muted, width, height }) });
}

function offerReq(sdp, id) {
  return { case: 'offer', value: new SessionDescription({ type: 'offer', sdp, id }) };
}

// the publish fixture with its msid track ids replaced by our cids
function publishOffer(videoCid, audioCid) {
  return PUBLISH_OFFER.split(FIX_VIDEO_TRACK).join(videoCid)
    .split(FIX_AUDIO_TRACK).join(audioCid);
}

// the same offer after the camera was unpublished: its section no longer
// sends (Chromium turns a removed sender's sendonly section inactive)
function withoutSending(sdp, cid) {
  const sections = sdp.split(/(?=^m=)/m);
  return sections.map((sec) => {
    if (!sec.includes(` ${cid}\r\n`)) return sec;
    return sec.replace(/^a=sendonly\r\n/m, 'a=inactive\r\n')
      .replace(/^a=msid:.*\r\n/m, '');
  }).join('');
}

// the ParticipantUpdate entry about `sid` in an update, if any
const about = (upd, sid) => upd.participants.find((p) => p.sid === sid);

// waits for an update about `sid` that passes `pred`; returns the info
async function updateAbout(s, sid, pred = () => true, timeout) {
  const upd = await s.waitFor('update', (u) => {
    const p = about(u, sid);
    return p && pred(p);
  }, timeout);
  return about(upd, sid);
}

// all ParticipantInfo versions about sid that `s` received so far
function versionsAbout(s, sid) {
  const v = [];
  for (const m of s.all) {
    if (m.message && m.message.case === 'update') {
      const p = about(m.message.value, sid);
      if (p) v.push(p.version);
    }
  }
  return v;
}

const strictlyIncreasing = (a) => a.every((x, i) => i === 0 || x > a[i - 1]);

async function expectHttpRefusal(t, what, tok, { status, path = PATH,
  join: joinParam, bodyLike } = {}) {
  // WebSocket upgrade
  const s = t.track(await Signal.open(wsUrl(tok, { path, join: joinParam })));
  if (t.check(s.httpError, `${what}: WebSocket upgrade refused`, s.httpError ? undefined : 'upgraded')) {
    t.eq(s.httpError.status, status, `${what}: WebSocket status`);
    t.check(s.httpError.body.trim().length > 0, `${what}: WebSocket refusal has a reason body`, s.httpError.body);
    if (bodyLike) t.check(bodyLike.test(s.httpError.body), `${what}: WebSocket body like ${bodyLike}`, s.httpError.body);
  }
  s.terminate();
  // validate (v1 and v0 paths) answers the same
  for (const v of ['/v1/validate', '/validate']) {
    const q = tok !== undefined ? `?access_token=${encodeURIComponent(tok)}` : '';
    const r = await httpGet(PORT, `${path}${v}${q}`);
    t.eq(r.status, status, `${what}: ${path}${v} status`);
    t.check(r.body.trim().length > 0 && r.body !== 'success', `${what}: ${path}${v} has a reason body`, r.body);
    t.eq(r.headers['access-control-allow-origin'], '*', `${what}: ${path}${v} CORS header`);
    if (bodyLike) t.check(bodyLike.test(r.body), `${what}: ${path}${v} body like ${bodyLike}`, r.body);
  }
}

const cases = [];
const it = (name, fn) => cases.push({ name, fn });

// ---------------------------------------------------------------- join

it('join: first message is join with room, participant, permission, server info', async (t) => {
  const room = uniq('room');
  const identity = uniq('alice');
  const { s, join: j } = await join(t, { identity, room, name: 'Alice',
    offer: JOIN_OFFER, gzip: true });
  t.eq(j.room?.name, room, 'room.name');
  t.check(/^RM_/.test(j.room?.sid || ''), 'room.sid starts with RM_', j.room?.sid);
  t.check(/^PA_/.test(j.participant?.sid || ''), 'participant.sid starts with PA_', j.participant?.sid);
  t.eq(j.participant?.identity, identity, 'participant.identity');
  t.eq(j.participant?.name, 'Alice', 'participant.name');
  const perm = j.participant?.permission;
  t.check(perm, 'participant.permission present');
  t.eq(perm?.canPublish, true, 'permission.canPublish');
  t.eq(perm?.canSubscribe, true, 'permission.canSubscribe');
  t.eq(perm?.canPublishData, true, 'permission.canPublishData');
  t.eq(perm?.canPublishSources?.length, 0, 'permission.canPublishSources (unrestricted)');
  t.eq(j.otherParticipants.length, 0, 'other_participants empty');
  t.eq(j.serverInfo?.version, '1.9.0', 'server_info.version');
  t.eq(j.pingInterval, 5, 'ping_interval');
  t.eq(j.pingTimeout, 15, 'ping_timeout');
  t.eq(j.subscriberPrimary, false, 'subscriber_primary');
  // the publisher offer of the (gzipped) join request gets its answer
  const a = await s.waitFor('answer');
  t.eq(a.id, 1, 'answer.id = publisher_offer.id');
  t.eq(a.type, 'answer', 'answer.type');
  t.check(/^a=ice-lite\r?$/m.test(a.sdp), 'answer has a=ice-lite', a.sdp.slice(0, 200));
  t.check(/^a=ice-ufrag:\S+/m.test(a.sdp) && /^a=ice-pwd:\S+/m.test(a.sdp), 'answer has ICE credentials');
  t.check(/^a=fingerprint:sha-256 [0-9A-F:]{95}\r?$/m.test(a.sdp), 'answer has a sha-256 fingerprint');
  t.check(/^a=setup:passive\r?$/m.test(a.sdp), 'answer has a=setup:passive');
  const mids = (sdp) => [...sdp.matchAll(/^a=mid:(\S+)/gm)].map((m) => m[1]);
  t.eq(mids(a.sdp).join(','), mids(JOIN_OFFER).join(','), 'answer m-sections in offer order');
});

it('join: canPublish false in the token -> permission.canPublish false, add_track ignored', async (t) => {
  const { s, join: j } = await join(t, { room: uniq('room'),
    grants: { canPublish: false, canSubscribe: true } });
  t.eq(j.participant?.permission?.canPublish, false, 'permission.canPublish');
  t.eq(j.participant?.permission?.canSubscribe, true, 'permission.canSubscribe');
  addTrack(s, { cid: 'cam-' + uniq('c') });
  await s.roundTrip();
  t.check(!s.all.some((m) => m.message?.case === 'trackPublished'),
    'no track_published for a participant without canPublish', s.summary());
});

it('join: canPublishSources in the token -> permission, other sources refused', async (t) => {
  const { s, join: j } = await join(t, { room: uniq('room'),
    grants: { canPublish: true,
      canPublishSources: [TrackSource.CAMERA, TrackSource.MICROPHONE] } });
  const src = j.participant?.permission?.canPublishSources || [];
  t.eq([...src].sort().join(','), [TrackSource.CAMERA, TrackSource.MICROPHONE].join(','),
    'permission.canPublishSources = [CAMERA, MICROPHONE]');
  const screen = 'screen-' + uniq('c');
  addTrack(s, { cid: screen, source: TrackSource.SCREEN_SHARE, name: 'screen' });
  const cam = 'cam-' + uniq('c');
  addTrack(s, { cid: cam, source: TrackSource.CAMERA });
  const pub = await s.waitFor('trackPublished');
  t.eq(pub.cid, cam, 'the first track_published is for the camera, not the screen share');
  await s.roundTrip();
  t.check(!s.all.some((m) => m.message?.case === 'trackPublished' && m.message.value.cid === screen),
    'no track_published for SCREEN_SHARE');
});

it('two participants: update about the second, second lists the first', async (t) => {
  const room = uniq('room');
  const a = await join(t, { room, identity: uniq('a') });
  const b = await join(t, { room, identity: uniq('b') });
  const bSid = b.join.participant.sid;
  const info = await updateAbout(a.s, bSid);
  t.eq(info.identity, b.identity, 'update participant identity');
  t.check(info.state === ParticipantInfo_State.JOINED || info.state === ParticipantInfo_State.ACTIVE,
    'update participant state JOINED or ACTIVE', info.state);
  t.check(info.permission, 'update participant has permission');
  const others = b.join.otherParticipants;
  t.eq(others.length, 1, 'second join: one other participant');
  t.eq(others[0]?.sid, a.join.participant.sid, 'other participant sid');
  t.eq(others[0]?.identity, a.identity, 'other participant identity');
  t.eq(b.join.room?.sid, a.join.room?.sid, 'same room sid');
  t.eq(b.join.room?.numParticipants, 2, 'room.num_participants in the second join');
});

// ----------------------------------------------------------------- ping

it('ping -> pong with the same value, ping_req -> pong_resp', async (t) => {
  const { s } = await join(t, { room: uniq('room') });
  const v = 1234567890123n;
  s.send({ case: 'ping', value: v });
  const pong = await s.waitFor('pong');
  t.eq(pong, v, 'pong echoes the ping');
  const ts = BigInt(Date.now());
  const before = Date.now();
  s.send({ case: 'pingReq', value: new Ping({ timestamp: ts, rtt: 42n }) });
  const pr = await s.waitFor('pongResp');
  t.eq(pr.lastPingTimestamp, ts, 'pong_resp.last_ping_timestamp echoes ping_req.timestamp');
  const st = Number(pr.timestamp);
  t.check(st >= before - 5000 && st <= Date.now() + 5000,
    'pong_resp.timestamp is the server time in ms', pr.timestamp);
});

// --------------------------------------------------------------- tracks

it('add_track -> track_published{cid, track.sid TR_...}', async (t) => {
  const { s } = await join(t, { room: uniq('room') });
  const cid = 'cam-' + uniq('c');
  addTrack(s, { cid, name: 'my camera', width: 1280, height: 720 });
  const p = await s.waitFor('trackPublished');
  t.eq(p.cid, cid, 'track_published.cid');
  t.check(/^TR_/.test(p.track?.sid || ''), 'track.sid starts with TR_', p.track?.sid);
  t.eq(p.track?.type, TrackType.VIDEO, 'track.type');
  t.eq(p.track?.source, TrackSource.CAMERA, 'track.source');
  t.eq(p.track?.name, 'my camera', 'track.name');
  t.eq(p.track?.width, 1280, 'track.width');
  const mic = 'mic-' + uniq('c');
  addTrack(s, { cid: mic, type: TrackType.AUDIO, source: TrackSource.MICROPHONE, name: 'mic' });
  const p2 = await s.waitFor('trackPublished');
  t.eq(p2.cid, mic, 'second track_published.cid');
  t.check(p2.track?.sid !== p.track?.sid, 'distinct track sids', [p.track?.sid, p2.track?.sid]);
  t.eq(p2.track?.type, TrackType.AUDIO, 'second track.type');
});

// A publisher with camera + microphone published through a re-offer, and a
// subscriber that watches it; used by the publish / unpublish / mute /
// leave cases (each builds its own room).
async function publishing(t) {
  const room = uniq('room');
  const a = await join(t, { room, identity: uniq('pub'), offer: JOIN_OFFER, gzip: true });
  await a.s.waitFor('answer', (x) => x.id === 1);
  const b = await join(t, { room, identity: uniq('sub') });
  const aSid = a.join.participant.sid;
  const vcid = randomTrackId();
  const acid = randomTrackId();
  addTrack(a.s, { cid: vcid });
  addTrack(a.s, { cid: acid, type: TrackType.AUDIO, source: TrackSource.MICROPHONE, name: 'mic' });
  const vpub = await a.s.waitFor('trackPublished', (p) => p.cid === vcid);
  const apub = await a.s.waitFor('trackPublished', (p) => p.cid === acid);
  const offer = publishOffer(vcid, acid);
  a.s.send(offerReq(offer, 2));
  return { room, a, b, aSid, vcid, acid, vpub, apub, offer };
}

function randomTrackId() {
  // Chromium's MediaStreamTrack ids are UUIDs
  return randomUUID();
}

it('publish via offer: answer with the same id, the other sees the tracks with mid', async (t) => {
  const { a, b, aSid, vpub, apub } = await publishing(t);
  const ans = await a.s.waitFor('answer', (x) => x.id === 2);
  t.eq(ans.id, 2, 'answer id = offer id');
  const mids = (sdp) => [...sdp.matchAll(/^a=mid:(\S+)/gm)].map((m) => m[1]);
  t.eq(mids(ans.sdp).join(','), '0,1,2,3,4,5,6,7,8', 'answer mids');
  const info = await updateAbout(b.s, aSid, (p) => p.tracks.length === 2);
  const v = info.tracks.find((x) => x.sid === vpub.track.sid);
  const au = info.tracks.find((x) => x.sid === apub.track.sid);
  t.check(v, 'video track in the update', info.tracks.map((x) => x.sid));
  t.check(au, 'audio track in the update', info.tracks.map((x) => x.sid));
  t.eq(v?.mid, '7', 'video track mid');
  t.eq(au?.mid, '8', 'audio track mid');
  t.eq(v?.type, TrackType.VIDEO, 'video track type');
  t.eq(au?.type, TrackType.AUDIO, 'audio track type');
  t.check(/^video\//.test(v?.mimeType || ''), 'video track mime type video/*', v?.mimeType);
  t.check(/^audio\//i.test(au?.mimeType || ''), 'audio track mime type audio/*', au?.mimeType);
  t.eq(info.isPublisher, true, 'participant is_publisher');
  // others see a track only once its media section exists (never without mid)
  t.eq(b.join.otherParticipants[0]?.tracks.length, 0, 'no tracks in the join of the other (add_track alone)');
  const seen = b.s.all.filter((m) => m.message?.case === 'update')
    .map((m) => about(m.message.value, aSid)).filter(Boolean);
  t.check(seen.every((p) => p.tracks.every((x) => x.mid)), 'no update shows a track without mid',
    seen.map((p) => p.tracks.map((x) => x.mid)));
});

it('unpublish via re-offer without the sending section: update without the track', async (t) => {
  const { a, b, aSid, vcid, vpub, apub, offer } = await publishing(t);
  await a.s.waitFor('answer', (x) => x.id === 2);
  await updateAbout(b.s, aSid, (p) => p.tracks.length === 2);
  a.s.send(offerReq(withoutSending(offer, vcid), 3));
  const ans = await a.s.waitFor('answer', (x) => x.id === 3);
  t.eq(ans.id, 3, 'answer id of the re-offer');
  const info = await updateAbout(b.s, aSid, (p) => p.tracks.length !== 2);
  t.check(!info.tracks.some((x) => x.sid === vpub.track.sid), 'video track gone', info.tracks.map((x) => x.sid));
  t.check(info.tracks.some((x) => x.sid === apub.track.sid), 'audio track still there', info.tracks.map((x) => x.sid));
  t.check(strictlyIncreasing(versionsAbout(b.s, aSid)), 'versions strictly increasing', versionsAbout(b.s, aSid));
});

it('update_metadata: over a limit -> request_response LIMIT_EXCEEDED; good -> own update, OK', async (t) => {
  const room = uniq('room');
  const a = await join(t, { room, grants: { canUpdateOwnMetadata: true } });
  const b = await join(t, { room });
  const aSid = a.join.participant.sid;
  // what livekit-client's setName() sends (LocalParticipant.ts
  // requestMetadataUpdate: the current metadata, the new name)
  a.s.send({ case: 'updateMetadata', value: new UpdateParticipantMetadata({
    requestId: 41, name: 'n'.repeat(257), metadata: '' }) });
  let rr = await a.s.waitFor('requestResponse', (r) => r.requestId === 41);
  t.eq(rr.reason, RequestResponse_Reason.LIMIT_EXCEEDED, 'a 257-byte name: LIMIT_EXCEEDED');
  t.eq(rr.message, 'exceeds name length limit', 'its message');
  t.eq(rr.request.case, 'updateMetadata', 'names the update_metadata request');
  a.s.send({ case: 'updateMetadata', value: new UpdateParticipantMetadata({
    requestId: 42, name: 'Alice', metadata: '', attributes: { role: 'host' } }) });
  const own = await updateAbout(a.s, aSid, (p) => p.name === 'Alice');
  t.eq(own.attributes.role, 'host', 'the sender gets its own update with the attribute');
  rr = await a.s.waitFor('requestResponse', (r) => r.requestId === 42);
  t.eq(rr.reason, RequestResponse_Reason.OK, 'then request_response OK');
  const seen = await updateAbout(b.s, aSid, (p) => p.name === 'Alice');
  t.eq(seen.attributes.role, 'host', 'the other gets the update');
  const c = await join(t, { room });
  c.s.send({ case: 'updateMetadata', value: new UpdateParticipantMetadata({
    requestId: 43, name: 'Mallory' }) });
  rr = await c.s.waitFor('requestResponse', (r) => r.requestId === 43);
  t.eq(rr.reason, RequestResponse_Reason.NOT_ALLOWED, 'without canUpdateOwnMetadata: NOT_ALLOWED');
});

it('mute -> update with track.muted true, versions strictly increasing', async (t) => {
  const { a, b, aSid, apub } = await publishing(t);
  await a.s.waitFor('answer', (x) => x.id === 2);
  await updateAbout(b.s, aSid, (p) => p.tracks.length === 2);
  a.s.send({ case: 'mute', value: new MuteTrackRequest({ sid: apub.track.sid, muted: true }) });
  let info = await updateAbout(b.s, aSid, (p) => p.tracks.some((x) => x.sid === apub.track.sid && x.muted));
  t.check(info, 'update with the audio track muted');
  a.s.send({ case: 'mute', value: new MuteTrackRequest({ sid: apub.track.sid, muted: false }) });
  info = await updateAbout(b.s, aSid, (p) => p.tracks.some((x) => x.sid === apub.track.sid && !x.muted));
  t.check(info, 'update with the audio track unmuted');
  const vs = versionsAbout(b.s, aSid);
  t.check(vs.length >= 3, 'at least three updates (publish, mute, unmute)', vs);
  t.check(strictlyIncreasing(vs), 'ParticipantInfo.version strictly increasing', vs);
});

// ------------------------------------------------------------ leave, dup

it('leave -> close 1000, the other gets state DISCONNECTED', async (t) => {
  const room = uniq('room');
  const a = await join(t, { room, identity: uniq('a') });
  const b = await join(t, { room, identity: uniq('b') });
  const aSid = a.join.participant.sid;
  a.s.send({ case: 'leave', value: new LeaveRequest({ reason: DisconnectReason.CLIENT_INITIATED,
    action: LeaveRequest_Action.DISCONNECT }) });
  const c = await a.s.waitClose();
  t.eq(c.code, 1000, 'close code');
  const info = await updateAbout(b.s, aSid, (p) => p.state === ParticipantInfo_State.DISCONNECTED);
  t.eq(info.identity, a.identity, 'DISCONNECTED update identity');
  t.check(strictlyIncreasing(versionsAbout(b.s, aSid)), 'versions strictly increasing', versionsAbout(b.s, aSid));
});

it('duplicate identity: old socket gets leave DUPLICATE_IDENTITY then closes', async (t) => {
  const room = uniq('room');
  const identity = uniq('dup');
  const other = await join(t, { room, identity: uniq('o') });
  const old = await join(t, { room, identity });
  const oldSid = old.join.participant.sid;
  const neu = await join(t, { room, identity });
  const newSid = neu.join.participant.sid;
  t.check(newSid !== oldSid, 'new connection has a new sid', [oldSid, newSid]);
  const lv = await old.s.waitFor('leave');
  t.eq(lv.reason, DisconnectReason.DUPLICATE_IDENTITY, 'leave.reason');
  t.eq(lv.action, LeaveRequest_Action.DISCONNECT, 'leave.action');
  const c = await old.s.waitClose();
  t.check(c.code === 1000, 'old socket closed with 1000', c);
  // the leave comes last: nothing after it
  const last = old.s.all[old.s.all.length - 1];
  t.eq(last?.message?.case, 'leave', 'leave is the last message of the old socket');
  t.eq(neu.join.otherParticipants.map((p) => p.identity).join(','), other.identity,
    'new join lists only the other participant');
  await updateAbout(other.s, oldSid, (p) => p.state === ParticipantInfo_State.DISCONNECTED);
  const n = await updateAbout(other.s, newSid);
  t.eq(n.identity, identity, 'the other sees the new connection');
  // the new connection works
  await neu.s.roundTrip();
});

// ---------------------------------------------------- max participants

it('max participants 2: third upgrade and validate get 403 with a reason', async (t) => {
  const room = uniq('full');
  const p1 = await join(t, { room, path: FULL, identity: uniq('one') });
  const p2 = await join(t, { room, path: FULL, identity: uniq('two') });
  const tok3 = await token({ identity: uniq('three'), room });
  await expectHttpRefusal(t, 'third participant', tok3, { status: 403, path: FULL });
  // an identity already in the room replaces itself: not refused
  const again = await token({ identity: p2.identity, room });
  const r = await httpGet(PORT, `${FULL}/v1/validate?access_token=${again}`);
  t.eq(r.status, 200, 'validate of an identity already in the full room');
  // once one leaves, the third may join
  p1.s.send({ case: 'leave', value: new LeaveRequest({ reason: DisconnectReason.CLIENT_INITIATED }) });
  await p1.s.waitClose();
  await updateAbout(p2.s, p1.join.participant.sid, (p) => p.state === ParticipantInfo_State.DISCONNECTED);
  const s3 = t.track(await Signal.open(wsUrl(tok3, { path: FULL })));
  t.check(!s3.httpError, 'third joins after one left', s3.httpError);
  if (!s3.httpError) {
    const m = await s3.next();
    t.eq(m.message?.case, 'join', 'third gets join');
  }
});

// ------------------------------------------------------------- validate

it('validate: 200 "success" with CORS, on /rtc/v1/validate and /rtc/validate', async (t) => {
  const tok = await token({ identity: uniq('v'), room: uniq('room') });
  for (const v of ['/v1/validate', '/validate']) {
    const r = await httpGet(PORT, `${PATH}${v}?access_token=${encodeURIComponent(tok)}`);
    t.eq(r.status, 200, `${v} status`);
    t.eq(r.body, 'success', `${v} body`);
    t.eq(r.headers['access-control-allow-origin'], '*', `${v} Access-Control-Allow-Origin`);
  }
  const r = await httpGet(PORT, `${PATH}/v1/validate`, { Authorization: `Bearer ${tok}` });
  t.eq(r.status, 200, 'validate with Authorization: Bearer');
  t.eq(r.body, 'success', 'validate with Authorization: Bearer body');
});

// ------------------------------------------------------------ bad tokens

const room = 'badtoken-room';
const base = () => ({ iss: API_KEY, sub: uniq('x'), nbf: now() - 10,
  exp: now() + 600, video: { roomJoin: true, room } });

it('token missing -> 401', async (t) => {
  await expectHttpRefusal(t, 'missing token', undefined, { status: 401 });
});

it('token malformed -> 401', async (t) => {
  await expectHttpRefusal(t, 'malformed token', 'not.a-token', { status: 401 });
  await expectHttpRefusal(t, 'garbage token', 'garbage', { status: 401 });
});

it('token expired (exp 120 s ago) -> 401', async (t) => {
  await expectHttpRefusal(t, 'expired token',
    rawToken({ ...base(), nbf: now() - 600, exp: now() - 120 }), { status: 401 });
});

it('token expired within the 60 s leeway is accepted', async (t) => {
  const r = await httpGet(PORT, `${PATH}/v1/validate?access_token=${rawToken({ ...base(), nbf: now() - 600, exp: now() - 20 })}`);
  t.eq(r.status, 200, 'validate status');
});

it('token not yet valid (nbf in 10 min) -> 401', async (t) => {
  await expectHttpRefusal(t, 'nbf in the future',
    rawToken({ ...base(), nbf: now() + 600, exp: now() + 1200 }), { status: 401 });
});

it('token with a wrong signature (other secret) -> 401', async (t) => {
  await expectHttpRefusal(t, 'wrong secret',
    await token({ identity: uniq('x'), room, secret: 'not-the-secret' }), { status: 401 });
});

it('token of an unknown API key -> 401', async (t) => {
  await expectHttpRefusal(t, 'unknown key',
    await token({ identity: uniq('x'), room, key: 'otherkey', secret: API_SECRET }), { status: 401 });
});

it('token with roomJoin false -> 401', async (t) => {
  await expectHttpRefusal(t, 'roomJoin false',
    await token({ identity: uniq('x'), room, grants: { roomJoin: false, roomList: true } }), { status: 401 });
});

it('token without a video grant -> 401', async (t) => {
  const p = base();
  delete p.video;
  await expectHttpRefusal(t, 'no video grant', rawToken(p), { status: 401 });
});

it('token with alg none -> 401', async (t) => {
  const tok = rawToken(base()).split('.');
  const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${tok[1]}.`;
  await expectHttpRefusal(t, 'alg none', none, { status: 401 });
});

it('token without a room -> 400', async (t) => {
  await expectHttpRefusal(t, 'no room',
    await token({ identity: uniq('x'), room: undefined }), { status: 400 });
});

it('token without an identity -> 400', async (t) => {
  const p = base();
  delete p.sub;
  await expectHttpRefusal(t, 'no identity', rawToken(p), { status: 400 });
});

// ---------------------------------------------------------- HTTP errors

it('missing join_request -> 400 with a reason', async (t) => {
  const tok = await token({ identity: uniq('x'), room: uniq('room') });
  const s = t.track(await Signal.open(wsUrl(tok, { join: null })));
  t.check(s.httpError, 'upgrade refused');
  t.eq(s.httpError?.status, 400, 'status');
  t.check((s.httpError?.body || '').trim().length > 0, 'reason body', s.httpError?.body);
});

it('bad join_request (not base64 protobuf) -> 400', async (t) => {
  const tok = await token({ identity: uniq('x'), room: uniq('room') });
  const s = t.track(await Signal.open(wsUrl(tok, { join: '%%%not-base64' })));
  t.eq(s.httpError?.status, 400, 'status');
});

it('GET /rtc/v1 without a WebSocket upgrade -> 404', async (t) => {
  const tok = await token({ identity: uniq('x'), room: uniq('room') });
  const r = await httpGet(PORT, `${PATH}/v1?access_token=${tok}&join_request=${joinRequestParam()}`);
  t.eq(r.status, 404, 'status');
});

it('/rtc (v0 protocol) -> 404, as a WebSocket and as plain GET', async (t) => {
  const tok = await token({ identity: uniq('x'), room: uniq('room') });
  const s = t.track(await Signal.open(`${BASE}${PATH}?access_token=${tok}&auto_subscribe=1&sdk=js&version=2.21.0&protocol=17`));
  t.eq(s.httpError?.status, 404, 'WebSocket to /rtc status');
  const r = await httpGet(PORT, `${PATH}?access_token=${tok}`);
  t.eq(r.status, 404, 'plain GET /rtc status');
});

// ------------------------------------------------------- frame handling

it('text frame -> close 1003', async (t) => {
  const { s } = await join(t, { room: uniq('room') });
  s.sendRaw('{"ping": 1}');
  const c = await s.waitClose();
  t.eq(c.code, 1003, 'close code');
});

it('garbage binary (not protobuf) -> close 1007', async (t) => {
  const { s } = await join(t, { room: uniq('room') });
  s.sendRaw(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]));
  const c = await s.waitClose();
  t.eq(c.code, 1007, 'close code');
});

it('SignalRequest with only an unknown field (99) -> ignored, ping still answered', async (t) => {
  const { s } = await join(t, { room: uniq('room') });
  // field 99, varint 1: tag (99 << 3 | 0) = 792 = 0x98 0x06
  s.sendRaw(Buffer.from([0x98, 0x06, 0x01]));
  // and an unknown length-delimited field 98 with a payload
  s.sendRaw(Buffer.from([0x92, 0x06, 0x03, 0x61, 0x62, 0x63]));
  await s.roundTrip();
  t.check(!s.closed, 'socket still open', s.closed);
  // a real message combined with an unknown field works too
  const req = new SignalRequest({ message: { case: 'ping', value: 777n } }).toBinary();
  s.sendRaw(Buffer.concat([Buffer.from([0x98, 0x06, 0x01]), Buffer.from(req)]));
  const p = await s.waitFor('pong');
  t.eq(p, 777n, 'ping with an extra unknown field answered');
});

it('frame bigger than meet_signal_max_frame (4k) -> close 1009', async (t) => {
  const { s } = await join(t, { room: uniq('room'), path: SMALL });
  await s.roundTrip();   // a small frame is fine
  s.sendRaw(Buffer.alloc(8192, 0x20));
  const c = await s.waitClose(T(5000));
  t.eq(c.code, 1009, 'close code');
});

await runCases(cases);
process.exit(0);
