#!/usr/bin/python3
"""Hostile clients against ocsp-serve on 127.0.0.1, with a well-behaved
client running all along.  usage: hostile.py PORT METRICS_PORT REQ.der

Prints "ok   hostile: ..." / "FAIL hostile: ..." lines, as tests/lib/t.sh.
Every loop is bounded in count and time.
"""
import fcntl
import socket
import struct
import sys
import termios
import threading
import time
import urllib.request

PORT, MPORT, REQ = int(sys.argv[1]), int(sys.argv[2]), open(sys.argv[3], "rb").read()
results = []


def check(name, cond):
    results.append(bool(cond))
    print("%s hostile: %s" % ("ok  " if cond else "FAIL", name), flush=True)


def post_once(timeout=5):
    req = urllib.request.Request("http://127.0.0.1:%d/" % PORT, data=REQ,
                                 headers={"Content-Type": "application/ocsp-request"})
    body = urllib.request.urlopen(req, timeout=timeout).read()
    return len(body) > 100


def conn():
    s = socket.create_connection(("127.0.0.1", PORT), timeout=5)
    return s


def recv_all(s, limit=2.0):
    s.settimeout(limit)
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        pass
    return data


def metric(name):
    body = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % MPORT, timeout=5).read().decode()
    for line in body.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


# The well-behaved client: bounded loop, counts failures.
good = {"ok": 0, "fail": 0}
stop = threading.Event()


def good_loop():
    for _ in range(100000):
        if stop.is_set():
            break
        try:
            if post_once():
                good["ok"] += 1
            else:
                good["fail"] += 1
        except Exception:
            good["fail"] += 1
        time.sleep(0.01)


t = threading.Thread(target=good_loop)
t.start()

# Pipelining: three requests in one write, three answers in order.
head = ("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/ocsp-request\r\n"
        "Content-Length: %d\r\n\r\n" % len(REQ)).encode()
s = conn()
s.sendall((head + REQ) * 3)
data = recv_all(s, 1.0)
s.close()
check("pipelined requests: three answers", data.count(b"HTTP/1.1 200 OK") == 3)



def queued(sock, request):
    return struct.unpack("i", fcntl.ioctl(sock, request, b"\0" * 4))[0]


def backed_up(sock, thread, seconds=10.0):
    """Until nothing moves on sock: the sender is done or blocked (its
    unsent octets, TIOCOUTQ, stay put), and the answers wait unread (the
    octets received, FIONREAD, non-zero and staying put)."""
    end, last = time.time() + seconds, None
    while time.time() < end:
        out = 0 if not thread.is_alive() else queued(sock, termios.TIOCOUTQ)
        now = (out, queued(sock, termios.FIONREAD))
        if now[1] > 0 and now == last:
            return True
        last = now
        time.sleep(0.1)
    return False


# A pipelined flood larger than the server's buffers, read only once the
# server has stopped reading: it must resume, and lose nothing.
N = 2000
s = conn()
sender = threading.Thread(target=lambda: s.sendall((head + REQ) * N))
sender.start()
check("pipelined flood: answers back up unread", backed_up(s, sender))
got = b""
s.settimeout(5)
deadline = time.time() + 20
while got.count(b"HTTP/1.1 200 OK") < N and time.time() < deadline:
    try:
        chunk = s.recv(1 << 16)
    except socket.timeout:
        break
    if not chunk:
        break
    got += chunk
sender.join(5)
s.close()
check("pipelined flood of %d requests: %d answers" % (N, got.count(b"HTTP/1.1 200 OK")),
      got.count(b"HTTP/1.1 200 OK") == N)

# Request sent, then write side closed: still answered.
s = conn()
s.sendall(head + REQ)
s.shutdown(socket.SHUT_WR)
data = recv_all(s, 2.0)
s.close()
check("half-closed socket still gets its answer", b"200 OK" in data and len(data) > 500)

# Garbage: 400 and closed, costing only that connection.
s = conn()
s.sendall(b"\x16\x03\x01\x02\x00garbage\r\n\r\n")
data = recv_all(s, 2.0)
s.close()
check("garbage bytes: 400 and close", data.startswith(b"HTTP/1.1 400"))

# A body larger than announced limits: 413 without reading it.
s = conn()
s.sendall(b"POST / HTTP/1.1\r\nContent-Length: 999999\r\n\r\n")
data = recv_all(s, 2.0)
s.close()
check("oversized Content-Length: 413", data.startswith(b"HTTP/1.1 413"))

# Slowloris: many connections trickling a header; the server drops them
# at its 10 s header deadline.
slow = []
for _ in range(200):
    try:
        slow.append(conn())
    except OSError:
        break
check("200 slow connections opened", len(slow) == 200)
t0 = time.time()
alive = len(slow)
# A closed socket shows on the second send after the close (the first one
# draws the RST), so allow a few seconds past the 10 s deadline.
while time.time() - t0 < 20 and alive:
    alive = 0
    for c in slow:
        try:
            c.send(b"X")
            alive += 1
        except OSError:
            pass
    time.sleep(0.25)
check("slowloris connections cut at the header deadline (%.0f s)" % (time.time() - t0),
      alive == 0 and time.time() - t0 < 16)
for c in slow:
    c.close()
to = metric("ocsp_serve_connections_timed_out_total")
check("timed-out connections counted", to is not None and to >= 200)

stop.set()
t.join()
check("well-behaved client: %d answers, %d failures" % (good["ok"], good["fail"]),
      good["fail"] == 0 and good["ok"] > 50)
print("hostile: %d passed, %d failed" % (results.count(True), results.count(False)))
sys.exit(0 if all(results) else 1)
