#!/usr/bin/env python3
"""Totals of one turnutils_uclient run, with the server's CPU time around it, as key=value for compare.sh.

Usage: uclient_totals.py OUTPUT CPU_US_BEFORE CPU_US_AFTER WALL_START WALL_END

uclient prints running totals ("tot_send_msgs=N, tot_recv_msgs=M") and, at the end, "Total lost packets N (P%)",
"Average round trip delay A ms; min = B ms, max = C ms" and "Average jitter J ms; ...". Relayed packets = messages
sent (client -> peer) + messages received back (peer -> client), the same definition as the load generator's.
relayed_pps is over uclient's wall time, relayed_pps_sending over its sending window (see below).
Exit status 1 when the output has no final totals (uclient failed or timed out).
"""
import re
import sys


def main(argv):
    out, c0, c1, t0, t1 = argv[1], int(argv[2]), int(argv[3]), float(argv[4]), float(argv[5])
    text = open(out, encoding="latin-1").read()
    sent = re.findall(r"tot_send_msgs=(\d+)", text)
    recv = re.findall(r"tot_recv_msgs=(\d+)", text)
    lost = re.search(r"Total lost packets (\d+) \(([\d.]+)%\)", text)
    rtt = re.search(r"Average round trip delay ([\d.]+) ms; min = ([\d.]+) ms, max = ([\d.]+) ms", text)
    jitter = re.search(r"Average jitter ([\d.]+) ms", text)
    if not sent or not recv or not lost:
        return 1
    sent, recv = int(sent[-1]), int(recv[-1])
    # The sending window, from uclient's once-a-second progress lines ("N: : start_mclient: msz=..,
    # tot_send_msgs=S, ..."): from the last second with nothing sent to the first with everything sent. uclient starts
    # its clients one after another and, after the last message, waits for the missing replies, so its wall time is
    # longer than the load; 1 s resolution.
    progress = [(int(n), int(s)) for n, s in
                re.findall(r"^(\d+): : start_mclient: (?:msz=\d+, )?tot_send_msgs=(\d+)", text, re.MULTILINE)]
    idle = [n for n, s in progress if s == 0]
    full = [n for n, s in progress if s >= sent]
    window = (min(full) - (max(idle) if idle else 0)) if full else -1
    relayed = sent + recv
    seconds = t1 - t0
    cpu = c1 - c0
    kv = {
        "sent": sent, "received": recv, "lost": int(lost.group(1)), "loss_pct": float(lost.group(2)),
        "rtt_avg_ms": float(rtt.group(1)) if rtt else -1, "rtt_min_ms": float(rtt.group(2)) if rtt else -1,
        "rtt_max_ms": float(rtt.group(3)) if rtt else -1, "jitter_ms": float(jitter.group(1)) if jitter else -1,
        "seconds": round(seconds, 3), "send_seconds": window, "relayed": relayed,
        "relayed_pps": round(relayed / seconds, 1),
        "relayed_pps_sending": round(relayed / window, 1) if window > 0 else -1,
        "cpu_us": cpu, "cpu_us_per_pkt": round(cpu / relayed, 3) if relayed else -1,
    }
    print(" ".join(f"{k}={v}" for k, v in kv.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
