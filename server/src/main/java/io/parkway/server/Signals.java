package io.parkway.server;

import sun.misc.Signal;

/**
 * POSIX signal handlers, through {@code sun.misc.Signal} (module {@code jdk.unsupported}, the JDK's supported way
 * for a server to take over SIGHUP and SIGTERM). A handler replaces the JVM's default action: SIGTERM and SIGINT no
 * longer start the JVM's shutdown by themselves, and SIGHUP no longer ends the process.
 *
 * <p>Handlers run on the JVM's signal dispatcher thread, which must not block: each handler only hands work to an
 * executor or counts down a latch.
 */
final class Signals {

    private Signals() {
    }

    /**
     * Runs {@code handler} on every {@code SIG<name>} ({@code "HUP"}, {@code "TERM"}, {@code "INT"}).
     *
     * @throws IllegalArgumentException when the platform or the JVM (run with {@code -Xrs}) keeps that signal
     */
    static void handle(String name, Runnable handler) {
        Signal.handle(new Signal(name), signal -> handler.run());
    }
}
