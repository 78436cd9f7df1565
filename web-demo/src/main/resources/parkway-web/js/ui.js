// Small helpers shared by the demo pages (not part of the client module).

export const $ = (sel, root = document) => root.querySelector(sel);

/** The room named by the page path: /speak/{room} or /listen/{room}; `?room=` as a fallback. */
export function roomFromLocation(loc = location) {
  const m = /^\/(?:speak|listen)\/([^/]+)\/?$/.exec(loc.pathname);
  if (m) return decodeURIComponent(m[1]);
  return new URLSearchParams(loc.search).get('room') || '';
}

/** Parameters in the URL fragment (`#key=…&token=…`): never sent to servers, never in logs. */
export function fragmentParams(loc = location) {
  return new URLSearchParams(loc.hash.replace(/^#/, ''));
}

/** Sets the machine-readable page state (`data-state` on <body>) and the visible words for it. */
export function setPageState(state, words, detail) {
  document.body.dataset.state = state;
  const label = $('#state-label');
  if (label && words !== undefined) label.textContent = words;
  const det = $('#state-detail');
  if (det && detail !== undefined) det.textContent = detail;
}

export function showError(message) {
  const box = $('#error');
  if (!box) return;
  box.textContent = message || '';
  box.hidden = !message;
}

export function formatBitrate(bps) {
  if (bps === null || bps === undefined) return '—';
  if (bps >= 1000000) return `${(bps / 1000000).toFixed(1)} Mbit/s`;
  return `${Math.round(bps / 1000)} kbit/s`;
}

export function formatLoss(percent) {
  if (percent === null || percent === undefined) return '—';
  return `${percent.toFixed(percent < 10 ? 1 : 0)} %`;
}

/** Human words for a connection path from the client module. */
export function describePath(path) {
  if (!path) return 'Not connected yet';
  if (path === 'direct') return 'Direct';
  if (path.startsWith('relay over ')) return `Relay over ${path.slice(11).toUpperCase()}`;
  if (path === 'relay (remote side)') return 'Relay (speaker side)';
  return path;
}

/** Copies text; falls back to selecting an input for browsers without the async clipboard. */
export async function copyText(text, input) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (e) {
    if (input) {
      input.focus();
      input.select();
      try { return document.execCommand('copy'); } catch (e2) { return false; }
    }
    return false;
  }
}

/** Wires a "Copy" button to an input holding a link. */
export function wireCopy(button, input) {
  button.addEventListener('click', async () => {
    const ok = await copyText(input.value, input);
    const old = button.textContent;
    button.textContent = ok ? 'Copied' : 'Select and copy';
    setTimeout(() => { button.textContent = old; }, 1600);
  });
}
