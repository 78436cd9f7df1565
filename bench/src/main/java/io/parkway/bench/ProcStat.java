package io.parkway.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time and RSS of a process, from Linux's /proc. */
public final class ProcStat {
    /** USER_HZ; 100 on every Linux this runs on (getconf CLK_TCK). */
    private static final long TICKS_PER_SECOND = 100;

    private ProcStat() {
    }

    /** utime + stime of every thread of {@code pid}, in microseconds (10 ms resolution). */
    public static long cpuMicros(int pid) {
        String stat = read(Path.of("/proc", Integer.toString(pid), "stat"));
        // The command name (field 2) may contain spaces: fields are counted after its closing parenthesis.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15
        return ticks * 1_000_000L / TICKS_PER_SECOND;
    }

    /** VmRSS of {@code pid} in KiB. */
    public static long rssKib(int pid) {
        for (String line : read(Path.of("/proc", Integer.toString(pid), "status")).split("\n")) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /**
     * RcvbufErrors of the Udp line in /proc/net/snmp: datagrams the kernel dropped because a socket's receive buffer
     * was full, machine-wide (every process), since boot; -1 when unreadable.
     */
    public static long udpRcvbufErrors() {
        String[] header = null;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/net/snmp"))) {
                if (!line.startsWith("Udp:")) {
                    continue;
                }
                String[] f = line.trim().split("\\s+");
                if (header == null) {
                    header = f;
                    continue;
                }
                for (int i = 1; i < Math.min(header.length, f.length); i++) {
                    if (header[i].equals("RcvbufErrors")) {
                        return Long.parseLong(f[i]);
                    }
                }
                return -1;
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
