package io.parkway.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * How long the threads of a process waited for a CPU while runnable, from Linux's {@code /proc/PID/task/TID/schedstat}
 * (second field: run-queue wait in nanoseconds). On a small shared machine this tells a slow server from a starved
 * one: CPU time ({@link ProcStat}) says what the process used, run-queue wait what it wanted and did not get.
 * Threads that ended are no longer counted, so read it around windows in which the thread set is stable.
 */
final class SignalingSchedStat {

    private SignalingSchedStat() {
    }

    /** Run-queue wait of all current threads of {@code pid}, in microseconds; -1 where schedstat is unavailable. */
    static long waitMicros(int pid) {
        long nanos = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Integer.toString(pid), "task"))) {
            for (Path task : tasks) {
                try {
                    String[] f = Files.readString(task.resolve("schedstat")).trim().split(" ");
                    nanos += Long.parseLong(f[1]);
                } catch (NoSuchFileException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return nanos / 1000;
    }
}
