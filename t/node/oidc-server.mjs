// A real OpenID Provider for tests: oidc-provider (panva, certified) on
// 127.0.0.1, started by t/lib/Test/Meet/OIDC.pm with a JSON config file:
//
//   node oidc-server.mjs <config.json>
//
// config: { port, issuer, https: {cert, key} | null, alg: 'RS256'|'ES256',
//           state_dir, users: [{sub, email, name, ...}],
//           client: {client_id, client_secret, redirect_uris,
//                    post_logout_redirect_uris, backchannel_logout_uri,
//                    backchannel_logout_session_required},
//           id_token_ttl, conform_id_token_claims }
//
// What it is:
//   - authorization code flow with PKCE (S256) required, one confidential
//     client (client_secret_basic / client_secret_post), discovery, JWKS,
//     userinfo, back-channel logout and RP-initiated logout enabled;
//   - no login page: /interaction/<uid> (oidc-provider's interaction
//     prompt) logs in a test user without asking (login_hint = a user's sub
//     or email, else the current default user) and consents to every
//     requested scope, so a cookie-jar HTTP client runs the whole flow;
//   - one signing key generated per start (RS256: RSA 2048, ES256: P-256);
//     keys are written to state_dir for the tests: jwks.json (public),
//     keys.json (private JWKs), signing-key.jwk.json, signing-key.pem
//     (PKCS#8), signing-key.pub.pem, keys/<kid>.pub.pem, state.json.
//
// Test-only control endpoints (POST, JSON body, JSON answer):
//   /__test/rotate          {alg?, drop_old?}  new signing key first in the
//                           JWKS (old ones still published unless drop_old);
//                           answers {kid, alg, previous_kid}
//   /__test/jwks-mode       {mode: 'normal'|'without_signing_key'|'empty'}
//                           what GET /jwks serves ("unknown kid" tests)
//   /__test/login-as        {sub}  the default user of later logins
//   /__test/deny-next       {error?, error_description?}  the next
//                           authorization ends with that error (access_denied)
//   /__test/bad-id-token    {tamper: [...], claims?: {...}, header?: {...},
//                           count?: 1}  the next `count` token responses
//                           carry an ID token changed so (see tamperToken):
//                           expired, not_yet_valid, wrong_aud, extra_aud,
//                           wrong_iss, wrong_nonce, no_nonce, wrong_sub,
//                           bad_signature, unknown_kid, alg_none, alg_hs256
//   /__test/mint            {claims, header?, tamper?: [...]}  a JWT signed
//                           with the current key (defaults: iss, aud, iat,
//                           exp = now + 600); answers {jwt}
//   /__test/backchannel-logout {sub?, sid?, keep_session?}  for every OP
//                           session of that user (or sid) the provider sends
//                           its logout_token to the client's
//                           backchannel_logout_uri (oidc-provider's own
//                           Client#backchannelLogout) and the OP session
//                           ends; answers {sent: [{client_id, sub, sid, ok,
//                           error?}]}
//   /__test/sessions        {}  the recorded {sub, sid, client_id} list
//   /__test/state           {}  current kid, alg, jwks mode, users
//   /__test/hits            {}  {hits: {path: requests}} since the start

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';

import Provider from 'oidc-provider';

const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const stateDir = cfg.state_dir;
const b64u = (b) => Buffer.from(b).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

// ---- keys -------------------------------------------------------------

