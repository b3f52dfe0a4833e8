#!/usr/bin/python3
"""Record what real clients send: listen on 127.0.0.1:PORT, save the bytes
of each connection (until the peer stops sending for a moment, or a whole
request has come) as OUTDIR/NAME-N, answer a fixed OCSP-shaped 200, close.
usage: capture.py PORT OUTDIR NAME COUNT   (serves COUNT connections)"""
import socket
import sys

port, outdir, name, count = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(8)
srv.settimeout(30)
# An unsigned "tryLater" OCSPResponse: every client accepts the exchange.
answer = (b"HTTP/1.1 200 OK\r\nContent-Type: application/ocsp-response\r\n"
          b"Content-Length: 5\r\nConnection: close\r\n\r\n\x30\x03\x0a\x01\x03")


def complete(data):
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            return len(body) >= int(v)
    return True


for n in range(count):
    c, _ = srv.accept()
    c.settimeout(1.0)
    data = b""
    for _ in range(1000):
        try:
            chunk = c.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        data += chunk
        if complete(data):
            break
    with open("%s/%s-%d" % (outdir, name, n), "wb") as f:
        f.write(data)
    c.sendall(answer)
    c.close()
