// What can go wrong on the way into a meeting, sorted into the error
// screens the person sees.
import { ConnectionError, ConnectionErrorReason } from 'livekit-client';

export type ErrorKind =
  | 'media-denied'    // camera or microphone refused (NotAllowedError)
  | 'unreachable'     // the room endpoint or signaling cannot be reached
  | 'media-blocked'   // signaling works, audio and video (UDP) do not get through
  | 'room-full'       // signaling refused the join: "room is full"
  | 'token-refused'   // the room endpoint or signaling refused access
  | 'bad-room'        // not a valid room name
  | 'disconnected'    // the meeting ended under us (server, network, other tab)
  | 'unsupported';    // no WebRTC in this browser

export class AppError extends Error {
  constructor(readonly kind: ErrorKind, message: string, readonly detail = '') {
    super(message);
    this.name = 'AppError';
  }
}

// getUserMedia / createLocalTracks failures: a refusal (by the person or by
// the browser's site settings) is an error screen; anything else (no such
// device, device busy) the pre-join screen reports itself.
export function isMediaDenied(e: unknown): boolean {
  const name = (e as { name?: string } | null)?.name;
  return name === 'NotAllowedError' || name === 'PermissionDeniedError'
    || name === 'SecurityError';
}

// room.connect() failures.  livekit-client asks /rtc/v1/validate after a
// failed WebSocket upgrade and reports 401/403 as NotAllowed with the
// server's reason as message: ngx_meet says "room is full: ..." for a full
// room (HTTP 403), and names the token problem for a refused token (401).
export function fromConnectError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  if (e instanceof ConnectionError) {
    if (e.reason === ConnectionErrorReason.NotAllowed) {
      if (/room is full|max(imum)? participants/i.test(msg)) {
        return new AppError('room-full', 'This meeting is full.', msg);
      }
      return new AppError('token-refused', 'The server refused to let you in.', msg);
    }
    if (e.reason === ConnectionErrorReason.Cancelled) {
      return new AppError('disconnected', 'Joining was cancelled.', msg);
    }
    // signaling worked, the media path (ICE, UDP to the server) did not
    if (/pc connection|publisher connection|subscriber connection/i.test(msg)) {
      return new AppError('media-blocked', 'No audio and video connection.', msg);
    }
  }
  return new AppError('unreachable', 'The meeting server cannot be reached.', msg);
}

interface ErrorText { title: string; body: string }

const TEXT: Record<ErrorKind, ErrorText> = {
  'media-denied': {
    title: 'Camera or microphone blocked',
    body: 'Your browser did not allow this page to use the camera or the microphone. '
      + 'Allow them in the site settings (the icon at the left of the address bar), then try again. '
      + 'You can also join without them.',
  },
  unreachable: {
    title: 'Cannot reach the meeting server',
    body: 'The server did not answer. Check your network connection and try again in a moment.',
  },
  'media-blocked': {
    title: 'No audio and video connection',
    body: 'The meeting server answered, but audio and video could not get through: '
      + 'a firewall or the network may block its media port (UDP). '
      + 'Try again on another network, or ask the administrator of the server.',
  },
  'room-full': {
    title: 'This meeting is full',
    body: 'The meeting has reached its maximum number of participants. Try again when someone leaves.',
  },
  'token-refused': {
    title: 'You cannot join this meeting',
    body: 'The server refused access to this meeting. You may need to sign in, '
      + 'or anonymous meetings are turned off on this server.',
  },
  'bad-room': {
    title: 'Not a meeting name',
    body: 'Meeting names use lowercase letters, digits, dots, dashes and underscores '
      + '(at most 64 characters), for example bak-tuzo-mip.',
  },
  disconnected: {
    title: 'Disconnected from the meeting',
    body: 'The connection to the meeting ended. You can join again.',
  },
  unsupported: {
    title: 'This browser cannot join meetings',
    body: 'It does not support WebRTC. Use a recent Firefox, Chromium, Chrome, Edge or Safari.',
  },
};

export function errorText(kind: ErrorKind): ErrorText {
  return TEXT[kind];
}
