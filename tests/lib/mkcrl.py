#!/usr/bin/python3
"""Sign a CRL for a test CA the way Microsoft AD CS makes them.

Base CRLs carry CRL Number, CA Version (1.3.6.1.4.1.311.21.1), Next CRL
Publish (1.3.6.1.4.1.311.21.4) and Freshest CRL (where the delta is);
delta CRLs carry a Delta CRL Indicator instead of Freshest CRL.  Options
add IssuingDistributionPoint variants and entries of any reason, including
certificateHold and removeFromCRL.

  mkcrl.py --ca rsa/ca.pem --key rsa/ca.key --number 10 \\
      --revoke 1003:keyCompromise --revoke 1004:certificateHold out.crl
  mkcrl.py ... --number 11 --delta 10 --revoke 1004:removeFromCRL out+.crl
  mkcrl.py ... --number 12 --idp dp --idp-dp "/O=Demo PKI/CN=CRL1" out.crl

--bulk N adds N entries (serials 0x10000000 up) through a plain DER writer,
for the large-CRL benchmark: the library's builder takes minutes for 1M.
"""
import argparse
import datetime
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.x509.oid import ObjectIdentifier

MS_CA_VERSION = ObjectIdentifier("1.3.6.1.4.1.311.21.1")
MS_NEXT_PUBLISH = ObjectIdentifier("1.3.6.1.4.1.311.21.4")
REASONS = {
    "unspecified": x509.ReasonFlags.unspecified,
    "keyCompromise": x509.ReasonFlags.key_compromise,
    "cACompromise": x509.ReasonFlags.ca_compromise,
    "affiliationChanged": x509.ReasonFlags.affiliation_changed,
    "superseded": x509.ReasonFlags.superseded,
    "cessationOfOperation": x509.ReasonFlags.cessation_of_operation,
    "certificateHold": x509.ReasonFlags.certificate_hold,
    "removeFromCRL": x509.ReasonFlags.remove_from_crl,
    "privilegeWithdrawn": x509.ReasonFlags.privilege_withdrawn,
    "aACompromise": x509.ReasonFlags.aa_compromise,
}
REASON_CODES = {"unspecified": 0, "keyCompromise": 1, "cACompromise": 2,
                "affiliationChanged": 3, "superseded": 4,
                "cessationOfOperation": 5, "certificateHold": 6,
                "removeFromCRL": 8, "privilegeWithdrawn": 9,
                "aACompromise": 10}


def der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def tlv(tag, body):
    return bytes([tag]) + der_len(len(body)) + body


