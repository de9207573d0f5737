// ngx_meet web app: home, pre-join, room and error screens on livekit-client.
import './app.css';
import { isBrowserSupported } from 'livekit-client';
import { setRouter } from './nav';
import { roomFromPath } from './names';
import { AppError } from './errors';
import { showHome, showError } from './screens';
import { showPrejoin } from './prejoin';

function route(): void {
  const path = location.pathname;
  if (path === '/' || path === '/index.html') {
    showHome();
    return;
  }
  const slug = roomFromPath(path);
  if (!slug) {
    showError(new AppError('bad-room', `"${decodeURIComponentSafe(path.slice(1))}" is not a meeting name.`));
    return;
  }
  if (path !== `/${slug}`) history.replaceState(null, '', `/${slug}`);
  if (!isBrowserSupported()) {
    showError(new AppError('unsupported', 'This browser cannot join meetings.'));
    return;
  }
  showPrejoin(slug);
}

function decodeURIComponentSafe(s: string): string {
  try { return decodeURIComponent(s); } catch { return s; }
}

setRouter(route);
window.addEventListener('popstate', route);
route();
