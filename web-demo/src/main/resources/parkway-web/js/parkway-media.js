// Media settings: the voice and music presets, the getUserMedia constraints for each, and Opus SDP munging.
//
// Opus parameters travel in the `a=fmtp` line of the payload type (RFC 7587 section 6.1). A browser's Opus encoder
// follows the parameters of the *remote* description, so the speaker applies them to the answer it receives, and the
// listener puts them into the answer it sends (for speakers that do not munge). `sprop-stereo` tells the receiver
// that the sender will send stereo.

/** Media settings as carried by the `media` message of the signaling protocol. */
export const MEDIA_PRESETS = Object.freeze({
  voice: Object.freeze({ mode: 'voice', bitrate: 32000, stereo: false, dtx: true, fec: true }),
  music: Object.freeze({ mode: 'music', bitrate: 128000, stereo: true, dtx: false, fec: true }),
});

/** Opus bitrate range accepted by the protocol (bits per second). */
export const OPUS_MIN_BITRATE = 6000;
export const OPUS_MAX_BITRATE = 510000;

/**
 * Full media settings for a mode, with optional overrides: `mediaSettings('music', {bitrate: 96000})`.
 * @returns {{mode: 'voice'|'music', bitrate: number, stereo: boolean, dtx: boolean, fec: boolean}}
 */
export function mediaSettings(mode = 'voice', overrides = {}) {
  const preset = MEDIA_PRESETS[mode];
  if (!preset) throw new RangeError(`media mode: ${mode} (expected: voice or music)`);
  const settings = { ...preset, ...overrides, mode };
  const bitrate = Math.round(Number(settings.bitrate));
  if (!(bitrate >= OPUS_MIN_BITRATE && bitrate <= OPUS_MAX_BITRATE)) {
    throw new RangeError(`bitrate: ${settings.bitrate} (expected: ${OPUS_MIN_BITRATE}-${OPUS_MAX_BITRATE})`);
  }
  settings.bitrate = bitrate;
  return settings;
}

/**
 * getUserMedia audio constraints. Voice: mono with echo cancellation, noise suppression and automatic gain control.
 * Music: all three off (they damage music), stereo when the device has two channels.
 * @param {{mode: string, stereo: boolean}} settings
 * @param {string} [deviceId] a device from enumerateDevices(); omitted for the default microphone
 */
export function audioConstraints(settings, deviceId) {
  const music = settings.mode === 'music';
  const audio = {
    echoCancellation: !music,
    noiseSuppression: !music,
    autoGainControl: !music,
    channelCount: settings.stereo ? { ideal: 2 } : { ideal: 1 },
    sampleRate: { ideal: 48000 },
  };
  if (deviceId) audio.deviceId = { exact: deviceId };
  return { audio, video: false };
}

/**
 * Rewrites the fmtp line of every Opus payload type in `sdp` to match `settings`; other lines are kept verbatim.
 * @param {string} sdp
 * @param {{bitrate: number, stereo: boolean, dtx: boolean, fec: boolean}} settings
 * @returns {string}
 */
export function mungeOpus(sdp, settings) {
  if (!sdp || !settings) return sdp;
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(/\r?\n/);
  const opus = new Set();
  for (const line of lines) {
    const m = /^a=rtpmap:(\d+) opus\/48000/i.exec(line);
    if (m) opus.add(m[1]);
  }
  if (!opus.size) return sdp;
  const wanted = {
    stereo: settings.stereo ? '1' : '0',
    'sprop-stereo': settings.stereo ? '1' : '0',
    maxaveragebitrate: String(settings.bitrate),
    usedtx: settings.dtx ? '1' : '0',
    useinbandfec: settings.fec ? '1' : '0',
  };
  const out = [];
  const seen = new Set();
  for (const line of lines) {
    const m = /^a=fmtp:(\d+) (.*)$/.exec(line);
    if (m && opus.has(m[1])) {
      seen.add(m[1]);
      out.push(`a=fmtp:${m[1]} ${mergeParams(m[2], wanted)}`);
      continue;
    }
    out.push(line);
    const r = /^a=rtpmap:(\d+) opus\/48000/i.exec(line);
    if (r && !hasFmtp(lines, r[1])) {
      seen.add(r[1]);
      out.push(`a=fmtp:${r[1]} ${mergeParams('', wanted)}`);
    }
  }
  return out.join(eol);
}

function hasFmtp(lines, pt) {
  return lines.some((l) => l.startsWith(`a=fmtp:${pt} `));
}

function mergeParams(existing, wanted) {
  const params = new Map();
  for (const part of existing.split(';')) {
    const p = part.trim();
    if (!p) continue;
    const eq = p.indexOf('=');
    if (eq < 0) params.set(p, null);
    else params.set(p.slice(0, eq).trim(), p.slice(eq + 1).trim());
  }
  for (const [k, v] of Object.entries(wanted)) params.set(k, v);
  return [...params].map(([k, v]) => (v === null ? k : `${k}=${v}`)).join(';');
}

/** Reads the Opus parameters of the first Opus payload type of `sdp` (for display and tests). */
export function opusParams(sdp) {
  const rtp = /^a=rtpmap:(\d+) opus\/48000/im.exec(sdp || '');
  if (!rtp) return null;
  const fmtp = new RegExp(`^a=fmtp:${rtp[1]} (.*)$`, 'm').exec(sdp);
  const params = {};
  for (const part of (fmtp ? fmtp[1] : '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k) params[k] = v;
  }
  return params;
}
