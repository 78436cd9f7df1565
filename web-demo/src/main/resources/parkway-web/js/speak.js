// Speaker page: /speak/{room}#key=…  (?relay=1 forces TURN)
import { ParkwaySpeaker, iceTransportPolicyFromUrl, listMicrophones, defaultSignalingUrl } from './parkway-client.js';
import { $, roomFromLocation, fragmentParams, setPageState, showError, formatBitrate, describePath, wireCopy }
  from './ui.js';

const room = roomFromLocation();
const key = fragmentParams().get('key') || undefined;
const speaker = new ParkwaySpeaker({ iceTransportPolicy: iceTransportPolicyFromUrl() });
window.parkwaySpeaker = speaker;

const goButton = $('#go-live');
const stopButton = $('#stop');
const micSelect = $('#mic');
const testButton = $('#mic-test');

$('#room-name').textContent = room || '—';
document.title = room ? `Speak in ${room} · Parkway` : 'Speak · Parkway';
const listenUrl = new URL(`/listen/${encodeURIComponent(room)}`, location.origin);
if (speaker.iceTransportPolicy === 'relay') listenUrl.search = '?relay=1';
$('#share-link').value = room ? listenUrl.href : '';
wireCopy($('#share-copy'), $('#share-link'));

const WORDS = {
  idle: ['Not live', 'Choose a microphone and a mode, then press “Go live”. Listeners hear you within seconds.'],
  connecting: ['Connecting…', 'Opening the microphone and joining the room.'],
  live: ['Live', 'You are on air. Everyone with the listener link hears you.'],
  stopped: ['Stopped', 'The broadcast has ended. Press “Go live” to start again.'],
  error: ['Error', 'Something went wrong; see the message below.'],
};

function render() {
  const state = speaker.state;
  let [words, detail] = WORDS[state] || [state, ''];
  if (state === 'live' && speaker.signalingState === 'reconnecting') {
    words = 'Live — reconnecting';
    detail = 'Lost contact with the server; listeners keep hearing you while Parkway reconnects.';
  }
  setPageState(state, words, detail);
  document.body.dataset.signaling = speaker.signalingState;
  goButton.disabled = state === 'connecting' || state === 'live' || !room;
  stopButton.disabled = !(state === 'connecting' || state === 'live');
}

function renderListeners(count) {
  document.body.dataset.listeners = String(count);
  $('#listener-count').textContent = String(count);
  $('#listener-noun').textContent = count === 1 ? 'listener' : 'listeners';
}

function renderPeers(peers) {
  const list = $('#peers');
  list.replaceChildren();
  if (!peers.length) {
    const li = document.createElement('li');
    li.className = 'empty';
    li.textContent = speaker.state === 'live' ? 'No listeners connected yet.' : 'Not live.';
    list.append(li);
    return;
  }
  peers.forEach((p, i) => {
    const li = document.createElement('li');
    li.className = 'peer';
    li.dataset.peerId = p.peerId;
    li.dataset.path = p.path || '';
    li.dataset.state = p.state;
    const name = document.createElement('span');
    name.className = 'peer-name';
    name.textContent = `Listener ${i + 1}`;
    const badge = document.createElement('span');
    const connected = p.state === 'connected' || p.state === 'completed';
    badge.className = `badge ${p.relayed ? 'badge-relay' : connected ? 'badge-direct' : 'badge-pending'}`;
    badge.textContent = connected ? describePath(p.path) : stateWords(p.state);
    const rate = document.createElement('span');
    rate.className = 'peer-rate muted';
    rate.textContent = connected && p.bitrate ? formatBitrate(p.bitrate) : '';
    li.append(name, badge, rate);
    list.append(li);
  });
}

function stateWords(s) {
  return { new: 'Connecting', checking: 'Connecting', connecting: 'Connecting', disconnected: 'Interrupted',
    failed: 'Reconnecting', closed: 'Closed' }[s] || s;
}

// --- microphone list and level meter ---

async function fillMicrophones() {
  const mics = await listMicrophones().catch(() => []);
  const current = micSelect.value;
  const labelled = mics.some((m) => m.label);
  micSelect.replaceChildren();
  const def = new Option('Default microphone', '');
  micSelect.append(def);
  mics.filter((m) => m.deviceId && m.deviceId !== 'default' && m.deviceId !== 'communications').forEach((m, i) => {
    micSelect.append(new Option(m.label || `Microphone ${i + 1}`, m.deviceId));
  });
  micSelect.value = [...micSelect.options].some((o) => o.value === current) ? current : '';
  $('#mic-hint').hidden = labelled;
}

