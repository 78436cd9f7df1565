// Listener page: /listen/{room}  (#token=… for rooms with a listener token; ?relay=1 forces TURN)
import { ParkwayListener, iceTransportPolicyFromUrl, defaultSignalingUrl } from './parkway-client.js';
import { $, roomFromLocation, fragmentParams, setPageState, showError, formatBitrate, formatLoss, describePath }
  from './ui.js';

const room = roomFromLocation();
const params = new URLSearchParams(location.search);
const token = fragmentParams().get('token') || params.get('token') || undefined;
const audio = $('#remote-audio');
const listener = new ParkwayListener({ iceTransportPolicy: iceTransportPolicyFromUrl(), audio });
window.parkwayListener = listener;

const listenButton = $('#listen');
const leaveButton = $('#leave');
$('#room-name').textContent = room || '—';
document.title = room ? `Listen to ${room} · Parkway` : 'Listen · Parkway';

const WORDS = {
  idle: ['Ready', 'Tap “Listen” to hear the broadcast.'],
  connecting: ['Connecting…', 'Joining the broadcast.'],
  waiting: ['Waiting for speaker', 'You are in. Audio starts as soon as the speaker goes live.'],
  live: ['Live', 'You are hearing the speaker live.'],
  reconnecting: ['Reconnecting…', 'The connection dropped; Parkway is restoring it. No need to reload.'],
  ended: ['Ended', 'The speaker has ended the broadcast.'],
  error: ['Error', 'Could not join; see the message below.'],
};

function render() {
  const state = listener.state;
  const [words, detail] = WORDS[state] || [state, ''];
  setPageState(state, words, detail);
  const joined = state !== 'idle' && state !== 'error';
  listenButton.hidden = joined;
  leaveButton.hidden = !joined;
  listenButton.disabled = !room;
}

// --- the analyser for tests and the visualiser ---

let audioCtx = null;
let analyser = null;
let analysedStream = null;
let sourceNode = null;

function ensureAnalyser() {
  if (!audioCtx) return null;
  const stream = audio.srcObject;
  if (stream !== analysedStream) {
    sourceNode?.disconnect();
    sourceNode = null;
    analysedStream = stream;
    if (stream && stream.getAudioTracks().length) {
      sourceNode = audioCtx.createMediaStreamSource(stream);
      sourceNode.connect(analyser); // not to the destination: the <audio> element plays the sound
    }
  }
  return sourceNode ? analyser : null;
}

/**
 * The dominant frequency (Hz) of the received audio right now: the bin with the largest magnitude of an
 * 8192-point FFT of the remote stream. 0 when there is no stream or only silence. For tests.
 */
window.parkwayDominantFrequency = function parkwayDominantFrequency() {
  const a = ensureAnalyser();
  if (!a) return 0;
  const bins = new Float32Array(a.frequencyBinCount);
  a.getFloatFrequencyData(bins);
  let best = -1;
  let max = -Infinity;
  for (let i = 1; i < bins.length; i++) {
    if (bins[i] > max) {
      max = bins[i];
      best = i;
    }
  }
  if (best < 0 || !Number.isFinite(max) || max < -140) return 0;
  return (best * audioCtx.sampleRate) / a.fftSize;
};

function startVisual() {
  const bars = [...document.querySelectorAll('.player-visual span')];
  // Log-spaced bands from 80 Hz to 10 kHz, one per bar.
  const edges = bars.map((_, i) => 80 * (10000 / 80) ** (i / bars.length));
  edges.push(10000);
  let data = null;
  const loop = () => {
    const a = ensureAnalyser();
    if (a && listener.state === 'live') {
      if (!data) data = new Uint8Array(a.frequencyBinCount);
      a.getByteFrequencyData(data);
      const hzPerBin = audioCtx.sampleRate / a.fftSize;
      bars.forEach((bar, i) => {
        const lo = Math.floor(edges[i] / hzPerBin);
        const hi = Math.max(lo + 1, Math.floor(edges[i + 1] / hzPerBin));
        let v = 0;
        for (let j = lo; j < hi && j < data.length; j++) v = Math.max(v, data[j]);
        bar.style.transform = `scaleY(${(0.12 + (v / 255) * 0.88).toFixed(3)})`;
      });
    } else {
      bars.forEach((bar) => { bar.style.transform = ''; });
    }
    requestAnimationFrame(loop);
  };
  loop();
}

// --- controls ---

listenButton.addEventListener('click', async () => {
  showError('');
  // Autoplay policies: the AudioContext and playback are unlocked by this tap.
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (Ctx && !audioCtx) {
    audioCtx = new Ctx();
    analyser = audioCtx.createAnalyser();
    analyser.fftSize = 8192;
    analyser.smoothingTimeConstant = 0.2;
    startVisual();
  }
  audioCtx?.resume().catch(() => {});
  audio.play().catch(() => {}); // no stream yet; this only records the user gesture
  try {
    await listener.connect(defaultSignalingUrl(), room, { token });
  } catch (e) {
    // rendered through the error event
  }
});

leaveButton.addEventListener('click', () => listener.leave());

const volume = $('#volume');
volume.addEventListener('input', () => {
  audio.volume = Number(volume.value) / 100;
});
// iOS ignores element volume: offer the hardware buttons instead of a slider that does nothing.
audio.volume = 0.5;
if (audio.volume === 1) {
  $('#volume-field').hidden = true;
  $('#volume-hint').hidden = false;
}
audio.volume = 1;

listener.addEventListener('statechange', render);
listener.addEventListener('error', (e) => {
  if (e.detail.fatal) showError(errorWords(e.detail));
  else console.warn('parkway:', e.detail.code, e.detail.message);
});
listener.addEventListener('stats', (e) => {
  const s = e.detail.stats;
  $('#path').textContent = s ? describePath(s.path) : '—';
  $('#bitrate').textContent = s && s.path ? formatBitrate(s.bitrate) : '—';
  $('#loss').textContent = s && s.path ? formatLoss(s.lossPercent) : '—';
  document.body.dataset.path = s && s.path ? s.path : '';
});
listener.addEventListener('media', (e) => {
  const m = e.detail.settings;
  $('#mode').textContent = m ? `${m.mode === 'music' ? 'Music' : 'Voice'} · ${m.stereo ? 'stereo' : 'mono'} · ${formatBitrate(m.bitrate)}` : '—';
});
listener.addEventListener('listeners', (e) => {
  $('#listeners').textContent = String(e.detail.count);
});

function errorWords({ code, message }) {
  switch (code) {
    case 'room-not-found': return 'This broadcast does not exist. Check the link.';
    case 'room-full': return 'This broadcast is full. Try again later.';
    case 'unauthorized': return 'This broadcast needs an invitation link with a token.';
    default: return message || code;
  }
}

// Leaving the page: free our place right away instead of holding it for the resume grace.
window.addEventListener('pagehide', (e) => { if (!e.persisted) listener.leave(); });

if (!room) showError('No room in the address. Open a listener link, or join a broadcast from the home page.');
render();
