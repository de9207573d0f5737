// Helpers for the ngx_meet Node tests: a LiveKit signaling connection built
// on the real @livekit/protocol codec (the one livekit-client 2.21.0 uses),
// access tokens minted by livekit-server-sdk, and a tiny case runner that
// prints one JSON line per case for the Perl wrappers (t/signal/2*.t).
//
// Only 127.0.0.1 is ever contacted; every wait is bounded.

import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import http from 'node:http';

import WebSocket from 'ws';
import {
  SignalRequest, SignalResponse, WrappedJoinRequest,
  WrappedJoinRequest_Compression, JoinRequest, ClientInfo, ClientInfo_SDK,
  ConnectionSettings, SessionDescription,
} from '@livekit/protocol';
import { AccessToken } from 'livekit-server-sdk';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, '../../..');

// Waits scale under valgrind (the Perl side passes TEST_NGINX_TIMEOUT_FACTOR).
export const FACTOR = Number(process.env.MEET_TIMEOUT_FACTOR || 1) || 1;
export const T = (ms) => Math.round(ms * FACTOR);

export const API_KEY = process.env.MEET_API_KEY || 'devkey';
export const API_SECRET = process.env.MEET_API_SECRET || 'secret';

export function fixture(name) {
  return readFileSync(path.join(REPO, 't/unit/fixtures', name), 'utf8');
}

export function uniq(prefix) {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

// ---------------------------------------------------------------- tokens

// A token from livekit-server-sdk (an implementation independent of ours).
export async function token({ identity, room, name, metadata, attributes,
  grants = {}, key = API_KEY, secret = API_SECRET, ttl } = {}) {
  const at = new AccessToken(key, secret, { identity, name, metadata,
    attributes, ...(ttl ? { ttl } : {}) });
  at.addGrant({ roomJoin: true, room, ...grants });
  return at.toJwt();
}

// A hand-made HS256 token, for claims the SDK will not produce
// (exp in the past, nbf in the future, no identity).
export function rawToken(payload, secret = API_SECRET,
  header = { alg: 'HS256', typ: 'JWT' }) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const data = `${b64(header)}.${b64(payload)}`;
  const sig = createHmac('sha256', secret).update(data).digest('base64url');
  return `${data}.${sig}`;
}

// ----------------------------------------------------------- join request

// The v1 join_request parameter as livekit-client 2.21.0 builds it:
// base64url (padding kept) of a WrappedJoinRequest, GZIP when the browser
// has CompressionStream.
export function joinRequestParam({ offer, offerId = 1, gzip = false,
  autoSubscribe = true } = {}) {
  const jr = new JoinRequest({
    clientInfo: new ClientInfo({ sdk: ClientInfo_SDK.JS, version: '2.21.0',
      protocol: 17, clientProtocol: 2, browser: 'node-test' }),
    connectionSettings: new ConnectionSettings({ autoSubscribe,
      adaptiveStream: false }),
    ...(offer ? { publisherOffer: new SessionDescription({ type: 'offer',
      sdp: offer, id: offerId }) } : {}),
  });
  let bytes = jr.toBinary();
  if (gzip) bytes = gzipSync(bytes);
  const w = new WrappedJoinRequest({
    compression: gzip ? WrappedJoinRequest_Compression.GZIP
      : WrappedJoinRequest_Compression.NONE,
    joinRequest: bytes,
  });
  const b64 = Buffer.from(w.toBinary()).toString('base64')
    .replace(/\+/g, '-').replace(/\//g, '_');
  return encodeURIComponent(b64);
}

// ------------------------------------------------------------------ HTTP

// GET on 127.0.0.1 -> { status, headers, body } (bounded)
export function httpGet(port, pathname, headers = {}, timeout = T(5000)) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: pathname,
      method: 'GET', headers, timeout }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode,
        headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('timeout', () => req.destroy(new Error('HTTP timeout')));
    req.on('error', reject);
    req.end();
  });
}

// ------------------------------------------------------------- WebSocket

// One signaling connection.  Every binary frame is decoded with
// SignalResponse.fromBinary and queued; take()/waitFor() consume in order.
export class Signal {
  constructor(url) {
    this.url = url;
    this.queue = [];
    this.all = [];            // every decoded message, in arrival order
    this.waiters = [];
    this.closed = null;       // { code, reason }
    this.httpError = null;    // { status, body, headers } for a refused upgrade
    this.errors = [];
  }

