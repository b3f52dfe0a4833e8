#!/usr/bin/python3
"""Run a command and report what it cost: for the scale bench (big_scale.sh).

  runstat.py OUT [--trace FILE] -- COMMAND [ARG...]

Writes one line to OUT: wall seconds, user and system CPU seconds (the
command and its children, from wait4), peak anonymous memory (RssAnon of
/proc/PID/status, sampled every 0.1 s: LMDB's map and the page cache are
file-backed and not counted) and peak resident memory (VmHWM, all of it)
in KiB.  --trace FILE also writes every sample: seconds since start and
RssAnon KiB, to see when the memory grows.  Exits with the command's
status.
"""
import os
import sys
import time


def status_kib(pid, keys):
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in keys:
                    out[k] = int(v.split()[0])
    except (OSError, ValueError, IndexError):
        pass
    return out


def main():
    args = sys.argv[1:]
    if len(args) < 3 or "--" not in args:
        sys.exit(__doc__)
    out = args[0]
    trace = args[2] if args[1] == "--trace" else None
    cmd = args[args.index("--") + 1:]
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    peak = hwm = 0
    tr = open(trace, "w") if trace else None
    status = ru = None
    # Bounded by the command: the loop ends when wait4 reaps it.
    while True:
        s = status_kib(pid, ("RssAnon", "VmHWM"))
        peak = max(peak, s.get("RssAnon", 0))
        hwm = max(hwm, s.get("VmHWM", 0))
        if tr and "RssAnon" in s:
            tr.write(f"{time.monotonic() - t0:.1f} {s['RssAnon']}\n")
        p, status, ru = os.wait4(pid, os.WNOHANG)
        if p == pid:
            break
        time.sleep(0.1)
    wall = time.monotonic() - t0
    if tr:
        tr.close()
    hwm = max(hwm, ru.ru_maxrss)
    with open(out, "w") as f:
        f.write(f"{wall:.2f} {ru.ru_utime:.2f} {ru.ru_stime:.2f} {peak} {hwm}\n")
    code = os.waitstatus_to_exitcode(status)
    sys.exit(code if code >= 0 else 128 - code)


if __name__ == "__main__":
    main()
