// Landing page: start a broadcast (POST /api/rooms) or join one.
import { $, setPageState, wireCopy } from './ui.js';

const startButton = $('#start');
const keyField = $('#server-key-field');

function error(message) {
  const box = $('#error');
  box.textContent = message || '';
  box.hidden = !message;
}

startButton.addEventListener('click', async () => {
  error('');
  setPageState('creating');
  startButton.disabled = true;
  const headers = { Accept: 'application/json' };
  const serverKey = $('#server-key').value.trim();
  if (serverKey) headers.Authorization = `Bearer ${serverKey}`;
  try {
    const res = await fetch('/api/rooms', { method: 'POST', headers });
    if (res.status === 401 || res.status === 403) {
      keyField.hidden = false;
      $('#server-key').focus();
      throw new Error(serverKey ? 'That server key was not accepted.' : 'This server needs a speaker key to create rooms.');
    }
    if (!res.ok) throw new Error(`The server could not create a room (HTTP ${res.status}).`);
    const room = await res.json();
    showCreated(room);
    setPageState('created');
  } catch (e) {
    error(e instanceof TypeError ? 'Could not reach the server.' : e.message);
    setPageState('error');
  } finally {
    startButton.disabled = false;
  }
});

function showCreated(room) {
  const listen = new URL(room.listen || `/listen/${encodeURIComponent(room.room)}`, location.origin);
  const speak = new URL(room.speak || `/speak/${encodeURIComponent(room.room)}`, location.origin);
  if (room.speakerKey) speak.hash = `key=${encodeURIComponent(room.speakerKey)}`;
  $('#listen-link').value = listen.href;
  $('#speak-link').value = speak.href;
  $('#open-speaker').href = speak.href;
  $('#created').hidden = false;
  $('#listen-link').focus();
  $('#listen-link').select();
}

wireCopy($('#copy-listen'), $('#listen-link'));
wireCopy($('#copy-speak'), $('#speak-link'));

$('#join-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const room = parseRoom($('#join-room').value);
  const err = $('#join-error');
  if (!room) {
    err.textContent = 'Enter a room name such as blue-otter-42, or a listener link.';
    err.hidden = false;
    $('#join-room').focus();
    return;
  }
  err.hidden = true;
  location.assign(`/listen/${encodeURIComponent(room)}`);
});

/** Accepts "blue-otter-42", "/listen/blue-otter-42" or a full link. */
function parseRoom(text) {
  const t = text.trim();
  if (!t) return '';
  const m = /\/(?:listen|speak)\/([^/?#\s]+)/.exec(t);
  if (m) return decodeURIComponent(m[1]);
  if (/[/?#\s]/.test(t)) return '';
  return t;
}
