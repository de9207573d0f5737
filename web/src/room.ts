// The meeting: a grid of video tiles (camera and screen shares) with names,
// speaking highlight and muted microphones; controls for microphone,
// camera, screen share and leaving.
import {
  DisconnectReason, LocalTrack, Participant, Room, RoomEvent, Track, TrackPublication,
  RemoteTrack,
} from 'livekit-client';
import { h, icon, mount, copyText, toast, setToggle } from './dom';
import { ICON } from './icons';
import { fetchRoom, signalUrl } from './api';
import { AppError, fromConnectError, isMediaDenied } from './errors';
import { initials, roomLink } from './names';
import { LevelMeter, SPEAKING_LEVEL } from './level';
import { showError, showLeft } from './screens';
import { setupChat } from './chat';

export interface Session {
  slug: string;
  name: string;
  room: Room;
}

// Room endpoint, then signaling on this page's own origin.  Throws AppError.
export async function connectRoom(slug: string, name: string): Promise<Session> {
  const access = await fetchRoom(slug, name);
  // adaptive stream: each tile asks ngx_meet for the simulcast layer its
  // size needs (UpdateTrackSettings) and pauses hidden videos; dynacast:
  // ngx_meet tells publishers which layers anybody watches
  const room = new Room({ adaptiveStream: true, dynacast: true });
  try {
    await room.connect(signalUrl(), access.token);
  } catch (e) {
    await room.disconnect().catch(() => {});
    throw fromConnectError(e);
  }
  return { slug, name, room };
}

type Kind = 'camera' | 'screen';

interface Tile {
  el: HTMLElement;
  video: HTMLVideoElement;
  avatar: HTMLElement;
  nameEl: HTMLElement;
  micEl: HTMLElement;
  attached?: Track;
}

const HOLD_MS = 800;       // speaking highlight stays this long after a loud moment

