#!/usr/bin/python3
"""Independent OCSP client (python3-cryptography): ask, then verify.

usage: ocsp_client.py URL ISSUER.pem SERIAL_HEX HASH post|get|file:RESP.der ROOT.pem
                      [responder=key|name] [certs=N] [at=T] [this=T] [next=T]
                      [span=SECONDS] [exts=N] [cutoff=T|produced-SECONDS]
                      [crlurl=URL|none] [crlnum=N|none] [crltime=T]
HASH is sha1, sha256, sha384 or sha512.  (file:RESP.der checks a response
from a file instead of asking URL.)  responder= also checks the form of the
responderID and that it names the signer; certs= the number of certificates
in the response.  at= checks the time window at T (Unix seconds) instead of
now; this= and next= the thisUpdate and nextUpdate, span= their difference;
exts= the number of singleExtensions; cutoff= the archive cutoff
(id-pkix-ocsp-archive-cutoff, a time or producedAt minus seconds); crlurl=,
crlnum=, crltime= the CRL reference (id-pkix-ocsp-crl), none for a field
that must be absent.

Prints one line, "good", "revoked <reason>" or "error: ...", and exits 0 only
if the response is signed by the CA or a delegate the CA issued with the
OCSPSigning EKU, names the asked CertID, and is within its time window.
"""
import base64
import os
import datetime
import sys
import urllib.parse
import urllib.request

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from der import tlv  # noqa: E402  (the shared DER reader, tests/lib)


def verify_sig(pub, sig, data, algo):
    if isinstance(pub, rsa.RSAPublicKey):
        pub.verify(sig, data, padding.PKCS1v15(), algo)
    elif isinstance(pub, ec.EllipticCurvePublicKey):
        pub.verify(sig, data, ec.ECDSA(algo))
    else:
        raise ValueError("unsupported key type")


