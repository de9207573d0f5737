// Active speakers: A publishes a microphone that sounds (a WebAudio tone),
// B's does not (a silent one); from the RFC 6464 audio levels the packets
// carry, ngx_meet tells both (SpeakersChanged) that A speaks and B does not;
// A falls silent and both learn that too.  Run by t/browser/37-speakers.t
// in its own network namespace.

import { scriptEnv, runWithBrowser, caseReporter, waitConnected, waitEvent,
         pageEvents, openRoomPage } from './lib/browser.mjs';
import { uniq, T } from './lib/signal.mjs';

const { PORT, HOST } = scriptEnv();
const ROOM = uniq('speakers-room');

const PLAN = [
  'A and B publish a microphone (A a tone, B silence)',
  'B sees A as the active speaker',
  'A sees itself as the active speaker, and not B',
  'A falls silent: both see no active speaker',
];
const reporter = caseReporter(PLAN, T(80000));
const { report } = reporter;
let browser;

async function openPage(name) {
  return openRoomPage(browser, { HOST, PORT, room: ROOM, name });
}

// a microphone track from WebAudio: a 440 Hz tone at gain g (0: silence)
async function publishTone(page, gain) {
  return page.evaluate(async (g) => {
    const LK = window.LivekitClient;
    const ctx = new AudioContext();
    const osc = ctx.createOscillator();
    const amp = ctx.createGain();
    amp.gain.value = g;
    osc.frequency.value = 440;
    osc.connect(amp);
    const dst = ctx.createMediaStreamDestination();
    amp.connect(dst);
    osc.start();
    await ctx.resume();
    window.meetTone = amp;
    const track = new LK.LocalAudioTrack(dst.stream.getAudioTracks()[0]);
    await window.meet.room.localParticipant.publishTrack(track,
      { source: LK.Track.Source.Microphone, dtx: false });
    return true;
  }, gain);
}

await runWithBrowser('browser-speakers', reporter, async (br) => {
  browser = br;
  const a = await openPage('A');
  const b = await openPage('B');
  await waitConnected(a, T(20000));
  await waitConnected(b, T(20000));
  const ok = await publishTone(a, 0.8) && await publishTone(b, 0);
  report(0, ok, 'published');

  const bSees = await waitEvent(b, /ActiveSpeakers \[A-[^,\]]*\]/, T(15000));
  report(1, bSees, (await pageEvents(b)).filter((e) => /ActiveSpeakers/.test(e)).join(' | '));

  const aSees = await waitEvent(a, /ActiveSpeakers \[A-[^,\]]*\]/, T(15000));
  const aEvents = (await pageEvents(a)).filter((e) => /ActiveSpeakers/.test(e));
  report(2, aSees && !aEvents.some((e) => /B-/.test(e)), aEvents.join(' | '));

  await a.evaluate(() => { window.meetTone.gain.value = 0; });
  const quietA = await waitEvent(a, /ActiveSpeakers \[\]/, T(15000));
  const quietB = await waitEvent(b, /ActiveSpeakers \[\]/, T(15000));
  report(3, quietA && quietB, (await pageEvents(b)).filter((e) => /ActiveSpeakers/.test(e)).join(' | '));

  await b.evaluate(() => window.meetLeave());
  await a.evaluate(() => window.meetLeave());
}, { timeout: T(20000) });
