#!/usr/bin/env python3
"""The records of one CA in an `mdb_dump` text, found from outside.

    dbissuer.py DUMP CA.pem

Prints one line per record whose key holds the CA's issuer hashes
(issuerNameHash | issuerKeyHash under SHA-1 or a SHA-2 hash, as
docs/db-format.txt lays them out): "KIND KEYHEX VALHEX", KIND being
"response" for a response record, or the meta record's name ("crl",
"retain", ...) for a key starting with 0x00.  The hashes are computed
here, not by the programs under test, so a record the generator built
under a prefix of its own still shows.
"""
import hashlib
import sys

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from der import tlv


def issuer_hashes(pem):
    """nameHash | keyHash of the CA under every hash docs/db-format.txt
    names."""
    cert = x509.load_pem_x509_certificate(open(pem, "rb").read())
    name = cert.subject.public_bytes()
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER,
        serialization.PublicFormat.SubjectPublicKeyInfo)
    _, s, _ = tlv(spki, 0)          # SubjectPublicKeyInfo
    _, _, e = tlv(spki, s)          # AlgorithmIdentifier
    _, bs, be = tlv(spki, e)        # subjectPublicKey BIT STRING
    key = spki[bs + 1:be]           # without the unused-bits octet
    return [hashlib.new(h, name).digest() + hashlib.new(h, key).digest()
            for h in ("sha1", "sha256", "sha384", "sha512")]


def records(dump):
    lines = open(dump).read().split("\n")
    start = lines.index("HEADER=END") + 1
    for j in range(start, len(lines) - 1, 2):
        if not lines[j].startswith(" "):
            break
        yield (bytes.fromhex(lines[j].strip()),
               bytes.fromhex(lines[j + 1].strip()))


def kind(key):
    if key[0] != 0:
        return "response"
    n = 1
    while n < len(key) and 0x61 <= key[n] <= 0x7a:    # the name: a-z
        n += 1
    return key[1:n].decode() or "meta"


def main():
    dump, pem = sys.argv[1:3]
    hashes = issuer_hashes(pem)
    for key, val in records(dump):
        if any(h in key for h in hashes):
            print(kind(key), key.hex(), val.hex())


main()
