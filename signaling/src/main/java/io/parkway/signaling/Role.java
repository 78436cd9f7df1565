package io.parkway.signaling;

/** What a peer does in a room. */
enum Role {
    SPEAKER("speaker"),
    LISTENER("listener");

    private final String wire;

    Role(String wire) {
        this.wire = wire;
    }

    String wire() {
        return wire;
    }

    /** The role named {@code text} on the wire, or null. */
    static Role of(String text) {
        for (Role role : values()) {
            if (role.wire.equals(text)) {
                return role;
            }
        }
        return null;
    }
}
