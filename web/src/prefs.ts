// Choices kept in localStorage between visits: display name, devices,
// whether camera and microphone start on.  Storage may be unavailable
// (private modes, disabled cookies): then nothing is remembered.

export interface Prefs {
  name: string;
  cameraId: string;
  micId: string;
  cameraOn: boolean;
  micOn: boolean;
}

const KEY = 'ngx_meet.prefs';
const DEFAULTS: Prefs = { name: '', cameraId: '', micId: '', cameraOn: true, micOn: true };

export function loadPrefs(): Prefs {
  try {
    const raw = localStorage.getItem(KEY);
    if (raw) {
      const p = JSON.parse(raw);
      return {
        name: typeof p.name === 'string' ? p.name : '',
        cameraId: typeof p.cameraId === 'string' ? p.cameraId : '',
        micId: typeof p.micId === 'string' ? p.micId : '',
        cameraOn: p.cameraOn !== false,
        micOn: p.micOn !== false,
      };
    }
  } catch { /* no storage */ }
  return { ...DEFAULTS };
}

export function savePrefs(change: Partial<Prefs>): Prefs {
  const p = { ...loadPrefs(), ...change };
  try { localStorage.setItem(KEY, JSON.stringify(p)); } catch { /* no storage */ }
  return p;
}