def main():
    url, issuer_path, serial_hex, hname, method, root_path = sys.argv[1:7]
    want = dict(a.split("=", 1) for a in sys.argv[7:])
    issuer = x509.load_pem_x509_certificate(open(issuer_path, "rb").read())
    root = x509.load_pem_x509_certificate(open(root_path, "rb").read())
    algo = {"sha1": hashes.SHA1(), "sha256": hashes.SHA256(),
            "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}[hname]
    serial = int(serial_hex, 16)
    # The builder wants a certificate; a throwaway one carrying the serial
    # is enough, since CertID takes only its serial (and the issuer's name
    # and key from the issuer certificate).
    req = ocsp.OCSPRequestBuilder().add_certificate(
        _standin(serial, issuer), issuer, algo).build()
    der = req.public_bytes(serialization.Encoding.DER)
    if method.startswith("file:"):
        r = None
    elif method == "post":
        r = urllib.request.Request(url, data=der, headers={
            "Content-Type": "application/ocsp-request"})
    else:
        r = urllib.request.Request(url.rstrip("/") + "/" +
                                   urllib.parse.quote(base64.b64encode(der).decode(), safe=""))
    if r is None:
        body = open(method[5:], "rb").read()
    else:
        body = urllib.request.urlopen(r, timeout=10).read()
    resp = ocsp.load_der_ocsp_response(body)
    if resp.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
        print("error: responseStatus %s" % resp.response_status.name)
        return 1
    # Signer: the CA itself, or a delegate issued by the CA with OCSPSigning.
    signer = issuer
    if resp.certificates and resp.certificates[0] == issuer:
        pass  # the CA signs its own responses and ships its certificate
    elif resp.certificates:
        signer = resp.certificates[0]
        verify_sig(issuer.public_key(), signer.signature,
                   signer.tbs_certificate_bytes, signer.signature_hash_algorithm)
        if signer.issuer != issuer.subject:
            print("error: delegate not issued by the CA")
            return 1
        eku = signer.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        if ExtendedKeyUsageOID.OCSP_SIGNING not in eku:
            print("error: delegate lacks OCSPSigning")
            return 1
    verify_sig(signer.public_key(), resp.signature, resp.tbs_response_bytes,
               resp.signature_hash_algorithm)
    err = _check_profile(resp, signer, want)
    if err:
        print("error: " + err)
        return 1
    # The CA chains to the root.
    verify_sig(root.public_key(), issuer.signature, issuer.tbs_certificate_bytes,
               issuer.signature_hash_algorithm)
    if resp.serial_number != serial or resp.hash_algorithm.name != algo.name:
        print("error: CertID does not match the request")
        return 1
    nh, kh = _certid_hashes(issuer, algo)
    if resp.issuer_name_hash != nh or resp.issuer_key_hash != kh:
        print("error: issuer hashes do not match")
        return 1
    err = _check_times(resp, want)
    if err:
        print("error: " + err)
        return 1
    now = datetime.datetime.utcnow()
    if "at" in want:
        now = datetime.datetime.utcfromtimestamp(int(want["at"]))
    if not (resp.this_update <= now + datetime.timedelta(minutes=5) and
            resp.next_update and now < resp.next_update):
        print("error: outside thisUpdate..nextUpdate")
        return 1
    if resp.certificate_status == ocsp.OCSPCertStatus.GOOD:
        print("good")
    elif resp.certificate_status == ocsp.OCSPCertStatus.REVOKED:
        reason = resp.revocation_reason.name if resp.revocation_reason else "none"
        print("revoked %s" % reason)
    else:
        print("unknown")
    return 0


def _check_profile(resp, signer, want):
    """responderID form and value, number of certificates, as asked."""
    if "certs" in want and len(resp.certificates) != int(want["certs"]):
        return "%d certificates in the response" % len(resp.certificates)
    form = want.get("responder")
    if form == "name":
        if resp.responder_name != signer.subject:
            return "responderID is not byName of the signer"
    elif form == "key":
        if resp.responder_key_hash is None:
            return "responderID is not byKey"
        h = hashes.Hash(hashes.SHA1())
        h.update(_spki_bits(signer.public_key().public_bytes(
            serialization.Encoding.DER,
            serialization.PublicFormat.SubjectPublicKeyInfo)))
        if resp.responder_key_hash != h.finalize():
            return "responderID byKey does not name the signer"
    return None


OID_CRL = "1.3.6.1.5.5.7.48.1.3"
OID_CUTOFF = "1.3.6.1.5.5.7.48.1.6"


def _unix(t):
    """A naive UTC datetime as Unix seconds."""
    return int(t.replace(tzinfo=datetime.timezone.utc).timestamp())


def _gentime(b):
    """Unix seconds of a DER GeneralizedTime TLV (YYYYMMDDHHMMSSZ)."""
    tag, s, e = tlv(b, 0)
    if tag != 0x18 or e != len(b):
        raise ValueError("not a GeneralizedTime")
    return _unix(datetime.datetime.strptime(b[s:e].decode(), "%Y%m%d%H%M%SZ"))


def _crl_id(b):
    """The CrlID fields (RFC 6960 4.4.2) of an extnValue, by tag."""
    tag, s, e = tlv(b, 0)
    if tag != 0x30 or e != len(b):
        raise ValueError("CrlID is not a SEQUENCE")
    out, i = {}, s
    while i < e:
        t, cs, ce = tlv(b, i)           # [n] EXPLICIT
        it, vs, ve = tlv(b, cs)
        if t == 0xA0 and it == 0x16:
            out["crlurl"] = b[vs:ve].decode("ascii")
        elif t == 0xA1 and it == 0x02:
            out["crlnum"] = str(int.from_bytes(b[vs:ve], "big", signed=True))
        elif t == 0xA2:
            out["crltime"] = str(_gentime(b[cs:ce]))
        else:
            raise ValueError("unexpected CrlID field %02x" % t)
        i = ce
    return out


def _check_times(resp, want):
    """thisUpdate, nextUpdate and the singleExtensions, as asked."""
    if "this" in want and _unix(resp.this_update) != int(want["this"]):
        return "thisUpdate %d, not %s" % (_unix(resp.this_update), want["this"])
    if "next" in want and _unix(resp.next_update) != int(want["next"]):
        return "nextUpdate %d, not %s" % (_unix(resp.next_update), want["next"])
    span = _unix(resp.next_update) - _unix(resp.this_update)
    if "span" in want and span != int(want["span"]):
        return "nextUpdate - thisUpdate %d, not %s" % (span, want["span"])
    exts = {e.oid.dotted_string: e for e in resp.single_extensions}
    if "exts" in want and len(resp.single_extensions) != int(want["exts"]):
        return "%d singleExtensions" % len(resp.single_extensions)
    if any(e.critical for e in resp.single_extensions):
        return "a critical singleExtension"
    if "cutoff" in want:
        if OID_CUTOFF not in exts:
            return "no archive cutoff"
        got = _gentime(exts[OID_CUTOFF].value.value)
        w = want["cutoff"]
        exp = (_unix(resp.produced_at) - int(w[9:]) if w.startswith("produced-")
               else int(w))
        if got != exp:
            return "archive cutoff %d, not %d" % (got, exp)
    fields = [f for f in ("crlurl", "crlnum", "crltime") if f in want]
    if fields:
        if OID_CRL not in exts:
            return "no CRL reference"
        got = _crl_id(exts[OID_CRL].value.value)
        for f in fields:
            if got.get(f, "none") != want[f]:
                return "CRL reference %s %s, not %s" % (f, got.get(f, "none"),
                                                        want[f])
    return None


def _standin(serial, issuer):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.utcnow()
    return (x509.CertificateBuilder().subject_name(issuer.subject)
            .issuer_name(issuer.subject).public_key(key.public_key())
            .serial_number(serial).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))


def _certid_hashes(issuer, algo):
    name = issuer.subject.public_bytes()
    spki = issuer.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    # subjectPublicKey BIT STRING content, without the unused-bits octet.
    key_bits = _spki_bits(spki)
    h1 = hashes.Hash(algo)
    h1.update(name)
    h2 = hashes.Hash(algo)
    h2.update(key_bits)
    return h1.finalize(), h2.finalize()


def _spki_bits(spki):
    _, i, _ = tlv(spki, 0)              # SubjectPublicKeyInfo
    _, j, alg_end = tlv(spki, i)        # AlgorithmIdentifier
    _, k, end = tlv(spki, alg_end)      # BIT STRING
    return spki[k + 1:end]


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:  # a client error is a failed case, said plainly
        print("error: %s: %s" % (type(e).__name__, e))
        sys.exit(1)
