#!/usr/bin/python3
"""Send COUNT copies of an OCSP POST back to back on one connection to
127.0.0.1:PORT and read every answer.  usage: pipeline.py PORT REQ.der COUNT
Prints the number of complete answers read; every loop is bounded."""
import socket
import sys

port, req, count = int(sys.argv[1]), open(sys.argv[2], "rb").read(), int(sys.argv[3])
one = (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/ocsp-request\r\n"
       b"Content-Length: %d\r\n\r\n" % len(req)) + req
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(one * count)
s.shutdown(socket.SHUT_WR)
data = b""
for _ in range(100000):
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
print(data.count(b"HTTP/1.1 200 OK\r\n"))
