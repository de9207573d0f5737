// Pre-join screen: display name, camera and microphone preview, device
// choice, then "Join".
import {
  createLocalTracks, LocalAudioTrack, LocalTrack, LocalVideoTrack, Room, Track,
  VideoPresets,
} from 'livekit-client';
import { h, icon, mount, copyText, toast, setToggle } from './dom';
import { ICON } from './icons';
import { navigate } from './nav';
import { initials, roomLink } from './names';
import { loadPrefs, savePrefs } from './prefs';
import { AppError, fromConnectError, isMediaDenied } from './errors';
import { LevelMeter } from './level';
import { accountBar, currentUser, showError } from './screens';
import { connectRoom, showRoom } from './room';

interface Local {
  video?: LocalVideoTrack;
  audio?: LocalAudioTrack;
}

export function showPrejoin(slug: string, opts: { noMedia?: boolean } = {}): void {
  document.title = `${slug} - Meet`;
  const prefs = loadPrefs();
  let cameraOn = opts.noMedia ? false : prefs.cameraOn;
  let micOn = opts.noMedia ? false : prefs.micOn;
  const local: Local = {};
  let alive = true;
  let handedOver = false;
  let meter: LevelMeter | null = null;
  let meterTimer = 0;

  const retry = () => showPrejoin(slug);
  const withoutMedia = () => showPrejoin(slug, { noMedia: true });

  // ---------------------------------------------------------- elements
  const video = h('video', {
    class: 'mirror', autoplay: true, playsinline: true, muted: true, 'data-testid': 'prejoin-video',
  });
  video.muted = true;
  const nameInput = h('input', {
    id: 'prejoin-name', type: 'text', maxlength: 64, autocomplete: 'name',
    value: prefs.name, placeholder: 'Your name', 'data-testid': 'prejoin-name',
    'aria-describedby': 'prejoin-name-error', autofocus: true,
  });
  const avatar = h('div', { class: 'avatar', 'data-testid': 'prejoin-avatar' },
    h('span', {}, initials(prefs.name || '?')));
  const camBtn = h('button', { type: 'button', class: 'round', 'data-testid': 'prejoin-toggle-camera' });
  const micBtn = h('button', { type: 'button', class: 'round', 'data-testid': 'prejoin-toggle-mic' });
  const camSelect = h('select', { id: 'prejoin-camera', 'data-testid': 'prejoin-camera-select' });
  const micSelect = h('select', { id: 'prejoin-mic', 'data-testid': 'prejoin-mic-select' });
  const level = h('div', { class: 'meter-bar' });
  const notice = h('p', { class: 'notice', 'data-testid': 'prejoin-notice', hidden: true });
  const nameError = h('p', { id: 'prejoin-name-error', class: 'field-error', hidden: true },
    'Type the name the others will see.');
  const status = h('p', { class: 'status', 'data-testid': 'prejoin-status', 'aria-live': 'polite' });
  const joinBtn = h('button', { type: 'submit', class: 'btn primary big', 'data-testid': 'prejoin-join' }, 'Join now');
  const link = roomLink(slug);

  nameInput.addEventListener('input', () => {
    avatar.firstElementChild!.textContent = initials(nameInput.value || '?');
    nameError.hidden = true;
    nameInput.removeAttribute('aria-invalid');
  });

  const form = h('form', { class: 'card join-col', onsubmit: (ev: Event) => { ev.preventDefault(); void join(); } },
    h('h1', {}, 'Ready to join?'),
    h('p', { class: 'room-name' }, 'Meeting ', h('strong', { 'data-testid': 'prejoin-room' }, slug)),
    h('div', { class: 'link-row' },
      h('input', { type: 'text', readonly: true, value: link, 'aria-label': 'Meeting link', 'data-testid': 'room-link' }),
      h('button', {
        type: 'button', class: 'btn secondary', 'data-testid': 'copy-link',
        onclick: async () => toast(await copyText(link) ? 'Link copied' : 'Copy the link from the field'),
      }, icon(ICON.link), 'Copy link')),
    h('label', { for: 'prejoin-name' }, 'Your name'),
    nameInput, nameError,
    joinBtn, status,
    h('button', { type: 'button', class: 'btn ghost', onclick: () => navigate('/') }, 'Back to home'));

  // signed in and no name chosen yet: the account's name
  if (!prefs.name) {
    void currentUser().then((me) => {
      if (me && !nameInput.value && me.full_name) {
        nameInput.value = me.full_name;
        avatar.firstElementChild!.textContent = initials(me.full_name);
      }
    });
  }

  const screen = h('section', { class: 'screen prejoin', 'data-testid': 'prejoin-screen' },
    accountBar(),
    h('div', { class: 'prejoin-grid' },
      h('div', { class: 'preview-col' },
        h('div', { class: 'preview' }, video, avatar,
          h('div', { class: 'preview-controls' }, micBtn, camBtn)),
        h('div', { class: 'meter', 'aria-hidden': 'true' }, level),
        notice,
        h('div', { class: 'devices' },
          h('label', { for: 'prejoin-camera' }, 'Camera'), camSelect,
          h('label', { for: 'prejoin-mic' }, 'Microphone'), micSelect)),
      form));

  mount(screen, () => {
    alive = false;
    stopMeter();
    navigator.mediaDevices?.removeEventListener?.('devicechange', refreshDevices);
    if (!handedOver) {
      local.video?.stop();
      local.audio?.stop();
    }
  });

  // ----------------------------------------------------------- devices
  function render(): void {
    const showVideo = cameraOn && !!local.video;
    video.hidden = !showVideo;
    avatar.hidden = showVideo;
    setToggle(camBtn, cameraOn, ICON.cam, ICON.camOff, 'camera');
    setToggle(micBtn, micOn, ICON.mic, ICON.micOff, 'microphone');
    camSelect.disabled = !cameraOn;
    micSelect.disabled = !micOn;
  }

  function stopMeter(): void {
    clearInterval(meterTimer);
    meter?.stop();
    meter = null;
    level.style.width = '0';
  }

  function startMeter(): void {
    stopMeter();
    if (!local.audio) return;
    meter = new LevelMeter(local.audio.mediaStreamTrack);
    meterTimer = window.setInterval(() => {
      level.style.width = `${Math.min(100, Math.round((meter?.level() ?? 0) * 400))}%`;
    }, 100);
  }

  function say(text: string): void {
    notice.textContent = text;
    notice.hidden = !text;
  }

  // Opens the devices asked for; false when the browser refused (the error
  // screen is up then).
  async function acquire(wantVideo: boolean, wantAudio: boolean): Promise<boolean> {
    if (!wantVideo && !wantAudio) return true;
    const ask = (useSaved: boolean) => createLocalTracks({
      video: wantVideo ? {
        resolution: VideoPresets.h720.resolution,
        ...(useSaved && prefs.cameraId ? { deviceId: { ideal: prefs.cameraId } } : {}),
      } : false,
      audio: wantAudio ? {
        echoCancellation: true, noiseSuppression: true,
        ...(useSaved && prefs.micId ? { deviceId: { ideal: prefs.micId } } : {}),
      } : false,
    });
    let tracks: LocalTrack[] = [];
    try {
      tracks = await ask(true);
    } catch (e) {
      if (!alive) return false;
      if (isMediaDenied(e)) {
        showError(new AppError('media-denied', 'Camera or microphone blocked.',
          `${(e as Error).name}: ${(e as Error).message}`), { retry, withoutMedia });
        return false;
      }
      // no such device (any more), or busy: each kind on its own
      const got: string[] = [];
      for (const [v, a] of [[wantVideo, false], [false, wantAudio]] as const) {
        if (!v && !a) continue;
        try {
          tracks.push(...await createLocalTracks({ video: v, audio: a }));
        } catch (e2) {
          if (isMediaDenied(e2)) {
            tracks.forEach((t) => t.stop());
            if (alive) showError(new AppError('media-denied', 'Camera or microphone blocked.',
              `${(e2 as Error).name}: ${(e2 as Error).message}`), { retry, withoutMedia });
            return false;
          }
          if (v) cameraOn = false;
          if (a) micOn = false;
          got.push(v ? 'No camera can be used' : 'No microphone can be used');
        }
      }
      say(got.length ? `${got.join('. ')} (${(e as Error).name}).` : '');
    }
    if (!alive) {
      tracks.forEach((t) => t.stop());
      return false;
    }
    for (const t of tracks) {
      if (t.kind === Track.Kind.Video) {
        local.video?.stop();
        local.video = t as LocalVideoTrack;
        local.video.attach(video);
      } else if (t.kind === Track.Kind.Audio) {
        local.audio?.stop();
        local.audio = t as LocalAudioTrack;
        startMeter();
      }
    }
    return true;
  }

  async function refreshDevices(): Promise<void> {
    const fill = async (sel: HTMLSelectElement, kind: MediaDeviceKind, track?: LocalTrack) => {
      let list: MediaDeviceInfo[] = [];
      try { list = await Room.getLocalDevices(kind, false); } catch { list = []; }
      const current = track ? await track.getDeviceId(false) : undefined;
      sel.replaceChildren(...list.map((d, i) => h('option', { value: d.deviceId },
        d.label || `${kind === 'videoinput' ? 'Camera' : 'Microphone'} ${i + 1}`)));
      if (!list.length) sel.append(h('option', { value: '' }, 'None found'));
      if (current && list.some((d) => d.deviceId === current)) sel.value = current;
    };
    await fill(camSelect, 'videoinput', local.video);
    await fill(micSelect, 'audioinput', local.audio);
  }

  camSelect.addEventListener('change', async () => {
    savePrefs({ cameraId: camSelect.value });
    prefs.cameraId = camSelect.value;
    if (local.video) await local.video.setDeviceId({ exact: camSelect.value }).catch(() => {});
  });
  micSelect.addEventListener('change', async () => {
    savePrefs({ micId: micSelect.value });
    prefs.micId = micSelect.value;
    if (local.audio) {
      await local.audio.setDeviceId({ exact: micSelect.value }).catch(() => {});
      startMeter();
    }
  });

  camBtn.addEventListener('click', async () => {
    cameraOn = !cameraOn;
    savePrefs({ cameraOn });
    if (!cameraOn) {
      local.video?.stop();   // the camera light goes off
      local.video = undefined;
    } else if (!await acquire(true, false)) {
      return;
    }
    render();
    void refreshDevices();
  });
  micBtn.addEventListener('click', async () => {
    micOn = !micOn;
    savePrefs({ micOn });
    if (!micOn) {
      stopMeter();
      local.audio?.stop();
      local.audio = undefined;
    } else if (!await acquire(false, true)) {
      return;
    }
    render();
    void refreshDevices();
  });

  // -------------------------------------------------------------- join
  async function join(): Promise<void> {
    const name = nameInput.value.trim();
    if (!name) {
      nameError.hidden = false;
      nameInput.setAttribute('aria-invalid', 'true');
      nameInput.focus();
      return;
    }
    savePrefs({ name });
    joinBtn.disabled = true;
    status.textContent = 'Joining…';
    let session;
    try {
      session = await connectRoom(slug, name);
    } catch (e) {
      if (alive) showError(fromConnectError(e), { retry });
      return;
    }
    if (!alive) {     // the person went elsewhere meanwhile
      void session.room.disconnect();
      return;
    }
    handedOver = true;
    const tracks = [
      ...(cameraOn && local.video ? [local.video] : []),
      ...(micOn && local.audio ? [local.audio] : []),
    ];
    showRoom(session, tracks, retry);
  }

  render();
  void (async () => {
    if (await acquire(cameraOn, micOn)) {
      render();
      await refreshDevices();
      navigator.mediaDevices?.addEventListener?.('devicechange', refreshDevices);
    }
  })();
}
