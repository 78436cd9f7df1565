package io.parkway.signaling;

import java.security.SecureRandom;
import java.util.Base64;

/** Unguessable identifiers (session ids, resume tokens, keys) and friendly room names. Thread-safe. */
final class Ids {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String[] ADJECTIVES = {"amber", "blue", "bold", "brave", "bright", "calm", "clever", "coral",
        "crisp", "eager", "fancy", "gentle", "golden", "green", "happy", "jolly", "kind", "lively", "lucky", "merry",
        "mellow", "misty", "noble", "proud", "quick", "quiet", "rapid", "silver", "sunny", "swift", "tidy", "warm"};
    private static final String[] ANIMALS = {"badger", "beaver", "bison", "crane", "deer", "dolphin", "eagle", "falcon",
        "ferret", "finch", "fox", "gecko", "heron", "ibis", "koala", "lark", "lemur", "lynx", "marten", "moose",
        "newt", "otter", "owl", "panda", "puffin", "quail", "raven", "robin", "seal", "swan", "tapir", "wren"};

    private Ids() {
    }

    /** {@code prefix} followed by {@code bytes} random bytes in unpadded base64url. */
    static String random(String prefix, int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static String sessionId() {
        return random("s-", 12);
    }

    static String resumeToken() {
        return random("r-", 24);
    }

    static String speakerKey() {
        return random("k-", 24);
    }

    static String listenerToken() {
        return random("t-", 16);
    }

    /** A room name like {@code blue-otter-42}; callers retry on a collision. */
    static String roomName() {
        return ADJECTIVES[RANDOM.nextInt(ADJECTIVES.length)] + "-" + ANIMALS[RANDOM.nextInt(ANIMALS.length)] + "-"
                + (10 + RANDOM.nextInt(90));
    }
}
