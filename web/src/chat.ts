// Chat and reactions in the room, over LiveKit data messages:
// - chat as text streams on topic "lk.chat" (localParticipant.sendText /
//   room.registerTextStreamHandler), what livekit's components send;
// - reactions as La Suite Meet sends them: publishData of the JSON
//   {"type": "reactionReceived", "data": {"emoji": "<name>"}}, reliable,
//   no topic (Meet: features/reactions/hooks/useReactions.ts and
//   features/notifications/hooks/useNotifyParticipants.ts), so Meet's own
//   frontend and this one see each other's reactions.
import { Participant, Room, RoomEvent, TextStreamReader } from 'livekit-client';
import { h, icon, toast } from './dom';
import { ICON } from './icons';

export const CHAT_TOPIC = 'lk.chat';
const REACTION_TYPE = 'reactionReceived';
const REACTION_MS = 3000;

// Meet's emoji names and the characters we show for them
export const EMOJI: Record<string, string> = {
  'thumbs-up': '\u{1F44D}',
  'thumbs-down': '\u{1F44E}',
  'clapping-hands': '\u{1F44F}',
  'red-heart': '\u{2764}\u{FE0F}',
  'face-with-tears-of-joy': '\u{1F602}',
  'face-with-open-mouth': '\u{1F62E}',
  'party-popper': '\u{1F389}',
};

export interface ChatParts {
  panel: HTMLElement;       // the chat side panel (hidden until opened)
  chatBtn: HTMLButtonElement;
  reactBar: HTMLElement;    // the reaction buttons
  reactions: HTMLElement;   // where reactions float, over the stage
  stop: () => void;
}

export function setupChat(room: Room, nameOf: (p: Participant) => string): ChatParts {
  const lp = room.localParticipant;
  const list = h('ol', { class: 'chat-list', 'data-testid': 'chat-list', 'aria-live': 'polite' });
  const input = h('input', {
    class: 'chat-input', 'data-testid': 'chat-input', maxlength: 2000, autocomplete: 'off',
    'aria-label': 'Message', placeholder: 'Send a message to everyone',
  });
  const form = h('form', {
    class: 'chat-form',
    onsubmit: (e: Event) => { e.preventDefault(); void send(); },
  }, input, h('button', { class: 'btn small', type: 'submit', 'data-testid': 'chat-send' }, 'Send'));
  const panel = h('aside', { class: 'chat', 'data-testid': 'chat-panel', hidden: true, 'aria-label': 'Chat' },
    h('h2', {}, 'Messages'), list, form);
  const chatBtn = h('button', {
    class: 'round', 'data-testid': 'toggle-chat', 'aria-label': 'Chat', title: 'Chat',
    onclick: () => {
      panel.hidden = !panel.hidden;
      chatBtn.classList.toggle('active', !panel.hidden);
      chatBtn.classList.remove('unread');
      if (!panel.hidden) input.focus();
    },
  }, icon(ICON.chat));
  const reactions = h('div', { class: 'reactions', 'data-testid': 'reactions', 'aria-live': 'polite' });
  const reactBar = h('div', { class: 'react-bar', role: 'group', 'aria-label': 'Reactions' },
    ...Object.entries(EMOJI).map(([name, ch]) => h('button', {
      class: 'react', 'data-testid': `react-${name}`, 'aria-label': name.replace(/-/g, ' '),
      title: name.replace(/-/g, ' '), onclick: () => { void react(name); },
    }, ch)));

  function addMessage(from: string, text: string, mine: boolean): void {
    list.append(h('li', { class: mine ? 'mine' : '', 'data-testid': 'chat-message', 'data-from': from },
      h('b', {}, from), ' ', text));
    list.scrollTop = list.scrollHeight;
    if (panel.hidden && !mine) chatBtn.classList.add('unread');
  }

  async function send(): Promise<void> {
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    try {
      await lp.sendText(text, { topic: CHAT_TOPIC });
      addMessage(nameOf(lp), text, true);
    } catch (e) {
      input.value = text;
      toast(`Could not send the message: ${e instanceof Error ? e.message : e}`);
    }
  }

  function showReaction(name: string, who: string): void {
    const el = h('div', { class: 'reaction', 'data-testid': 'reaction', 'data-emoji': name, 'data-from': who },
      h('span', { class: 'emoji' }, EMOJI[name]), h('span', { class: 'who' }, who));
    reactions.append(el);
    setTimeout(() => el.remove(), REACTION_MS);
  }

  async function react(name: string): Promise<void> {
    showReaction(name, nameOf(lp));
    const data = new TextEncoder().encode(JSON.stringify({ type: REACTION_TYPE, data: { emoji: name } }));
    await lp.publishData(data, { reliable: true }).catch((e: unknown) =>
      toast(`Could not send the reaction: ${e instanceof Error ? e.message : e}`));
  }

  const onData = (payload: Uint8Array, p?: Participant): void => {
    if (!p) return;
    try {
      const msg = JSON.parse(new TextDecoder().decode(payload));
      const name = msg && msg.type === REACTION_TYPE && msg.data && msg.data.emoji;
      if (typeof name === 'string' && name in EMOJI) showReaction(name, nameOf(p));
    } catch {
      // not JSON: not ours
    }
  };
  room.on(RoomEvent.DataReceived, onData);
  room.registerTextStreamHandler(CHAT_TOPIC, async (reader: TextStreamReader, from) => {
    const text = await reader.readAll();
    const p = room.getParticipantByIdentity(from.identity);
    addMessage(p ? nameOf(p) : from.identity, text, false);
  });

  return {
    panel, chatBtn, reactBar, reactions,
    stop: () => {
      room.off(RoomEvent.DataReceived, onData);
      room.unregisterTextStreamHandler(CHAT_TOPIC);
    },
  };
}
