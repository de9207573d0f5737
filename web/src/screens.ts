// The simple screens: home, errors, "you left".
import { h, mount } from './dom';
import { navigate } from './nav';
import { parseRoomInput, randomRoomName } from './names';
import { AppError, errorText } from './errors';
import { fetchMe, loginEnabled, loginUrl, LOGOUT_URL, Me } from './api';

// The signed-in user, asked once per page load (undefined: not yet known).
let mePromise: Promise<Me | null | undefined> | undefined;

export function currentUser(): Promise<Me | null | undefined> {
  if (!mePromise) mePromise = fetchMe();
  return mePromise;
}

// Top-right: "Signed in as ... · Log out", or "Log in" when the server
// offers a login; nothing when it does not.
export function accountBar(): HTMLElement {
  const bar = h('div', { class: 'account', 'data-testid': 'account', 'data-state': 'unknown' });
  void (async () => {
    const me = await currentUser();
    if (me) {
      bar.dataset.state = 'signed-in';
      bar.append(
        h('span', { class: 'account-name', 'data-testid': 'account-name' },
          `Signed in as ${me.full_name || me.email}`),
        h('a', { class: 'btn ghost small', href: LOGOUT_URL, 'data-testid': 'account-logout' }, 'Log out'));
      return;
    }
    if (me === null && await loginEnabled()) {
      bar.dataset.state = 'signed-out';
      bar.append(h('a', { class: 'btn secondary small', href: loginUrl(), 'data-testid': 'account-login' }, 'Log in'));
      return;
    }
    bar.dataset.state = 'none';
  })();
  return bar;
}


function footer(): HTMLElement {
  return h('footer', { class: 'footer' },
    `ngx_meet web app ${__APP_VERSION__} · livekit-client ${__LK_VERSION__}`);
}

export function showHome(): void {
  document.title = 'Meet';
  const input = h('input', {
    id: 'join-input', type: 'text', name: 'room', autocomplete: 'off', spellcheck: 'false',
    placeholder: 'bak-tuzo-mip', 'data-testid': 'home-join-input',
    'aria-describedby': 'join-error',
  });
  const err = h('p', { id: 'join-error', class: 'field-error', 'data-testid': 'home-join-error', hidden: true });
  const form = h('form', {
    class: 'join-form',
    onsubmit: (ev: Event) => {
      ev.preventDefault();
      const slug = parseRoomInput(input.value);
      if (!slug) {
        err.textContent = input.value.trim()
          ? 'That is not a meeting name or link. Names use lowercase letters, digits, dots, dashes and underscores.'
          : 'Type a meeting name or paste a link.';
        err.hidden = false;
        input.setAttribute('aria-invalid', 'true');
        input.focus();
        return;
      }
      navigate(`/${slug}`);
    },
  },
  h('label', { for: 'join-input' }, 'Join with a meeting name or link'),
  h('div', { class: 'row' }, input,
    h('button', { type: 'submit', class: 'btn secondary', 'data-testid': 'home-join-submit' }, 'Join')),
  err);

  mount(h('section', { class: 'screen home', 'data-testid': 'home-screen' },
    accountBar(),
    h('div', { class: 'card hero' },
      h('h1', {}, 'Video meetings'),
      h('p', { class: 'lead' }, 'Start a meeting and send the link, or join one by its name.'),
      h('button', {
        class: 'btn primary big', 'data-testid': 'home-create', autofocus: true,
        onclick: () => navigate(`/${randomRoomName()}`),
      }, 'New meeting'),
      h('div', { class: 'sep', role: 'presentation' }, h('span', {}, 'or')),
      form),
    footer()));
}

export interface ErrorActions {
  retry?: () => void;        // "Try again"
  withoutMedia?: () => void; // "Join without camera and microphone"
}

export function showError(err: AppError, actions: ErrorActions = {}): void {
  const t = errorText(err.kind);
  document.title = `${t.title} - Meet`;
  const detail = [err.message !== t.title ? err.message : '', err.detail].filter(Boolean).join(' ');
  mount(h('section', {
    class: 'screen error', role: 'alert', 'data-testid': 'error-screen', 'data-error': err.kind,
  },
  h('div', { class: 'card' },
    h('h1', {}, t.title),
    h('p', {}, t.body),
    detail ? h('details', { class: 'detail' }, h('summary', {}, 'Details'),
      h('code', { 'data-testid': 'error-detail' }, detail)) : null,
    h('div', { class: 'actions' },
      actions.retry ? h('button', {
        class: 'btn primary', 'data-testid': 'error-retry', autofocus: true, onclick: actions.retry,
      }, 'Try again') : null,
      actions.withoutMedia ? h('button', {
        class: 'btn secondary', 'data-testid': 'error-without-media', onclick: actions.withoutMedia,
      }, 'Join without camera and microphone') : null,
      h('button', {
        class: actions.retry ? 'btn ghost' : 'btn primary', 'data-testid': 'error-home',
        autofocus: !actions.retry, onclick: () => navigate('/'),
      }, 'Back to home')))));
}

export function showLeft(slug: string, rejoin: () => void): void {
  document.title = 'You left the meeting - Meet';
  mount(h('section', { class: 'screen left', 'data-testid': 'left-screen' },
    h('div', { class: 'card' },
      h('h1', {}, 'You left the meeting'),
      h('p', {}, `Meeting ${slug}`),
      h('div', { class: 'actions' },
        h('button', { class: 'btn primary', 'data-testid': 'left-rejoin', autofocus: true, onclick: rejoin }, 'Rejoin'),
        h('button', { class: 'btn ghost', 'data-testid': 'left-home', onclick: () => navigate('/') }, 'Back to home')))));
}