export function showRoom(session: Session, tracks: LocalTrack[], rejoin: () => void): void {
  const { room, slug } = session;
  const lp = room.localParticipant;
  const tiles = new Map<string, Tile>();
  const meters = new Map<string, LevelMeter>();
  const loudUntil = new Map<string, number>();
  let leaving = false;

  document.title = `${slug} - Meet`;

  // ---------------------------------------------------------- elements
  const grid = h('div', { class: 'grid', 'data-testid': 'room-grid' });
  const audioBox = h('div', { class: 'audio-sinks', hidden: true });
  const count = h('span', { class: 'count', 'data-testid': 'room-count' });
  const banner = h('div', { class: 'banner', role: 'status', hidden: true, 'data-testid': 'room-banner' });
  const alone = h('div', { class: 'alone', 'data-testid': 'room-alone', hidden: true },
    h('p', {}, 'You are the only one here. Send this link to invite others:'),
    h('code', {}, roomLink(slug)),
    h('button', { class: 'btn secondary', onclick: () => copyLink() }, icon(ICON.link), 'Copy link'));
  const audioBtn = h('button', {
    class: 'btn secondary', hidden: true, 'data-testid': 'room-start-audio',
    onclick: () => { void room.startAudio().then(sync); },
  }, 'Allow audio');
  const micBtn = h('button', { class: 'round', 'data-testid': 'toggle-mic', onclick: () => toggle('mic') });
  const camBtn = h('button', { class: 'round', 'data-testid': 'toggle-camera', onclick: () => toggle('camera') });
  const screenBtn = h('button', { class: 'round', 'data-testid': 'toggle-screen', onclick: () => toggle('screen') },
    icon(ICON.screen));
  const leaveBtn = h('button', {
    class: 'round danger', 'data-testid': 'leave', 'aria-label': 'Leave the meeting', title: 'Leave the meeting',
    onclick: () => { void leave(); },
  }, icon(ICON.leave));

  const chat = setupChat(room, displayName);

  const screen = h('section', { class: 'screen room', 'data-testid': 'room-screen' },
    h('header', { class: 'room-header' },
      h('h1', {}, h('span', { 'data-testid': 'room-name' }, slug)),
      count,
      h('button', { class: 'btn ghost small', 'data-testid': 'room-copy-link', onclick: () => copyLink() },
        icon(ICON.link), 'Copy link')),
    banner,
    h('div', { class: 'middle' }, h('div', { class: 'stage' }, grid, alone, chat.reactions), chat.panel),
    h('nav', { class: 'controls', 'aria-label': 'Meeting controls' }, audioBtn, micBtn, camBtn, screenBtn,
      chat.reactBar, chat.chatBtn, leaveBtn),
    audioBox);

  const speakTimer = window.setInterval(updateSpeaking, 200);
  mount(screen, () => {
    leaving = true;
    clearInterval(speakTimer);
    chat.stop();
    resizer.disconnect();
    meters.forEach((m) => m.stop());
    tiles.forEach((t) => t.attached?.detach(t.video));
    void room.disconnect();
  });

  async function copyLink(): Promise<void> {
    toast(await copyText(roomLink(slug)) ? 'Link copied' : `Meeting link: ${roomLink(slug)}`);
  }

  // ------------------------------------------------------------- tiles
  function displayName(p: Participant): string {
    return p.name || p.identity;
  }

  function makeTile(p: Participant, kind: Kind): Tile {
    const video = h('video', { autoplay: true, playsinline: true, muted: true, 'data-testid': 'tile-video' });
    video.muted = true;   // sound comes from the audio elements
    const avatar = h('div', { class: 'avatar', 'data-testid': 'tile-avatar' }, h('span', {}));
    const nameEl = h('span', { class: 'name', 'data-testid': 'tile-name' });
    const micEl = h('span', { class: 'muted', 'data-testid': 'tile-muted', title: 'Microphone off' },
      icon(ICON.micOff));
    const el = h('div', {
      class: `tile ${kind}`, 'data-testid': 'tile', 'data-identity': p.identity, 'data-source': kind,
      'data-local': String(p === lp),
    }, video, avatar, h('div', { class: 'label' }, micEl, nameEl));
    if (kind === 'camera' && p === lp) video.classList.add('mirror');
    return { el, video, avatar, nameEl, micEl };
  }

  function updateTile(t: Tile, p: Participant, kind: Kind, pub?: TrackPublication): void {
    const track = pub?.track;
    const showing = !!track && !pub!.isMuted;
    if (track !== t.attached) {
      t.attached?.detach(t.video);
      track?.attach(t.video);
      t.attached = track;
    }
    const name = displayName(p) + (p === lp ? ' (you)' : '') + (kind === 'screen' ? ' · screen' : '');
    if (t.nameEl.textContent !== name) t.nameEl.textContent = name;
    t.el.dataset.name = displayName(p);
    const ini = initials(displayName(p));
    if (t.avatar.firstElementChild!.textContent !== ini) t.avatar.firstElementChild!.textContent = ini;
    t.el.dataset.video = showing ? 'on' : 'off';
    t.video.hidden = !showing;
    t.avatar.hidden = showing;
    const mic = p.getTrackPublication(Track.Source.Microphone);
    t.micEl.hidden = kind === 'screen' || (!!mic && !mic.isMuted);
  }

  function sync(): void {
    if (leaving) return;
    const parts: Participant[] = [lp, ...room.remoteParticipants.values()];
    const order: string[] = [];
    const cameras: string[] = [];
    for (const p of parts) {
      const screenPub = p.getTrackPublication(Track.Source.ScreenShare);
      const want: [Kind, TrackPublication | undefined][] = [['camera', p.getTrackPublication(Track.Source.Camera)]];
      if (screenPub?.track) want.push(['screen', screenPub]);
      for (const [kind, pub] of want) {
        const key = `${kind}:${p.identity}`;
        let t = tiles.get(key);
        if (!t) {
          t = makeTile(p, kind);
          tiles.set(key, t);
        }
        updateTile(t, p, kind, pub);
        (kind === 'screen' ? order : cameras).push(key);
      }
    }
    order.push(...cameras);
    for (const [key, t] of tiles) {
      if (!order.includes(key)) {
        t.attached?.detach(t.video);
        t.el.remove();
        tiles.delete(key);
      }
    }
    // screen shares first, then everyone's camera tile in joining order
    order.forEach((key, i) => {
      const el = tiles.get(key)!.el;
      if (grid.children[i] !== el) grid.insertBefore(el, grid.children[i] ?? null);
    });
    grid.dataset.count = String(order.length);
    layout();
    count.textContent = parts.length === 1 ? '1 person' : `${parts.length} people`;
    alone.hidden = room.remoteParticipants.size > 0;
    audioBtn.hidden = room.canPlaybackAudio;

    setToggle(micBtn, lp.isMicrophoneEnabled, ICON.mic, ICON.micOff, 'microphone');
    setToggle(camBtn, lp.isCameraEnabled, ICON.cam, ICON.camOff, 'camera');
    const sharing = lp.isScreenShareEnabled;
    screenBtn.classList.toggle('active', sharing);
    screenBtn.setAttribute('aria-pressed', String(sharing));
    screenBtn.dataset.state = sharing ? 'on' : 'off';
    const label = sharing ? 'Stop presenting' : 'Present your screen';
    screenBtn.setAttribute('aria-label', label);
    screenBtn.title = label;
    updateSpeaking();
  }

  // Tiles of 16:9 as large as the stage allows: the column count whose
  // tiles come out widest wins.
  function layout(): void {
    const n = tiles.size;
    if (!n) return;
    const gap = 12;
    const W = grid.clientWidth;
    const H = grid.clientHeight;
    let best = { cols: 1, w: 0 };
    for (let cols = 1; cols <= n; cols++) {
      const rows = Math.ceil(n / cols);
      const w = Math.min((W - gap * (cols - 1)) / cols, ((H - gap * (rows - 1)) / rows) * 16 / 9);
      if (w > best.w) best = { cols, w };
    }
    grid.style.setProperty('--cols', String(best.cols));
    grid.style.setProperty('--tile-w', `${Math.max(160, Math.floor(best.w))}px`);
  }
  const resizer = new ResizeObserver(layout);
  resizer.observe(grid);

  // Speaking: the server's active speakers (ActiveSpeakersChanged) and the
  // levels measured here of each microphone track, held for HOLD_MS.
  function updateSpeaking(): void {
    if (leaving) return;
    const now = Date.now();
    const parts: Participant[] = [lp, ...room.remoteParticipants.values()];
    const seen = new Set<string>();
    for (const p of parts) {
      const pub = p.getTrackPublication(Track.Source.Microphone);
      const mst = pub?.track && !pub.isMuted ? pub.track.mediaStreamTrack : undefined;
      let m = meters.get(p.identity);
      if (m && m.track !== mst) {
        m.stop();
        meters.delete(p.identity);
        m = undefined;
      }
      if (!m && mst) {
        m = new LevelMeter(mst);
        meters.set(p.identity, m);
      }
      seen.add(p.identity);
      if (m && m.level() > SPEAKING_LEVEL) loudUntil.set(p.identity, now + HOLD_MS);
      const speaking = p.isSpeaking || (loudUntil.get(p.identity) ?? 0) > now;
      const t = tiles.get(`camera:${p.identity}`);
      if (t && t.el.dataset.speaking !== String(speaking)) {
        t.el.dataset.speaking = String(speaking);
        t.el.classList.toggle('speaking', speaking);
      }
    }
    for (const [id, m] of meters) {
      if (!seen.has(id)) {
        m.stop();
        meters.delete(id);
        loudUntil.delete(id);
      }
    }
  }

  // ---------------------------------------------------------- controls
  async function toggle(what: 'mic' | 'camera' | 'screen'): Promise<void> {
    try {
      if (what === 'mic') await lp.setMicrophoneEnabled(!lp.isMicrophoneEnabled);
      else if (what === 'camera') await lp.setCameraEnabled(!lp.isCameraEnabled);
      else await lp.setScreenShareEnabled(!lp.isScreenShareEnabled, { audio: false });
    } catch (e) {
      const thing = what === 'mic' ? 'microphone' : what === 'camera' ? 'camera' : 'screen sharing';
      toast(isMediaDenied(e)
        ? `The browser blocked the ${thing}.`
        : `Could not change the ${thing}: ${e instanceof Error ? e.message : e}`);
    }
    sync();
  }

  async function leave(): Promise<void> {
    leaving = true;
    await room.disconnect();
    showLeft(slug, rejoin);
  }

  // ------------------------------------------------------------ events
  room
    .on(RoomEvent.ParticipantConnected, sync)
    .on(RoomEvent.ParticipantDisconnected, sync)
    .on(RoomEvent.ParticipantNameChanged, sync)
    .on(RoomEvent.TrackPublished, sync)
    .on(RoomEvent.TrackUnpublished, sync)
    .on(RoomEvent.TrackSubscribed, (track: RemoteTrack) => {
      if (track.kind === Track.Kind.Audio) audioBox.append(track.attach());
      sync();
    })
    .on(RoomEvent.TrackUnsubscribed, (track: RemoteTrack) => {
      if (track.kind === Track.Kind.Audio) track.detach().forEach((el) => el.remove());
      sync();
    })
    .on(RoomEvent.TrackMuted, sync)
    .on(RoomEvent.TrackUnmuted, sync)
    .on(RoomEvent.LocalTrackPublished, sync)
    .on(RoomEvent.LocalTrackUnpublished, sync)
    .on(RoomEvent.ActiveSpeakersChanged, updateSpeaking)
    .on(RoomEvent.AudioPlaybackStatusChanged, sync)
    .on(RoomEvent.MediaDevicesError, (e: Error) => toast(`Device problem: ${e.message}`))
    .on(RoomEvent.Reconnecting, () => {
      banner.textContent = 'Connection lost, reconnecting…';
      banner.hidden = false;
    })
    .on(RoomEvent.Reconnected, () => {
      banner.hidden = true;
      sync();
    })
    .on(RoomEvent.Disconnected, (reason?: DisconnectReason) => {
      if (leaving) return;
      leaving = true;
      showError(new AppError('disconnected', disconnectText(reason), `reason ${reason ?? 'unknown'}`),
        { retry: rejoin });
    });

  sync();
  // the tracks of the pre-join screen, published as they are
  void (async () => {
    for (const t of tracks) {
      try {
        await lp.publishTrack(t);
      } catch (e) {
        toast(`Could not send your ${t.kind === Track.Kind.Video ? 'camera' : 'microphone'}: `
          + `${e instanceof Error ? e.message : e}`);
      }
    }
    sync();
  })();
}

function disconnectText(reason?: DisconnectReason): string {
  switch (reason) {
    case DisconnectReason.DUPLICATE_IDENTITY:
      return 'You joined this meeting from another tab or device.';
    case DisconnectReason.PARTICIPANT_REMOVED:
      return 'You were removed from the meeting.';
    case DisconnectReason.ROOM_DELETED:
      return 'The meeting was ended.';
    case DisconnectReason.SERVER_SHUTDOWN:
      return 'The server is shutting down.';
    default:
      return 'The connection to the meeting was lost.';
  }
}