  // Opens the socket; resolves with this once open, or with this and
  // httpError set when the server refused the upgrade.
  static open(url, { timeout = T(5000) } = {}) {
    const s = new Signal(url);
    return new Promise((resolve, reject) => {
      let done = false;
      const finish = (fn, v) => { if (!done) { done = true; clearTimeout(t); fn(v); } };
      const t = setTimeout(() => {
        try { s.ws.terminate(); } catch (e) { /* gone */ }
        finish(reject, new Error(`WebSocket open timed out: ${url}`));
      }, timeout);
      s.ws = new WebSocket(url, { perMessageDeflate: false,
        handshakeTimeout: timeout, maxPayload: 16 * 1024 * 1024 });
      s.ws.binaryType = 'nodebuffer';
      s.ws.on('unexpected-response', (req, res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          s.httpError = { status: res.statusCode, headers: res.headers,
            body: Buffer.concat(chunks).toString() };
          req.destroy();
          finish(resolve, s);
        });
        res.on('error', (e) => finish(reject, e));
      });
      s.ws.on('open', () => finish(resolve, s));
      s.ws.on('message', (data, isBinary) => s._message(data, isBinary));
      s.ws.on('close', (code, reason) => {
        s.closed = { code, reason: reason.toString() };
        s._wake();
      });
      s.ws.on('error', (e) => {
        s.errors.push(e.message);
        if (!s.httpError) finish(reject, e);
        s._wake();
      });
    });
  }

  _message(data, isBinary) {
    let m;
    if (!isBinary) {
      m = { text: data.toString() };
    } else {
      try {
        m = SignalResponse.fromBinary(new Uint8Array(data));
      } catch (e) {
        m = { undecodable: e.message, bytes: data.length };
      }
    }
    this.queue.push(m);
    this.all.push(m);
    this._wake();
  }

  _wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  _changed(timeout) {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, timeout);
      this.waiters.push(() => { clearTimeout(t); resolve(); });
    });
  }

  // Next queued message (any case), or throws after timeout.
  async next(timeout = T(3000)) {
    const end = Date.now() + timeout;
    while (!this.queue.length) {
      if (this.closed) throw new Error(`socket closed (${this.closed.code} ${this.closed.reason}) while waiting for a message`);
      const left = end - Date.now();
      if (left <= 0) throw new Error('no message within ' + timeout + ' ms');
      await this._changed(left);
    }
    return this.queue.shift();
  }

  // First queued message whose case is `kase` and that passes `pred`;
  // earlier messages of other kinds stay queued.
  async waitFor(kase, pred = () => true, timeout = T(3000)) {
    const end = Date.now() + timeout;
    for (;;) {
      const i = this.queue.findIndex((m) => m.message && m.message.case === kase
        && pred(m.message.value));
      if (i >= 0) return this.queue.splice(i, 1)[0].message.value;
      if (this.closed) throw new Error(`socket closed (${this.closed.code} ${this.closed.reason}) while waiting for ${kase}; queued: ${this.summary()}`);
      const left = end - Date.now();
      if (left <= 0) throw new Error(`no ${kase} within ${timeout} ms; queued: ${this.summary()}`);
      await this._changed(left);
    }
  }

  async waitClose(timeout = T(3000)) {
    const end = Date.now() + timeout;
    while (!this.closed) {
      const left = end - Date.now();
      if (left <= 0) throw new Error(`socket not closed within ${timeout} ms; queued: ${this.summary()}`);
      await this._changed(left);
    }
    return this.closed;
  }

  summary() {
    return '[' + this.queue.map((m) => (m.message ? m.message.case
      : m.text !== undefined ? 'text' : 'undecodable')).join(',') + ']';
  }

  send(req) {
    this.ws.send(req instanceof SignalRequest ? req.toBinary()
      : new SignalRequest({ message: req }).toBinary());
  }

  sendRaw(data, opts = {}) { this.ws.send(data, opts); }

  // ping round trip: proves the server processed everything sent before
  async roundTrip(timeout = T(3000)) {
    const v = BigInt(Date.now()) * 1000n + BigInt(Math.floor(Math.random() * 1000));
    this.send({ case: 'ping', value: v });
    await this.waitFor('pong', (p) => p === v, timeout);
  }

  close() {
    try {
      if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
      else if (this.ws) this.ws.terminate();
    } catch (e) { /* gone */ }
  }

  terminate() {
    try { if (this.ws) this.ws.terminate(); } catch (e) { /* gone */ }
  }
}

// ------------------------------------------------------------ the runner

// Runs cases one after the other; prints "MEET-CASE {json}" per case and
// "MEET-PLAN n" first.  A case fails by throwing; t.check() collects named
// sub-checks so one failing field is reported precisely.
export async function runCases(cases, { caseTimeout = T(15000) } = {}) {
  const only = process.env.MEET_ONLY ? new RegExp(process.env.MEET_ONLY) : null;
  const list = cases.filter((c) => !only || only.test(c.name));
  console.log(`MEET-PLAN ${list.length}`);
  for (const c of list) {
    const started = Date.now();
    const ctx = new CaseContext();
    let ok = true;
    let diag = '';
    let timer;
    try {
      await Promise.race([
        c.fn(ctx),
        new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`case timed out after ${caseTimeout} ms`)), caseTimeout); }),
      ]);
    } catch (e) {
      ok = false;
      diag = (e && e.stack) ? e.stack.split('\n').slice(0, 3).join('\n') : String(e);
    } finally {
      clearTimeout(timer);
      ctx.cleanup();
    }
    if (ctx.failures.length) {
      ok = false;
      diag = ctx.failures.join('\n') + (diag ? '\n' + diag : '');
    }
    console.log('MEET-CASE ' + JSON.stringify({ name: c.name, ok, diag,
      ms: Date.now() - started }));
  }
}

const jsonSafe = (v) => JSON.stringify(v, (k, x) => (typeof x === 'bigint' ? x.toString() : x));

export class CaseContext {
  constructor() {
    this.failures = [];
    this.sockets = [];
  }

  track(s) { this.sockets.push(s); return s; }

  // named sub-check; does not stop the case
  check(cond, what, got) {
    if (!cond) this.failures.push(`${what}${got !== undefined ? ' (got ' + jsonSafe(got) + ')' : ''}`);
    return !!cond;
  }

  eq(got, want, what) {
    return this.check(got === want, `${what}: expected ${jsonSafe(want)}`, got);
  }

  cleanup() {
    for (const s of this.sockets) s.terminate();
  }
}
