/**
 * Credential primitives of the STUN long-term credential mechanism (<a
 * href="https://datatracker.ietf.org/doc/html/rfc8489#section-9.2">RFC 8489 section 9.2</a>) as the TURN server uses
 * it: string preparation ({@link io.parkway.turn.auth.OpaqueString}), the HMAC key ({@link
 * io.parkway.turn.auth.LongTermKey}, {@link io.parkway.turn.auth.PasswordAlgorithm}), USERHASH ({@link
 * io.parkway.turn.auth.UserHash}), stateless nonces with the nonce cookie ({@link io.parkway.turn.auth.NonceCodec},
 * {@link io.parkway.turn.auth.SecurityFeature}) and coturn's time-limited REST credentials ({@link
 * io.parkway.turn.auth.RestCredentials}).
 *
 * <p>Everything here is transport-free, allocation-light and thread-safe; nothing logs. None of it is on the relay
 * data path: it runs once per authenticated request.
 */
package io.parkway.turn.auth;
