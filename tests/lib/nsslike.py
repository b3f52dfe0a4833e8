#!/usr/bin/python3
"""Rewrite a plain OCSP request (openssl -reqout) the way richer clients
send them: explicit version, a requestorName, a non-critical
singleRequestExtension (service locator) and requestExtensions (nonce,
acceptable responses).  usage: nsslike.py IN.der OUT.der"""
import sys

from der import tlv as der_tlv


def tlv(tag, body):
    n = len(body)
    if n < 128:
        ln = bytes([n])
    elif n < 256:
        ln = bytes([0x81, n])
    else:
        ln = bytes([0x82, n >> 8, n & 255])
    return bytes([tag]) + ln + body


def parse(b, i):
    tag, s, e = der_tlv(b, i)
    return tag, b[s:e], e


der = open(sys.argv[1], "rb").read()
_, req, _ = parse(der, 0)          # OCSPRequest
_, tbs, _ = parse(req, 0)          # TBSRequest
_, lst, _ = parse(tbs, 0)          # requestList
_, one, _ = parse(lst, 0)          # Request
t, certid, _ = parse(one, 0)       # CertID
certid = tlv(t, certid)

oid = lambda dotted: tlv(0x06, bytes.fromhex(dotted))
ext = lambda o, v: tlv(0x30, o + tlv(0x04, v))            # critical absent
service_locator = ext(oid("2b06010505073001" + "07"),
                      tlv(0x30, tlv(0x30, b"") + tlv(0x30, b"")))
nonce = ext(oid("2b06010505073001" + "02"), tlv(0x04, bytes(range(16))))
acceptable = ext(oid("2b06010505073001" + "04"),
                 tlv(0x30, oid("2b0601050507300101")))
request = tlv(0x30, certid + tlv(0xa0, tlv(0x30, service_locator)))
tbs = (tlv(0xa0, tlv(0x02, b"\x00")) +
       tlv(0xa1, tlv(0xa4, tlv(0x30, tlv(0x31, tlv(0x30, oid("550403") +
                                                  tlv(0x0c, b"client")))))) +
       tlv(0x30, request) +
       tlv(0xa2, tlv(0x30, nonce + acceptable)))
open(sys.argv[2], "wb").write(tlv(0x30, tlv(0x30, tbs)))
