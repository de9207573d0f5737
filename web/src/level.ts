// Audio levels of microphone tracks (the pre-join meter, the speaking
// highlight in the room), measured in the browser with one shared
// AudioContext: the server does not have to send speaker updates.

let ctx: AudioContext | null = null;

function context(): AudioContext | null {
  if (!ctx) {
    const C = window.AudioContext ?? (window as any).webkitAudioContext;
    if (!C) return null;
    ctx = new C() as AudioContext;
  }
  if (ctx.state === 'suspended') void ctx.resume().catch(() => {});
  return ctx;
}

export class LevelMeter {
  private source: MediaStreamAudioSourceNode | null = null;
  private analyser: AnalyserNode | null = null;
  private buf: Float32Array<ArrayBuffer> | null = null;

  constructor(readonly track: MediaStreamTrack) {
    const c = context();
    if (!c) return;
    try {
      this.source = c.createMediaStreamSource(new MediaStream([track]));
      this.analyser = c.createAnalyser();
      // the last ~680 ms at 48 kHz: longer than the time between two
      // polls, so a short sound between them is not missed
      this.analyser.fftSize = 32768;
      this.source.connect(this.analyser);
      this.buf = new Float32Array(this.analyser.fftSize);
    } catch {
      this.stop();
    }
  }

  // The loudest moment of the last ~680 ms, 0..1: the highest RMS of its
  // ~21 ms slices (a poll every 200 ms sees every beep and syllable, not
  // only those that happen to sound at the moment it looks)
  level(): number {
    if (!this.analyser || !this.buf) return 0;
    this.analyser.getFloatTimeDomainData(this.buf);
    let peak = 0;
    for (let i = 0; i + SLICE <= this.buf.length; i += SLICE) {
      let sum = 0;
      for (let k = i; k < i + SLICE; k++) sum += this.buf[k] * this.buf[k];
      peak = Math.max(peak, sum / SLICE);
    }
    return Math.sqrt(peak);
  }

  stop(): void {
    try { this.source?.disconnect(); } catch { /* already */ }
    this.source = null;
    this.analyser = null;
    this.buf = null;
  }
}

// samples of one slice of level(): ~21 ms at 48 kHz
const SLICE = 1024;

// RMS above which a microphone counts as speaking
export const SPEAKING_LEVEL = 0.015;
