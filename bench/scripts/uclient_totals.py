#!/usr/bin/env python3
"""Totals of one turnutils_uclient run, with the server's CPU time around it, as key=value for compare.sh.

Usage: uclient_totals.py OUTPUT CPU_US_BEFORE CPU_US_AFTER WALL_START WALL_END

uclient prints running totals ("tot_send_msgs=N, tot_recv_msgs=M") and, at the end, "Total lost packets N (P%)",
"Average round trip delay A ms; min = B ms, max = C ms" and "Average jitter J ms; ...". Relayed packets = messages
sent (client -> peer) + messages received back (peer -> client), the same definition as the load generator's.
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
    relayed = sent + recv
    seconds = t1 - t0
    cpu = c1 - c0
    kv = {
        "sent": sent, "received": recv, "lost": int(lost.group(1)), "loss_pct": float(lost.group(2)),
        "rtt_avg_ms": float(rtt.group(1)) if rtt else -1, "rtt_min_ms": float(rtt.group(2)) if rtt else -1,
        "rtt_max_ms": float(rtt.group(3)) if rtt else -1, "jitter_ms": float(jitter.group(1)) if jitter else -1,
        "seconds": round(seconds, 3), "relayed": relayed, "relayed_pps": round(relayed / seconds, 1),
        "cpu_us": cpu, "cpu_us_per_pkt": round(cpu / relayed, 3) if relayed else -1,
    }
    print(" ".join(f"{k}={v}" for k, v in kv.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
