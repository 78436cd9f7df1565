package io.parkway.stun;

import io.netty.util.concurrent.FastThreadLocal;
import java.util.zip.CRC32;

/**
 * The codec's per-thread working state, so that FINGERPRINT and MESSAGE-INTEGRITY allocate nothing per message: one
 * CRC-32, one HMAC per algorithm (created on first use) and a scratch array. A {@link FastThreadLocal}: an indexed
 * read on an event loop ({@code FastThreadLocalThread}), a {@code ThreadLocal} lookup elsewhere.
 *
 * <p>Each use is synchronous and complete within one codec call (no callbacks run in between), so one state per
 * thread is enough.
 */
final class CodecThreadState {
    private static final FastThreadLocal<CodecThreadState> STATE = new FastThreadLocal<>() {
        @Override
        protected CodecThreadState initialValue() {
            return new CodecThreadState();
        }
    };

    final CRC32 crc = new CRC32();
    /** For the 4 header bytes an HMAC covers, and for copying composite buffers chunk by chunk. */
    final byte[] scratch = new byte[256];
    private Hmac sha1;
    private Hmac sha256;

    private CodecThreadState() {
    }

    static CodecThreadState get() {
        return STATE.get();
    }

    Hmac hmac(boolean sha256Algorithm) {
        if (sha256Algorithm) {
            Hmac h = sha256;
            return h != null ? h : (sha256 = Hmac.sha256());
        }
        Hmac h = sha1;
        return h != null ? h : (sha1 = Hmac.sha1());
    }
}
