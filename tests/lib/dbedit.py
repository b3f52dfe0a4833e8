#!/usr/bin/env python3
"""Damage one response record of an `mdb_dump` text, for verifier tests.

    dbedit.py IN.dump OUT.dump MODE SERIAL HASH

MODE  sig     flip one bit inside the response's signature BIT STRING
      certid  flip one bit inside the CertID's issuerNameHash
      status  make the header say revoked (no reason) where the DER says good
      record  make the record's version octet one no reader knows (the
              record no longer decodes)
SERIAL is hex as ocsp-db prints it; HASH is sha1 or sha256.  The record
header layout is docs/db-format.txt's; the DER is found by walking TLVs
from the end of the 56-octet header, so it does not depend on how the body
is wrapped.  Exits 1 if the record or the field is not found.
"""
import sys

from der import tlv

HDR = 56
TAGS = {"sha1": (1, 20), "sha256": (2, 32)}




def find_bitstring(b, i, end):
    """Offset range of the first BIT STRING's content, depth first."""
    while i < end:
        tag, s, e = tlv(b, i)
        if e > end:
            return None
        if tag == 0x03:
            return s + 1, e          # skip the unused-bits octet
        inner = tag & 0x20 or (tag == 0x04 and b[s] == 0x30 and
                               tlv(b, s)[2] == e)
        if inner:
            r = find_bitstring(b, s, e)
            if r:
                return r
        i = e
    return None


def main():
    src, dst, mode, serial, hname = sys.argv[1:6]
    tag, h = TAGS[hname]
    want = bytes.fromhex(serial if len(serial) % 2 == 0 else "0" + serial)
    lines = open(src).read().split("\n")
    start = lines.index("HEADER=END") + 1
    done = False
    for j in range(start, len(lines) - 1, 2):
        if not lines[j].startswith(" "):
            break
        key = bytes.fromhex(lines[j].strip())
        if key[0] != tag or key[1 + 2 * h:].lstrip(b"\0") != want.lstrip(b"\0"):
            continue
        val = bytearray(bytes.fromhex(lines[j + 1].strip()))
        if mode == "sig":
            r = find_bitstring(val, HDR, len(val))
            if not r:
                break
            val[r[1] - 1] ^= 0x01
        elif mode == "certid":
            at = bytes(val).find(key[1:1 + h], HDR)
            if at < 0:
                break
            val[at + 3] ^= 0x10
        elif mode == "record":
            val[0] = 0xEE
        elif mode == "status":
            if val[1] != 0:
                break
            val[1], val[2] = 1, 0xFF
        lines[j + 1] = " " + val.hex()
        done = True
        break
    if not done:
        sys.exit("dbedit: record or field not found")
    open(dst, "w").write("\n".join(lines))


main()
