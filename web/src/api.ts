// The room endpoint and the signaling address.
//
// GET /api/v1.0/rooms/<slug>/?username=<name> is La Suite Meet's room
// retrieval; ngx_meet's routing module answers it itself (route target
// `api`, `meet_api_anonymous_rooms on;`), a Meet backend answers it for
// signed-in users.  200:
//   {"slug": "...", "livekit": {"url": "...", "room": "...", "token": "<JWT>"}, ...}
// 400 {"detail"}: not a room name; 401/403 {"detail"}: no token for you.
import { AppError } from './errors';

export interface RoomAccess {
  slug: string;
  room: string;
  token: string;
}

const TIMEOUT_MS = 10000;

export async function fetchRoom(slug: string, username: string): Promise<RoomAccess> {
  const url = `/api/v1.0/rooms/${encodeURIComponent(slug)}/?username=${encodeURIComponent(username)}`;
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), TIMEOUT_MS);
  let resp: Response;
  try {
    resp = await fetch(url, {
      headers: { Accept: 'application/json' },
      credentials: 'same-origin',
      cache: 'no-store',
      signal: ctl.signal,
    });
  } catch (e) {
    throw new AppError('unreachable', 'The meeting server cannot be reached.',
      `GET ${url}: ${e instanceof Error ? e.message : e}`);
  } finally {
    clearTimeout(timer);
  }

  let body: any = null;
  try { body = await resp.json(); } catch { body = null; }
  const detail = `HTTP ${resp.status}${body && body.detail ? `: ${body.detail}` : ''}`;

  if (resp.status === 401 || resp.status === 403) {
    throw new AppError('token-refused', 'The server refused to let you in.', detail);
  }
  if (resp.status === 400) {
    throw new AppError('bad-room', 'Not a meeting name.', detail);
  }
  if (!resp.ok) {
    // 404: no room endpoint on this server; 5xx: it is failing
    throw new AppError('unreachable', 'The meeting server cannot give access to meetings now.', detail);
  }
  const lk = body && body.livekit;
  if (!lk || typeof lk.token !== 'string' || !lk.token) {
    throw new AppError('token-refused', 'The server gave no access token.', detail);
  }
  return { slug, room: String(lk.room || slug), token: lk.token };
}

// The LiveKit signaling URL of this page's own server: ws: or wss: after
// the page's scheme, the page's host and port.  The room endpoint's
// livekit.url is not used: behind TLS on 443, or a proxy, or another name,
// the origin the browser loaded the page from is the one that works.
export function signalUrl(loc: Location = location): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}`;
}

// The signed-in user (La Suite Meet's GET /api/v1.0/users/me/): null when
// anonymous (401), undefined when the server cannot say (no endpoint, down).
export interface Me {
  id: string;
  email: string;
  full_name: string;
  short_name: string;
}

async function getJson(url: string): Promise<{ status: number; body: any }> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), TIMEOUT_MS);
  try {
    const resp = await fetch(url, {
      headers: { Accept: 'application/json' },
      credentials: 'same-origin',
      cache: 'no-store',
      signal: ctl.signal,
    });
    let body: any = null;
    try { body = await resp.json(); } catch { body = null; }
    return { status: resp.status, body };
  } catch {
    return { status: 0, body: null };
  } finally {
    clearTimeout(timer);
  }
}

export async function fetchMe(): Promise<Me | null | undefined> {
  const { status, body } = await getJson('/api/v1.0/users/me/');
  if (status === 401) return null;
  if (status !== 200 || !body || typeof body.id !== 'string') return undefined;
  return body as Me;
}

// whether this server offers a login (a meet_oidc block)
export async function loginEnabled(): Promise<boolean> {
  const { status, body } = await getJson('/api/v1.0/config/');
  return status === 200 && !!body && body.login_enabled === true;
}

// the login starts at the server and comes back to this very page
export function loginUrl(loc: Location = location): string {
  return `/api/v1.0/authenticate/?returnTo=${encodeURIComponent(loc.pathname + loc.search)}`;
}

export const LOGOUT_URL = '/api/v1.0/logout/';
