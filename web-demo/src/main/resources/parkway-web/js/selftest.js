// Self-test page: gathers ICE candidates against this server's STUN, TURN/UDP, TURN/TCP and TURN/TLS separately.
import { $, setPageState, showError } from './ui.js';

const GATHER_TIMEOUT_MS = 10000;

const TESTS = [
  { id: 'stun', label: 'STUN', sub: 'UDP', policy: 'all', match: (u) => /^stun:/i.test(u) },
  { id: 'turn-udp', label: 'TURN', sub: 'over UDP', policy: 'relay', transport: 'udp',
    match: (u) => /^turn:/i.test(u) && !/transport=tcp/i.test(u) },
  { id: 'turn-tcp', label: 'TURN', sub: 'over TCP', policy: 'relay', transport: 'tcp',
    match: (u) => /^turn:/i.test(u) && /transport=tcp/i.test(u) },
  { id: 'turn-tls', label: 'TURN', sub: 'over TLS', policy: 'relay', transport: 'tls', match: (u) => /^turns:/i.test(u) },
];

const results = { state: 'running', rows: [] };
window.parkwaySelftest = results;

function el(tag, props = {}, ...children) {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

/** Parses "candidate:… 1 udp 2122260223 192.0.2.1 54400 typ host …". */
function parseCandidate(c) {
  const parts = c.candidate.split(' ');
  const typ = parts.indexOf('typ');
  return {
    protocol: (c.protocol || parts[2] || '').toLowerCase(),
    address: c.address || parts[4],
    port: c.port || Number(parts[5]),
    type: c.type || (typ > 0 ? parts[typ + 1] : 'unknown'),
    relayProtocol: c.relayProtocol || undefined,
    tcpType: c.tcpType || undefined,
  };
}

async function gather(test, iceServers) {
  const found = { host: [], srflx: [], prflx: [], relay: [], errors: [] };
  const pc = new RTCPeerConnection({ iceServers, iceTransportPolicy: test.policy });
  pc.createDataChannel('selftest');
  const done = new Promise((resolve) => {
    const timer = setTimeout(resolve, GATHER_TIMEOUT_MS);
    pc.onicecandidate = (e) => {
      if (!e.candidate || !e.candidate.candidate) {
        clearTimeout(timer);
        resolve();
        return;
      }
      const c = parseCandidate(e.candidate);
      (found[c.type] || (found[c.type] = [])).push(c);
    };
    pc.onicegatheringstatechange = () => {
      if (pc.iceGatheringState === 'complete') {
        clearTimeout(timer);
        resolve();
      }
    };
  });
  pc.onicecandidateerror = (e) => {
    found.errors.push({ code: e.errorCode, text: e.errorText, url: e.url });
  };
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  await done;
  pc.close();
  return found;
}

/** Up to three distinct "PROTO address:port" entries, one per line element. */
function summarize(list, withTransport) {
  if (!list.length) return ['—'];
  const seen = new Map();
  for (const c of list) {
    const proto = withTransport || c.protocol;
    const key = `${proto} ${c.address}`;
    if (!seen.has(key)) seen.set(key, { proto, address: c.address, port: c.port });
  }
  const lines = [...seen.values()].slice(0, 3).map((c) => el('span', { className: 'cand' },
    el('span', { className: 'proto' }, c.proto.toUpperCase()), ` ${c.address}${c.port ? `:${c.port}` : ''}`));
  if (seen.size > 3) lines.push(el('span', { className: 'cand muted' }, `+${seen.size - 3} more`));
  return lines;
}

function judge(test, row) {
  if (!row.urls.length) return ['skip', 'Not offered by this server.'];
  const errs = row.errors.map((e) => e.code);
  if (test.id === 'stun') {
    const pub = row.srflx.filter((c) => c.protocol === 'udp')[0] || row.srflx[0];
    if (pub) return ['pass', `Works: the STUN server sees this device as ${pub.address}.`];
    if (errs.length) return ['fail', `The STUN server did not answer (error ${errs[0]}). UDP may be blocked on this network.`];
    return ['warn', 'No public address learned: the STUN server did not answer, or this device is not behind NAT.'];
  }
  const via = test.transport.toUpperCase();
  if (row.relay.length) {
    const r = row.relay[0];
    return ['pass', `Works: relay address ${r.address}:${r.port} allocated over ${via}. Listeners on this network can always be reached.`];
  }
  if (errs.includes(401) || errs.includes(403) || errs.includes(441)) {
    return ['fail', `The TURN server refused the credentials (error ${errs.find((c) => c === 401 || c === 403 || c === 441)}).`];
  }
  if (errs.includes(486) || errs.includes(508)) return ['fail', 'The TURN server is at its allocation quota; try again shortly.'];
  if (errs.length) return ['fail', `Could not reach the TURN server over ${via} (error ${errs[0]}). It may be blocked on this network.`];
  return ['fail', `No relay address over ${via}: the TURN server did not answer within ${GATHER_TIMEOUT_MS / 1000} s.`];
}

function renderRow(test, row) {
  const tr = el('tr', { className: `result result-${row.result}` });
  tr.dataset.test = test.id;
  tr.dataset.result = row.result;
  const name = el('th', { scope: 'row' }, el('span', { className: 'svc' }, test.label), el('span', { className: 'svc-sub' }, test.sub));
  const cell = (label, content) => el('td', { className: 'mono' }, el('span', { className: 'cell-label' }, label),
    ...(Array.isArray(content) ? content : [el('span', { className: 'muted' }, content)]));
  const pending = row.result === 'running';
  const notTested = test.policy === 'relay' ? 'not tested' : null;
  const host = cell('Host', pending ? '…' : notTested || summarize(row.host));
  const srflx = cell('Server-reflexive', pending ? '…' : notTested || summarize(row.srflx));
  const relay = cell('Relay', pending ? '…' : test.policy === 'relay' ? summarize(row.relay, test.transport) : 'not tested');
  const badgeText = { pass: 'Pass', fail: 'Fail', warn: 'Check', skip: 'Not offered', running: 'Testing' }[row.result];
  const verdict = el('td', { className: 'verdict' },
    el('span', { className: 'cell-label' }, 'Verdict'),
    el('span', { className: `badge badge-${row.result}` }, badgeText), ' ', el('span', {}, row.verdict));
  tr.append(name, host, srflx, relay, verdict);
  return tr;
}

function renderAll() {
  const body = $('#rows');
  body.replaceChildren(...TESTS.map((t, i) => renderRow(t, results.rows[i])));
}

async function run() {
  results.state = 'running';
  setPageState('running', 'Testing…', 'Checking how this device reaches this server’s STUN and TURN services.');
  $('#rerun').disabled = true;
  $('#summary').hidden = true;
  showError('');
  results.rows = TESTS.map((t) => ({ id: t.id, urls: [], host: [], srflx: [], relay: [], errors: [], result: 'running', verdict: 'Gathering candidates…' }));
  renderAll();
  let creds;
  try {
    const res = await fetch('/api/turn-credentials?room=selftest&role=listener', { headers: { Accept: 'application/json' } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    creds = await res.json();
    if (!Array.isArray(creds.iceServers)) throw new Error('no iceServers in the answer');
  } catch (e) {
    results.rows.forEach((r) => { r.result = 'fail'; r.verdict = 'Not tested: no ICE servers.'; });
    renderAll();
    showError(`Could not get ICE servers from this server (${e.message}).`);
    finish('error', 'Could not test', 'The server did not hand out ICE servers for the test.');
    return;
  }
  await Promise.all(TESTS.map(async (test, i) => {
    const row = results.rows[i];
    const servers = [];
    for (const s of creds.iceServers) {
      const urls = (Array.isArray(s.urls) ? s.urls : [s.urls]).filter((u) => test.match(u));
      if (urls.length) servers.push({ ...s, urls });
      row.urls.push(...urls);
    }
    if (servers.length) {
      try {
        Object.assign(row, await gather(test, servers));
      } catch (e) {
        row.errors.push({ code: 0, text: e.message });
      }
    }
    [row.result, row.verdict] = judge(test, row);
    renderAll();
  }));
  const turn = results.rows.filter((r) => r.id.startsWith('turn') && r.result === 'pass');
  const stun = results.rows.find((r) => r.id === 'stun');
  let summary;
  if (turn.length) {
    summary = `This network can reach Parkway’s relay (${turn.map((r) => r.id.slice(5).toUpperCase()).join(', ')}): listeners here will hear broadcasts.`;
  } else if (stun.result === 'pass') {
    summary = 'Only STUN works from here: listeners behind a symmetric NAT or a strict firewall may hear nothing.';
  } else {
    summary = 'Neither STUN nor TURN is reachable from this network: check the server’s ports and firewall.';
  }
  const el2 = $('#summary');
  el2.textContent = summary;
  el2.className = `summary ${turn.length ? 'ok' : 'bad'}`;
  el2.hidden = false;
  finish('done', 'Done', 'Each row below tested one way of reaching this server.');
}

function finish(state, words, detail) {
  results.state = state;
  setPageState(state, words, detail);
  $('#rerun').disabled = false;
}

$('#rerun').addEventListener('click', run);
run();
