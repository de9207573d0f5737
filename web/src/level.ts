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
      this.analyser.fftSize = 1024;
      this.source.connect(this.analyser);
      this.buf = new Float32Array(this.analyser.fftSize);
    } catch {
      this.stop();
    }
  }

  // RMS of the last few milliseconds, 0..1
  level(): number {
    if (!this.analyser || !this.buf) return 0;
    this.analyser.getFloatTimeDomainData(this.buf);
    let sum = 0;
    for (const v of this.buf) sum += v * v;
    return Math.sqrt(sum / this.buf.length);
  }

  stop(): void {
    try { this.source?.disconnect(); } catch { /* already */ }
    this.source = null;
    this.analyser = null;
    this.buf = null;
  }
}

// RMS above which a microphone counts as speaking
export const SPEAKING_LEVEL = 0.015;