let keySeq = 0;
function newKey(alg) {
  const kp = alg === 'ES256'
    ? crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  keySeq += 1;
  const kid = `test-${alg.toLowerCase()}-${keySeq}-${crypto.randomBytes(4).toString('hex')}`;
  const jwk = { ...kp.privateKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
  return { kid, alg, jwk, privateKey: kp.privateKey, publicKey: kp.publicKey };
}

function publicJwk(k) {
  const { kty, crv, x, y, n, e } = k.jwk;
  const pub = { kty, kid: k.kid, alg: k.alg, use: 'sig' };
  Object.assign(pub, kty === 'EC' ? { crv, x, y } : { n, e });
  return pub;
}

let keys = [newKey(cfg.alg || 'RS256')];   // keys[0] signs
let jwksMode = 'normal';
const hits = {};   // requests per path (not /__test/), for /__test/hits

// ---- users, sessions, test switches ---------------------------------

const users = (cfg.users && cfg.users.length) ? cfg.users
  : [{ sub: 'alice', email: 'alice@example.test', name: 'Alice Test' }];
let defaultSub = users[0].sub;
let denyNext = null;
const tamperQueue = [];
const sessions = [];   // {sessionId, sub, sid, client_id}

function findUser(hint) {
  if (!hint) return undefined;
  return users.find((u) => u.sub === hint || u.email === hint);
}

// ---- JWT helpers (for tampering and minting) -------------------------

function signJwt(header, payload, k) {
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}`;
  let sig;
  if (header.alg === 'none') {
    sig = '';
  } else if (header.alg === 'HS256') {
    sig = crypto.createHmac('sha256', cfg.client.client_secret).update(input).digest('base64url');
  } else if (header.alg === 'ES256') {
    sig = crypto.sign('sha256', Buffer.from(input), { key: k.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  } else {
    sig = crypto.sign('sha256', Buffer.from(input), k.privateKey).toString('base64url');
  }
  return `${input}.${sig}`;
}

function decodeJwt(jwt) {
  const [h, p] = jwt.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString()),
    payload: JSON.parse(Buffer.from(p, 'base64url').toString()),
  };
}

// Changes a token's claims / header / signature; `spec` is
// {tamper: [names], claims: {...}, header: {...}}.  Every result except
// bad_signature, unknown_kid, alg_none and alg_hs256 carries a valid
// signature of the current key, so the named check is the only one to fail.
function tamperToken(header, payload, spec) {
  const t = new Set(spec.tamper || []);
  const h = { ...header };
  const p = { ...payload };
  let k = keys[0];
  if (t.has('expired')) { p.iat = now() - 7200; p.exp = now() - 3600; if (p.auth_time) p.auth_time = p.iat; }
  if (t.has('not_yet_valid')) { p.iat = now() + 3600; p.nbf = now() + 3600; p.exp = now() + 7200; }
  if (t.has('wrong_aud')) p.aud = 'another-client';
  if (t.has('extra_aud')) { p.aud = [cfg.client.client_id, 'another-client']; p.azp = 'another-client'; }
  if (t.has('wrong_iss')) p.iss = `${cfg.issuer}/other`;
  if (t.has('wrong_nonce')) p.nonce = `wrong-${crypto.randomBytes(8).toString('hex')}`;
  if (t.has('no_nonce')) delete p.nonce;
  if (t.has('wrong_sub')) p.sub = 'someone-else';
  Object.assign(p, spec.claims || {});
  Object.assign(h, spec.header || {});
  if (t.has('unknown_kid')) { k = newKey(k.alg); h.kid = k.kid; }
  if (t.has('alg_none')) { h.alg = 'none'; delete h.kid; }
  if (t.has('alg_hs256')) { h.alg = 'HS256'; delete h.kid; }
  let jwt = signJwt(h, p, k);
  if (t.has('bad_signature')) {
    const parts = jwt.split('.');
    const sig = Buffer.from(parts[2], 'base64url');
    sig[sig.length >> 1] ^= 0x5a;
    parts[2] = sig.toString('base64url');
    jwt = parts.join('.');
  }
  return jwt;
}

// ---- the provider ---------------------------------------------------

const cookieKeys = [crypto.randomBytes(32).toString('hex')];

function buildProvider() {
  const signing = keys[0];
  const client = {
    client_id: cfg.client.client_id,
    client_secret: cfg.client.client_secret,
    redirect_uris: cfg.client.redirect_uris,
    post_logout_redirect_uris: cfg.client.post_logout_redirect_uris || [],
    response_types: ['code'],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: cfg.client.token_endpoint_auth_method || 'client_secret_basic',
    id_token_signed_response_alg: signing.alg,
  };
  if (cfg.client.backchannel_logout_uri) {
    client.backchannel_logout_uri = cfg.client.backchannel_logout_uri;
    client.backchannel_logout_session_required = cfg.client.backchannel_logout_session_required !== false;
  }
  const provider = new Provider(cfg.issuer, {
    clients: [client],
    jwks: { keys: keys.map((k) => k.jwk) },
    pkce: { required: () => true },
    cookies: { keys: cookieKeys },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username', 'given_name', 'family_name', 'picture'],
    },
    scopes: ['openid', 'offline_access', 'email', 'profile'],
    conformIdTokenClaims: cfg.conform_id_token_claims === true,
    ttl: {
      IdToken: cfg.id_token_ttl || 3600,
      AccessToken: 3600,
      AuthorizationCode: 60,
      Session: 3600,
      Interaction: 600,
      Grant: 3600,
    },
    features: {
      devInteractions: { enabled: false },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        // A plain form (the Perl side posts it: Test::Meet::OIDC::logout_form)
        logoutSource: async (ctx, form) => {
          ctx.body = `<!DOCTYPE html><html><head><title>Logout</title></head><body>${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button></body></html>`;
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = '<!DOCTYPE html><html><body>signed out</body></html>';
        },
      },
      userinfo: { enabled: true },
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: async (ctx, sub) => {
      const u = users.find((x) => x.sub === sub);
      if (!u) return undefined;
      return { accountId: sub, claims: async () => ({ email_verified: true, ...u, sub }) };
    },
    // loopback only: the receivers are the tests' own servers (the
    // library's SSRF guard refuses 127.0.0.1 otherwise)
    fetch: (url, options) => {
      const o = { ...options };
      delete o.dispatcher;
      return globalThis.fetch(url, o);
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = `<!DOCTYPE html><html><body><h1>oops</h1><pre id="error">${JSON.stringify(out).replace(/</g, '&lt;')}</pre></body></html>`;
    },
  });
  provider.proxy = false;

  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/token' && ctx.status === 200 && ctx.body && ctx.body.id_token
        && tamperQueue.length) {
      const spec = tamperQueue[0];
      spec.count = (spec.count || 1) - 1;
      if (spec.count <= 0) tamperQueue.shift();
      const { header, payload } = decodeJwt(ctx.body.id_token);
      ctx.body = { ...ctx.body, id_token: tamperToken(header, payload, spec) };
      console.log(`tampered ID token: ${(spec.tamper || []).join(',')}`);
    }
  });

  provider.on('authorization.success', (ctx) => {
    const s = ctx.oidc.session;
    const clientId = ctx.oidc.client && ctx.oidc.client.clientId;
    if (!s || !s.accountId || !clientId) return;
    const sid = s.sidFor(clientId);
    if (!sessions.some((x) => x.sessionId === s.id && x.client_id === clientId && x.sid === sid)) {
      sessions.push({ sessionId: s.id, sub: s.accountId, sid, client_id: clientId });
    }
  });
  for (const ev of ['server_error', 'backchannel.error', 'grant.error', 'authorization.error', 'end_session.error']) {
    provider.on(ev, (ctx, err) => console.error(`${ev}: ${err && (err.stack || err.message)}`));
  }
  return provider;
}

let provider = buildProvider();
let providerCallback = provider.callback();

function writeState() {
  fs.mkdirSync(stateDir, { recursive: true });
  const signing = keys[0];
  const jwks = { keys: keys.map(publicJwk) };
  const write = (f, data) => {
    fs.writeFileSync(path.join(stateDir, `${f}.tmp`), data, { mode: 0o600 });
    fs.renameSync(path.join(stateDir, `${f}.tmp`), path.join(stateDir, f));
  };
  write('jwks.json', JSON.stringify(jwks));
  write('keys.json', JSON.stringify({ signing_kid: signing.kid, keys: keys.map((k) => k.jwk) }));
  write('signing-key.jwk.json', JSON.stringify(signing.jwk));
  write('signing-key.pem', signing.privateKey.export({ format: 'pem', type: 'pkcs8' }));
  write('signing-key.pub.pem', signing.publicKey.export({ format: 'pem', type: 'spki' }));
  fs.mkdirSync(path.join(stateDir, 'keys'), { recursive: true });
  for (const k of keys) {
    write(`keys/${k.kid}.pub.pem`, k.publicKey.export({ format: 'pem', type: 'spki' }));
  }
  write('state.json', JSON.stringify(stateInfo()));
}

function stateInfo() {
  return {
    issuer: cfg.issuer,
    kid: keys[0].kid,
    alg: keys[0].alg,
    kids: keys.map((k) => k.kid),
    jwks_mode: jwksMode,
    default_sub: defaultSub,
    users: users.map((u) => u.sub),
  };
}

// ---- interactions: log in and consent without asking -----------------

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session } = details;
  if (denyNext) {
    const result = { error: denyNext.error || 'access_denied', error_description: denyNext.error_description || 'denied by the test' };
    denyNext = null;
    return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  }
  if (prompt.name === 'login') {
    const user = findUser(params.login_hint) || findUser(defaultSub) || users[0];
    return provider.interactionFinished(req, res, {
      login: { accountId: user.sub, remember: true },
    }, { mergeWithLastSubmission: false });
  }
  if (prompt.name === 'consent') {
    let grant;
    if (details.grantId) grant = await provider.Grant.find(details.grantId);
    if (!grant) grant = new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const d = prompt.details || {};
    if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
    if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(d.missingResourceScopes || {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }
  throw new Error(`unexpected prompt ${prompt.name}`);
}

// ---- control endpoints ----------------------------------------------

async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const t = Buffer.concat(chunks).toString();
  return t ? JSON.parse(t) : {};
}

const control = {
  async rotate(b) {
    const previous = keys[0].kid;
    const k = newKey(b.alg || keys[0].alg);
    keys = b.drop_old ? [k] : [k, ...keys];
    provider = buildProvider();
    providerCallback = provider.callback();
    return { kid: k.kid, alg: k.alg, previous_kid: previous };
  },
  async 'jwks-mode'(b) {
    if (!['normal', 'without_signing_key', 'empty'].includes(b.mode)) throw new Error(`bad mode ${b.mode}`);
    jwksMode = b.mode;
    return { mode: jwksMode };
  },
  async 'login-as'(b) {
    if (!findUser(b.sub)) throw new Error(`unknown user ${b.sub}`);
    defaultSub = findUser(b.sub).sub;
    return { sub: defaultSub };
  },
  async 'deny-next'(b) {
    denyNext = { error: b.error, error_description: b.error_description };
    return { ok: true };
  },
  async 'bad-id-token'(b) {
    tamperQueue.push({ tamper: b.tamper || [], claims: b.claims, header: b.header, count: b.count || 1 });
    return { queued: tamperQueue.length };
  },
  async mint(b) {
    const header = { alg: keys[0].alg, typ: 'JWT', kid: keys[0].kid };
    const payload = {
      iss: cfg.issuer, aud: cfg.client.client_id, iat: now(), exp: now() + 600, ...(b.claims || {}),
    };
    return { jwt: tamperToken(header, payload, { tamper: b.tamper, header: b.header }) };
  },
  async 'backchannel-logout'(b) {
    const hits = sessions.filter((s) => (b.sid ? s.sid === b.sid : s.sub === (b.sub || defaultSub)));
    const sent = [];
    for (const s of hits) {
      const client = await provider.Client.find(s.client_id);
      const r = { client_id: s.client_id, sub: s.sub, sid: s.sid, ok: true };
      try {
        if (!client || !client.backchannelLogoutUri) throw new Error('client has no backchannel_logout_uri');
        await client.backchannelLogout(s.sub, s.sid);
      } catch (e) {
        r.ok = false;
        r.error = String(e && e.message);
      }
      sent.push(r);
    }
    if (!b.keep_session) {
      for (const s of hits) {
        const os = await provider.Session.find(s.sessionId);
        if (os) await os.destroy();
        sessions.splice(sessions.indexOf(s), 1);
      }
    }
    return { sent };
  },
  async sessions() {
    return { sessions: sessions.map(({ sub, sid, client_id }) => ({ sub, sid, client_id })) };
  },
  async state() { return stateInfo(); },
  async hits() { return { hits }; },
};

async function handle(req, res) {
  const url = new URL(req.url, cfg.issuer);
  const send = (status, obj) => {
    const body = JSON.stringify(obj);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  if (!url.pathname.startsWith('/__test/')) hits[url.pathname] = (hits[url.pathname] || 0) + 1;
  try {
    if (url.pathname.startsWith('/__test/')) {
      const name = url.pathname.slice('/__test/'.length);
      if (req.method !== 'POST' || !Object.hasOwn(control, name)) return send(404, { error: 'no such control' });
      const out = await control[name](await readBody(req));
      writeState();
      return send(200, out);
    }
    if (url.pathname.startsWith('/interaction/')) return await interaction(req, res);
    if (url.pathname === '/jwks' && jwksMode !== 'normal') {
      const ks = jwksMode === 'empty' ? [] : keys.slice(1).map(publicJwk);
      return send(200, { keys: ks });
    }
    return providerCallback(req, res);
  } catch (e) {
    console.error(`test server error: ${e && (e.stack || e.message)}`);
    if (!res.headersSent) send(500, { error: String(e && e.message) });
    else res.end();
  }
}

const server = cfg.https
  ? https.createServer({ cert: fs.readFileSync(cfg.https.cert), key: fs.readFileSync(cfg.https.key) }, handle)
  : http.createServer(handle);
server.keepAliveTimeout = 1000;

writeState();
server.listen(cfg.port, '127.0.0.1', () => {
  console.log(`OIDC-READY ${JSON.stringify(stateInfo())}`);
});

for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    server.close();
    server.closeAllConnections?.();
    process.exit(0);
  });
}