def der_int(v):
    return tlv(0x02, v.to_bytes(v.bit_length() // 8 + 1, "big", signed=True))


def utc(t):
    return tlv(0x17, t.strftime("%y%m%d%H%M%SZ").encode())


def idp(kind, name):
    """kind as --idp says; name: the distribution point (a URI, a
    one-line directory name "/O=../CN=..", or "none")."""
    dp = None
    if name.startswith("/"):
        rdns = [x509.NameAttribute(
            {"C": x509.NameOID.COUNTRY_NAME, "O": x509.NameOID.ORGANIZATION_NAME,
             "OU": x509.NameOID.ORGANIZATIONAL_UNIT_NAME,
             "CN": x509.NameOID.COMMON_NAME}[k], v)
            for k, v in (part.split("=", 1) for part in name[1:].split("/"))]
        dp = [x509.DirectoryName(x509.Name(rdns))]
    elif name != "none":
        dp = [x509.UniformResourceIdentifier(name)]
    args = dict(full_name=dp, relative_name=None, only_contains_user_certs=False,
                only_contains_ca_certs=False, only_some_reasons=None,
                indirect_crl=False, only_contains_attribute_certs=False)
    if kind == "user-only":
        args["only_contains_user_certs"] = True
    elif kind == "ca-only":
        args["only_contains_ca_certs"] = True
    elif kind == "some-reasons":
        args["only_some_reasons"] = frozenset([x509.ReasonFlags.key_compromise])
    elif kind == "indirect":
        args["indirect_crl"] = True
    elif kind == "attr-only":
        args["only_contains_attribute_certs"] = True
    elif kind != "dp":
        sys.exit("mkcrl: unknown --idp " + kind)
    return x509.IssuingDistributionPoint(**args)


def entry(spec, when):
    serial, _, reason = spec.partition(":")
    b = x509.RevokedCertificateBuilder().serial_number(int(serial, 16))
    b = b.revocation_date(when)
    if reason:
        b = b.add_extension(x509.CRLReason(REASONS[reason]), critical=False)
    return b.build()


def sign_alg(key):
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return lambda data: key.sign(data, ec.ECDSA(hashes.SHA256()))
    return lambda data: key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def splice_bulk(crl_der, key, n, when):
    """Insert n entries into a signed CRL's tbsCertList and re-sign it."""
    def split(b):  # one TLV: (tag, header length, content length)
        ln = b[1]
        if ln < 0x80:
            return 2, ln
        k = ln & 0x7F
        return 2 + k, int.from_bytes(b[2:2 + k], "big")
    h, _ = split(crl_der)
    body = crl_der[h:]
    th, tl = split(body)
    tbs = body[th:th + tl]
    rest = body[th + tl:]          # signatureAlgorithm, signatureValue
    alg_h, alg_l = split(rest)
    alg = rest[:alg_h + alg_l]
    # tbs = [version] alg issuer thisUpdate nextUpdate [revoked] [0] exts
    items, p = [], 0
    while p < len(tbs):
        ih, il = split(tbs[p:])
        items.append(tbs[p:p + ih + il])
        p += ih + il
    date = utc(when)
    reason = tlv(0x30, tlv(0x30, tlv(0x06, b"\x55\x1d\x15") +
                           tlv(0x04, tlv(0x0A, b"\x01"))))
    ents = b"".join(tlv(0x30, der_int(0x10000000 + i) + date + reason)
                    for i in range(n))
    last = max(i for i, it in enumerate(items) if it[0] in (0x17, 0x18))
    if last + 1 < len(items) and items[last + 1][0] == 0x30:
        old = items.pop(last + 1)
        ents = old[split(old)[0]:] + ents
    items.insert(last + 1, tlv(0x30, ents))
    out = items
    new_tbs = tlv(0x30, b"".join(out))
    sig = sign_alg(key)(new_tbs)
    return tlv(0x30, new_tbs + alg + tlv(0x03, b"\x00" + sig))


def main():
    ap = argparse.ArgumentParser(description="sign a test CRL")
    ap.add_argument("--ca", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--number", type=int, required=True)
    ap.add_argument("--delta", type=int, help="BaseCRLNumber: a delta CRL")
    ap.add_argument("--revoke", action="append", default=[],
                    help="HEXSERIAL[:reason]")
    ap.add_argument("--idp", help="dp|user-only|ca-only|some-reasons|"
                    "indirect|attr-only")
    ap.add_argument("--idp-dp", default="http://pki.example.com/CA.crl",
                    help="the IDP's distribution point: URI, /O=../CN=.. "
                    "or none")
    ap.add_argument("--days", type=float, default=7, help="nextUpdate")
    ap.add_argument("--ago", type=float, default=0,
                    help="thisUpdate this many days back")
    ap.add_argument("--no-number", action="store_true")
    ap.add_argument("--pem", action="store_true")
    ap.add_argument("--bulk", type=int, default=0)
    ap.add_argument("--revoked-at", default="20250101000000Z",
                    help="revocation date of every entry (fixed, so that "
                    "re-issuing a CRL changes no response)")
    ap.add_argument("out")
    a = ap.parse_args()

    ca = x509.load_pem_x509_certificate(open(a.ca, "rb").read())
    key = serialization.load_pem_private_key(open(a.key, "rb").read(), None)
    now = datetime.datetime.utcnow().replace(microsecond=0)
    this = now - datetime.timedelta(days=a.ago)
    nxt = this + datetime.timedelta(days=a.days)
    when = datetime.datetime.strptime(a.revoked_at, "%Y%m%d%H%M%SZ")

    b = x509.CertificateRevocationListBuilder().issuer_name(ca.subject)
    b = b.last_update(this).next_update(nxt)
    b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
        ca.public_key()), critical=False)
    b = b.add_extension(x509.UnrecognizedExtension(MS_CA_VERSION, b"\x02\x01\x00"),
                        critical=False)
    if not a.no_number:
        b = b.add_extension(x509.CRLNumber(a.number), critical=False)
    publish = utc(nxt - datetime.timedelta(days=a.days / 2))
    b = b.add_extension(x509.UnrecognizedExtension(MS_NEXT_PUBLISH, publish),
                        critical=False)
    if a.delta is not None:
        b = b.add_extension(x509.DeltaCRLIndicator(a.delta), critical=True)
    else:
        b = b.add_extension(x509.FreshestCRL([x509.DistributionPoint(
            [x509.UniformResourceIdentifier("http://pki.example.com/CA+.crl")],
            None, None, None)]), critical=False)
    if a.idp:
        b = b.add_extension(idp(a.idp, a.idp_dp), critical=True)
    for spec in a.revoke:
        b = b.add_revoked_certificate(entry(spec, when))
    crl = b.sign(key, hashes.SHA256())
    der = crl.public_bytes(serialization.Encoding.DER)
    if a.bulk:
        der = splice_bulk(der, key, a.bulk, when)
    if a.pem:
        crl = x509.load_der_x509_crl(der)
        der = crl.public_bytes(serialization.Encoding.PEM)
    open(a.out, "wb").write(der)


if __name__ == "__main__":
    main()
