package io.parkway.signaling;

/** The speaker's state as listeners see it: joined but not live, live, or stopped/left. */
enum SpeakerState {
    WAITING("waiting"),
    LIVE("live"),
    ENDED("ended");

    private final String wire;

    SpeakerState(String wire) {
        this.wire = wire;
    }

    String wire() {
        return wire;
    }
}
