// Small DOM helpers: h() builds elements, mount() replaces the screen.

type Attrs = Record<string, string | number | boolean | EventListener | null | undefined>;
export type Child = Node | string | null | undefined | false;

// h('button', { class: 'btn', onclick: fn, 'data-testid': 'x' }, 'Label')
// Attributes starting with "on" are event listeners; false/null/undefined
// attributes are left out; true gives an empty attribute.
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2), v);
    } else if (k === 'value' && 'value' in el) {
      (el as HTMLInputElement).value = String(v);
    } else {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, ...children);
  return el;
}

export function append(el: Element, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

// An inline SVG icon from icons.ts (markup parsed by the HTML parser, so no
// namespace URL is needed), hidden from assistive technology: the button
// around it carries the label.
export function icon(svg: string): HTMLSpanElement {
  const s = h('span', { class: 'icon', 'aria-hidden': 'true' });
  s.innerHTML = svg;
  return s;
}

let cleanup: (() => void) | null = null;

// Shows one screen in #app; `onLeave` runs when the next screen replaces it
// (stops preview tracks, disconnects a room ...).
export function mount(screen: HTMLElement, onLeave?: () => void): void {
  const old = cleanup;
  cleanup = null;
  if (old) old();
  const app = document.getElementById('app')!;
  app.replaceChildren(screen);
  cleanup = onLeave ?? null;
  const focus = screen.querySelector<HTMLElement>('[autofocus]') ?? screen.querySelector<HTMLElement>('h1');
  if (focus) {
    if (focus.tagName === 'H1') focus.tabIndex = -1;
    focus.focus({ preventScroll: true });
  }
}

// Copies text to the clipboard; falls back to a selected text field and
// execCommand where navigator.clipboard is missing (plain HTTP to a
// non-local host is not a secure context).
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch { /* fall back below */ }
  const ta = h('textarea', { class: 'offscreen', readonly: true }, text);
  document.body.append(ta);
  ta.select();
  let ok = false;
  try { ok = document.execCommand('copy'); } catch { ok = false; }
  ta.remove();
  return ok;
}

// A short message at the bottom of the screen, gone after a few seconds.
export function toast(text: string, ms = 3500): void {
  let box = document.getElementById('toasts');
  if (!box) {
    box = h('div', { id: 'toasts', class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.append(box);
  }
  const t = h('div', { class: 'toast', 'data-testid': 'toast' }, text);
  box.append(t);
  setTimeout(() => t.remove(), ms);
}

// A round on/off button (camera, microphone): icon, pressed state, label.
export function setToggle(btn: HTMLButtonElement, on: boolean, onIcon: string, offIcon: string,
  what: string): void {
  btn.replaceChildren(icon(on ? onIcon : offIcon));
  btn.classList.toggle('off', !on);
  btn.setAttribute('aria-pressed', String(on));
  btn.setAttribute('data-state', on ? 'on' : 'off');
  const label = on ? `Turn off ${what}` : `Turn on ${what}`;
  btn.setAttribute('aria-label', label);
  btn.title = label;
}
