// Room names: readable random ones for "New meeting", and the slug rule of
// the room endpoint (GET /api/v1.0/rooms/<slug>/).

// The endpoint's rule: [a-z0-9][a-z0-9_-]{0,63}, after lowercasing (no dot:
// /<room> must never look like a file to the SPA route).
export const SLUG_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;

const CONSONANTS = 'bcdfghjkmnprstvz';   // 16: no l (looks like 1), q, w, x, y
const VOWELS = 'aeiou';

function pick(alphabet: string, rnd: number): string {
  return alphabet[rnd % alphabet.length];
}

// "bak-tuzo-mip": syllables that read aloud and type easily, 3-4-3 letters
// as Meet's codes.  About 33 bits of randomness from crypto.getRandomValues.
export function randomRoomName(): string {
  const r = new Uint32Array(10);
  crypto.getRandomValues(r);
  let i = 0;
  const c = () => pick(CONSONANTS, r[i++]);
  const v = () => pick(VOWELS, r[i++]);
  return `${c()}${v()}${c()}-${c()}${v()}${c()}${v()}-${c()}${v()}${c()}`;
}

// What a person typed or pasted in "Join": a room name or a whole link
// (http://host/room-name).  Returns the slug, or null when it is not one.
export function parseRoomInput(input: string): string | null {
  let s = input.trim();
  if (!s) return null;
  if (s.includes('/')) {
    try {
      s = new URL(s, location.origin).pathname;
    } catch {
      return null;
    }
    s = s.split('/').filter(Boolean).pop() ?? '';
    try { s = decodeURIComponent(s); } catch { return null; }
  }
  s = s.toLowerCase().replace(/\s+/g, '-');
  return SLUG_RE.test(s) ? s : null;
}

// The slug of a location path ("/bak-tuzo-mip"), or null for "/" and
// paths that are not a room.
export function roomFromPath(pathname: string): string | null {
  const parts = pathname.split('/').filter(Boolean);
  if (parts.length !== 1) return null;
  let s: string;
  try { s = decodeURIComponent(parts[0]).toLowerCase(); } catch { return null; }
  return SLUG_RE.test(s) ? s : null;
}

export function roomLink(slug: string): string {
  return `${location.origin}/${encodeURIComponent(slug)}`;
}

// "Ada Lovelace" -> "AL", "bob" -> "B"
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (!words.length) return '?';
  const first = [...words[0]][0] ?? '';
  const last = words.length > 1 ? [...words[words.length - 1]][0] ?? '' : '';
  return (first + last).toUpperCase();
}
