#!/usr/bin/python3
"""A CRL distribution point for tests: serves DIR on 127.0.0.1:PORT.

ETag and Last-Modified on every file, 304 for a matching If-None-Match or
an If-Modified-Since not older than the file; /moved/NAME redirects (302)
to /NAME; /oversize claims 300 MB and sends a little.  One line per
request on stdout: "METHOD PATH STATUS".

  cdp.py DIR PORT
"""
import email.utils
import hashlib
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = sys.argv[1]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, fmt, *args):
        pass

    def note(self, status):
        print("%s %s %d" % (self.command, self.path, status), flush=True)

    def do_GET(self):
        if self.path.startswith("/moved/"):
            self.note(302)
            self.send_response(302)
            self.send_header("Location", "http://%s:%d/%s" % (
                *self.server.server_address, self.path[len("/moved/"):]))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path == "/oversize":
            self.note(200)
            self.send_response(200)
            self.send_header("Content-Type", "application/pkix-crl")
            self.send_header("Content-Length", str(300 << 20))
            self.end_headers()
            try:
                self.wfile.write(b"\x30\x84\x12\x00\x00\x00" + b"\0" * 65536)
            except OSError:
                pass
            return
        path = os.path.join(ROOT, os.path.basename(self.path))
        try:
            data = open(path, "rb").read()
            mtime = int(os.stat(path).st_mtime)
        except OSError:
            self.note(404)
            self.send_error(404)
            return
        etag = '"%s"' % hashlib.sha256(data).hexdigest()[:16]
        ims = self.headers.get("If-Modified-Since")
        inm = self.headers.get("If-None-Match")
        same = inm == etag if inm else False
        if not inm and ims:
            try:
                since = email.utils.parsedate_to_datetime(ims).timestamp()
                same = mtime <= since
            except (TypeError, ValueError):
                pass
        status = 304 if same else 200
        self.note(status)
        self.send_response(status)
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", email.utils.formatdate(mtime, usegmt=True))
        if status == 200:
            self.send_header("Content-Type", "application/pkix-crl")
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if status == 200:
            self.wfile.write(data)


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), Handler).serve_forever()