let audioCtx = null;
let analyser = null;
let source = null;
let meterLoop = 0;

function meter(stream) {
  source?.disconnect();
  source = null;
  cancelAnimationFrame(meterLoop);
  const fill = $('#level-fill');
  if (!stream) {
    fill.style.transform = 'scaleX(0)';
    $('#level').setAttribute('aria-valuenow', '0');
    return;
  }
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) return;
  audioCtx ||= new Ctx();
  audioCtx.resume().catch(() => {});
  analyser ||= Object.assign(audioCtx.createAnalyser(), { fftSize: 1024 });
  source = audioCtx.createMediaStreamSource(stream);
  source.connect(analyser);
  const data = new Float32Array(analyser.fftSize);
  let shown = 0;
  let lastAria = 0;
  const tick = () => {
    analyser.getFloatTimeDomainData(data);
    let sum = 0;
    for (let i = 0; i < data.length; i++) sum += data[i] * data[i];
    const rms = Math.sqrt(sum / data.length);
    const db = 20 * Math.log10(rms || 1e-8);            // dBFS
    const level = Math.max(0, Math.min(1, (db + 60) / 60)); // -60 dBFS … 0 dBFS
    shown = level > shown ? level : shown * 0.92 + level * 0.08;
    fill.style.transform = `scaleX(${shown.toFixed(3)})`;
    fill.classList.toggle('hot', shown > 0.9);
    const now = performance.now();
    if (now - lastAria > 500) {
      $('#level').setAttribute('aria-valuenow', String(Math.round(shown * 100)));
      lastAria = now;
    }
    meterLoop = requestAnimationFrame(tick);
  };
  tick();
}

speaker.addEventListener('stream', (e) => {
  meter(e.detail.stream);
  if (e.detail.stream) fillMicrophones();
  testButton.hidden = !!e.detail.stream;
});

// --- controls ---

function selectedMode() {
  return document.querySelector('input[name="mode"]:checked').value;
}

goButton.addEventListener('click', async () => {
  showError('');
  try {
    await speaker.connect(defaultSignalingUrl(), room, { key });
  } catch (e) {
    if (speaker.state !== 'stopped') showError(speaker.error ? speaker.error.message : e.message);
  }
});

stopButton.addEventListener('click', () => speaker.stop());

testButton.addEventListener('click', async () => {
  showError('');
  try {
    await speaker.openMicrophone();
  } catch (e) {
    showError(e.name === 'NotAllowedError' ? 'Microphone permission was denied.' : `Could not open the microphone: ${e.message}`);
  }
});

micSelect.addEventListener('change', () => {
  speaker.setDevice(micSelect.value).catch((e) => showError(`Could not switch microphone: ${e.message}`));
});

document.querySelectorAll('input[name="mode"]').forEach((input) => {
  input.addEventListener('change', () => {
    speaker.setMode(selectedMode()).catch((e) => showError(`Could not switch mode: ${e.message}`));
  });
});

speaker.addEventListener('statechange', render);
speaker.addEventListener('signalingstate', render);
speaker.addEventListener('listeners', (e) => renderListeners(e.detail.count));
speaker.addEventListener('peers', (e) => renderPeers(e.detail.peers));
speaker.addEventListener('error', (e) => {
  if (e.detail.fatal) showError(errorWords(e.detail));
  else console.warn('parkway:', e.detail.code, e.detail.message);
});
navigator.mediaDevices?.addEventListener?.('devicechange', fillMicrophones);

function errorWords({ code, message }) {
  switch (code) {
    case 'unauthorized': return 'This room needs its speaker key. Open the speaker link you were given (it ends in #key=…).';
    case 'speaker-exists': return 'Someone is already speaking in this room.';
    case 'room-not-found': return 'This room does not exist. Start a new broadcast from the home page.';
    default: return message || code;
  }
}

if (!room) {
  showError('No room in the address. Start a broadcast from the home page.');
}
// Apply the initial mode (a reload may have kept the "music" radio checked).
if (selectedMode() !== speaker.media.mode) speaker.setMode(selectedMode());
fillMicrophones();
render();
renderListeners(0);
