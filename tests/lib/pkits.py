#!/usr/bin/python3
"""NIST PKITS revocation tests (sections 4.4, 4.5, 4.7, 4.14, 4.15) against
ocsp-gen, from the PKITS data in Debian's python3-cryptography-vectors.

Every CA that issued a certificate of a test's path (the trust anchor
included) becomes an authority: its certificate as ca_cert and as the
signer's cert, its own key from the .p12 as a PEM key file, the CRL(s) it
publishes in that test, the serials of the certificates it issued, and
what an operator would state: distribution_points (the names in the
CRLDistributionPoints that every certificate it issued carries) and
user_certs_only (when none of them is a CA certificate).  Each authority runs alone (its own
configuration and output), so one refusal does not hide another
authority's answers; each certificate's response is fetched with ocsp-db
get (ocsp-serve for a negative serial, which ocsp-db cannot name) and
verified by openssl ocsp against the CA.

The table (tests/lib/pkits_table.py) is written from PKITS (NIST, 2011) and
checked against the data before anything runs (issuer names, AKI/SKI and
signatures, CRL issuers, which serials each CRL lists, and that a good
answer comes from a CRL whose IssuingDistributionPoint covers the
certificate); the harness stops if the two disagree.

usage: pkits.py --bin DIR [--data DIR] [--only ID,...] [-v]
"""

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from concurrent.futures import ThreadPoolExecutor

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import (
    Encoding, NoEncryption, PrivateFormat, PublicFormat, pkcs12)

from der import tlv
from pkits_table import TA, TESTS

DATA = ("/usr/lib/python3/dist-packages/cryptography_vectors/x509/"
        "PKITS_data")
# 4.4.15's EE has serial -1, which cryptography parses with a warning.
warnings.filterwarnings("ignore", message="Parsed a .*serial number")


class Data:
    """The PKITS files, loaded once; PEM copies and keys in WORK."""

    def __init__(self, root, work):
        self.root, self.work = root, work
        self.certs, self.crls = {}, {}

    def cert(self, name):
        if name not in self.certs:
            der = open(f"{self.root}/certs/{name}.crt", "rb").read()
            self.certs[name] = x509.load_der_x509_certificate(der)
        return self.certs[name]

    def crl(self, name):
        if name not in self.crls:
            self.crls[name] = Crl(open(self.crl_path(name), "rb").read())
        return self.crls[name]

    def crl_path(self, name):
        return f"{self.root}/crls/{name}.crl"

    def pem(self, name):
        path = f"{self.work}/{name}.pem"
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(self.cert(name).public_bytes(Encoding.PEM))
        return path

    def key(self, name):
        """The CA's own key from its .p12, as a PEM file."""
        path = f"{self.work}/{name}.key"
        if not os.path.exists(path):
            blob = open(f"{self.root}/pkcs12/{name}.p12", "rb").read()
            key, _, _ = pkcs12.load_key_and_certificates(blob, b"password")
            spki = PublicFormat.SubjectPublicKeyInfo
            mine = self.cert(name).public_key()
            if (key.public_key().public_bytes(Encoding.DER, spki) !=
                    mine.public_bytes(Encoding.DER, spki)):
                raise Mismatch(f"{name}.p12: the key is not the certificate's")
            with open(path, "wb") as f:
                f.write(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8,
                                          NoEncryption()))
        return path


REMOVE_FROM_CRL = 8
OID_REASON, OID_AKI, OID_DELTA, OID_IDP = (bytes.fromhex("0603551d" + x)
                                           for x in ("15", "23", "1b", "1c"))


class Crl:
    """What the table check needs from a CRL, read with the shared DER
    reader: Debian 12's cryptography (38) cannot parse 4.4.14's CRL (its
    entry has the negative serial -1).  issuer: the Name's DER; aki; delta;
    entries: (serial, reason code or None); tbs and sig for verifying;
    idp: the IssuingDistributionPoint as cryptography reads it, or None."""

    def __init__(self, der):
        _, i, _ = tlv(der, 0)
        _, ts, te = tlv(der, i)
        self.tbs = der[i:te]
        _, _, e = tlv(der, te)                       # signatureAlgorithm
        _, s, e2 = tlv(der, e)                       # BIT STRING
        self.sig = der[s + 1:e2]
        fields = list(children(der, ts, te))
        if fields[0][0] == 0x02:                     # version
            fields.pop(0)
        self.issuer = der[fields[1][3]:fields[1][2]]
        self.entries, self.aki, self.delta = [], None, False
        has_idp = False
        for tag, s, e, _ in fields[3:]:
            if tag == 0x30:                          # revokedCertificates
                self.entries = [self.entry(der, es, ee)
                                for _, es, ee, _ in children(der, s, e)]
            elif tag == 0xA0:                        # crlExtensions
                _, s, e = tlv(der, s)
                for oid, val in extensions(der, s, e):
                    if oid == OID_AKI:
                        _, ks, ke = tlv(val, tlv(val, 0)[1])
                        self.aki = val[ks:ke]
                    self.delta |= oid == OID_DELTA
                    has_idp |= oid == OID_IDP
        self.idp = self.idp_name = None
        if has_idp:
            crl = x509.load_der_x509_crl(der)
            self.idp = ext(crl, x509.IssuingDistributionPoint)
            self.idp_name = crl.issuer

    @staticmethod
    def entry(der, s, e):
        parts = list(children(der, s, e))
        serial = int.from_bytes(der[parts[0][1]:parts[0][2]], "big",
                                signed=True)
        reason = None
        if len(parts) > 2:
            for oid, val in extensions(der, parts[2][1], parts[2][2]):
                if oid == OID_REASON:
                    reason = val[2]                  # ENUMERATED, one octet
        return serial, reason


def children(b, s, e):
    """(tag, content start, content end, TLV start) inside b[s:e]."""
    while s < e:
        tag, cs, ce = tlv(b, s)
        yield tag, cs, ce, s
        s = ce


def extensions(b, s, e):
    """(OID TLV bytes, extnValue contents) of an Extensions SEQUENCE."""
    for _, xs, xe, _ in children(b, s, e):
        parts = list(children(b, xs, xe))
        oid, val = parts[0], parts[-1]
        yield b[oid[3]:oid[2]], b[val[1]:val[2]]


class Mismatch(Exception):
    """The table and the PKITS data disagree."""


def ext(obj, cls):
    try:
        return obj.extensions.get_extension_for_class(cls).value
    except x509.ExtensionNotFound:
        return None


def is_ca(cert):
    bc = ext(cert, x509.BasicConstraints)
    return bool(bc and bc.ca)


SHORT = {"countryName": "C", "organizationName": "O", "commonName": "CN",
         "organizationalUnitName": "OU", "stateOrProvinceName": "ST",
         "localityName": "L", "domainComponent": "DC"}


def oneline(name):
    """A Name in OpenSSL's one-line form: /C=US/O=Example/CN=CRL1."""
    out = ""
    for rdn in name.rdns:
        parts = []
        for a in rdn:
            if a.oid._name not in SHORT or re.search(r"[/+,\\#$]", a.value):
                raise Mismatch(f"name {name.rfc4514_string()}: cannot write "
                               "it in one-line form here")
            parts.append(f"{SHORT[a.oid._name]}={a.value}")
        out += "/" + "+".join(parts)
    return out


def gn_name(cert, gn):
    if isinstance(gn, x509.UniformResourceIdentifier):
        return gn.value
    if isinstance(gn, x509.DirectoryName):
        return oneline(gn.value)
    raise Mismatch(f"{cert.subject}: distribution point name {gn}")


def dp_names(cert):
    """The names in CERT's CRLDistributionPoints, as distribution_points
    takes them: URIs, directory names, a name relative to the CRL issuer
    written in full."""
    names = []
    for dp in ext(cert, x509.CRLDistributionPoints) or []:
        names += [gn_name(cert, gn) for gn in dp.full_name or []]
        if dp.relative_name:
            base = cert.issuer
            if dp.crl_issuer:
                base = dp.crl_issuer[0].value
            names.append(oneline(x509.Name(list(base.rdns) +
                                           [dp.relative_name])))
    return names


def serial_hex(n):
    return format(n, "X") if n >= 0 else "-" + format(-n, "X")


class Auth:
    """One CA of a test as an ocsp-gen authority: the certificates it
    issued that the test reads, and its CRL alternatives."""

    def __init__(self, ca, alts):
        self.ca, self.alts, self.issued = ca, alts, []


def default_crl(ca):
    if ca == TA:
        return "TrustAnchorRootCRL"
    return ca[:-len("Cert")] + "CRL" if ca.endswith("Cert") else ca + "CRL"


def authorities(t):
    """CA -> Auth for test T, and (cert, issuer CA, expected) for every
    certificate whose status the test reads."""
    certs = [(c, TA if i == 0 else t.path[i - 1], e)
             for i, (c, e) in enumerate(zip(t.path, t.expect))]
    certs += [tuple(x) for x in t.extra]
    auths = {}
    for cert, ca, _ in certs:
        if ca not in auths:
            auths[ca] = Auth(ca, t.crls.get(ca, [default_crl(ca)]))
        auths[ca].issued.append(cert)
    return auths, certs


def split_alt(alt):
    """"BASE[+DELTA][^CRL_ISSUER]" -> (base, delta, crl_issuer)."""
    alt, _, signer = alt.partition("^")
    base, _, delta = alt.partition("+")
    return base, delta, signer


def foreign(d, ca, crl_name):
    """Not issued under CA's name and key (or not verifying with it); CA
    may be the separate CRL-signing certificate given as crl_issuer."""
    crl, cert = d.crl(crl_name), d.cert(ca)
    ski = ext(cert, x509.SubjectKeyIdentifier)
    return not (crl.issuer == cert.subject.public_bytes() and ski and
                crl.aki == ski.digest and verifies(cert, crl.tbs, crl.sig))


def listed(d, alt):
    """Serials ALT's CRL (and delta over it) leaves revoked."""
    base, delta, _ = split_alt(alt)
    out = set()
    for name in [base] + ([delta] if delta else []):
        for serial, reason in d.crl(name).entries:
            if reason == REMOVE_FROM_CRL:
                out.discard(serial)
            else:
                out.add(serial)
    return out


def covers(d, crl_name, cert_name):
    """RFC 5280 6.3.3 (b)(2): is the certificate in the CRL's scope?"""
    idp, c = d.crl(crl_name).idp, d.cert(cert_name)
    if idp is None:
        return True
    if (idp.only_contains_user_certs and is_ca(c) or
            idp.only_contains_ca_certs and not is_ca(c) or
            idp.only_contains_attribute_certs):
        return False
    names = [gn_name(c, gn) for gn in idp.full_name or []]
    if idp.relative_name:
        issuer = d.crl(crl_name).idp_name
        names.append(oneline(x509.Name(list(issuer.rdns) +
                                       [idp.relative_name])))
    return not names or bool(set(names) & set(dp_names(c)))


def verifies(issuer, tbs, sig):
    """Debian 12's cryptography (38) has no verify_directly_issued_by;
    PKITS signs with RSA PKCS#1 v1.5 and SHA-256 throughout."""
    try:
        issuer.public_key().verify(sig, tbs, padding.PKCS1v15(),
                                   hashes.SHA256())
        return True
    except InvalidSignature:
        return False


def check_test(d, t):
    """Raise Mismatch where test T and the PKITS data disagree."""
    n = t.tid.rsplit(".", 1)[1]
    ee = t.path[-1]
    if not re.fullmatch(rf"(Valid|Invalid)\w+Test{n}EE", ee) or \
            t.name.split()[0] != ("Valid" if t.valid else "Invalid") or \
            not t.name.endswith(f"Test{n}"):
        raise Mismatch(f"{t.tid}: EE {ee} / name '{t.name}' do not match")
    if len(t.expect) != len(t.path):
        raise Mismatch(f"{t.tid}: {len(t.path)} certificates, "
                       f"{len(t.expect)} outcomes")
    auths, certs = authorities(t)
    for cert, ca, exp in certs:
        c, i = d.cert(cert), d.cert(ca)
        aki = ext(c, x509.AuthorityKeyIdentifier)
        ski = ext(i, x509.SubjectKeyIdentifier)
        if c.issuer != i.subject or not verifies(i, c.tbs_certificate_bytes,
                                                   c.signature):
            raise Mismatch(f"{t.tid}: {cert} not issued by {ca}")
        if not aki or aki.key_identifier != ski.digest:
            raise Mismatch(f"{t.tid}: {cert}: AKI is not {ca}'s SKI")
        alts = auths[ca].alts
        outs = exp.split("|")
        if len(outs) != len(alts):
            raise Mismatch(f"{t.tid}: {cert}: {len(outs)} outcomes for "
                           f"{len(alts)} CRL alternatives of {ca}")
        for out, alt in zip(outs, alts):
            check_outcome(d, t, cert, ca, out, alt)


def check_outcome(d, t, cert, ca, out, alt):
    if out not in ("good", "revoked", "refused"):
        raise Mismatch(f"{t.tid}: {cert}: outcome '{out}'")
    base, delta, signer = split_alt(alt)
    if signer and (d.cert(signer).subject != d.cert(ca).subject or
                   not ext(d.cert(signer), x509.KeyUsage).crl_sign):
        raise Mismatch(f"{t.tid}: {signer} is no CRL signer of {ca}")
    for name in filter(None, (base, delta)):
        is_foreign = foreign(d, signer or ca, name)
        # With a crl_issuer the table says the CRL verifies through it.
        if is_foreign != (not signer and (name in t.foreign or
                                          f"{name}@{ca}" in t.foreign)):
            raise Mismatch(f"{t.tid}: {name} is {'' if is_foreign else 'not '}"
                           f"foreign to {ca}, the table says otherwise")
        is_delta = d.crl(name).delta
        if name == delta and not is_delta:
            raise Mismatch(f"{t.tid}: {name} is not a delta CRL")
        if out != "refused" and (is_foreign or (is_delta and name == base)):
            raise Mismatch(f"{t.tid}: {cert}: {out} from {name}, which "
                           f"{ca} cannot use")
    if out == "refused":
        return
    if not base:
        raise Mismatch(f"{t.tid}: {cert}: {out} without a CRL")
    if out == "good" and not covers(d, base, cert):
        raise Mismatch(f"{t.tid}: {cert}: good from {base}, whose "
                       "IssuingDistributionPoint does not cover it")
    revoked = d.cert(cert).serial_number in listed(d, alt)
    if revoked != (out == "revoked"):
        raise Mismatch(f"{t.tid}: {cert}: table says {out}, {alt} "
                       f"{'lists' if revoked else 'does not list'} it")


def section_name(ca):
    return re.sub(r"\W", "_", ca)


def write_conf(d, dirpath, auth, alt):
    """A configuration with AUTH alone, publishing to its own file."""
    base, delta, signer = split_alt(alt)
    issued = [d.cert(c) for c in auth.issued]
    with open(f"{dirpath}/issued", "w") as f:
        # A negative serial cannot be written in hex: the CRL still
        # decides it (a listed serial is signed revoked whether issued
        # or not).
        f.writelines(f"{c.serial_number:X}\n" for c in issued
                     if c.serial_number >= 0)
    a = section_name(auth.ca)
    lines = ["[ocsp_gen]", f"authorities = {a}", "workers = 1",
             "cert_ids = sha1", f"cache_dir = {dirpath}/cache", "",
             f"[{a}]", f"output = {dirpath}/out.lmdb",
             f"ca_cert = {d.pem(auth.ca)}", f"issued = {dirpath}/issued",
             "signers = own_key"]
    if base:
        lines.append(f"crl = {d.crl_path(base)}")
    if delta:
        lines.append(f"delta_crl = {d.crl_path(delta)}")
    if signer:
        lines.append(f"crl_issuer = {d.pem(signer)}")
    # The names every certificate in `issued` carries (ocsp-gen.conf(5)):
    # a name only some carry would pass that point's CRL for all of them.
    carried = [dp_names(c) for c in issued]
    dps = [n for n in carried[0] if all(n in c for c in carried[1:])]
    if dps:
        lines.append("distribution_points = " + ", ".join(dps))
    if not any(is_ca(c) for c in issued):
        lines.append("user_certs_only = yes")
    lines += ["", "[own_key]", f"cert = {d.pem(auth.ca)}",
              f"key = {d.key(auth.ca)}", ""]
    conf = f"{dirpath}/ocsp-gen.conf"
    with open(conf, "w") as f:
        f.write("\n".join(lines))
    return conf, a


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def query(args, ca_pem, serial, extra):
    """openssl ocsp's verdict on one response: good / revoked / unknown,
    or what went wrong (the signature must verify against the CA)."""
    cmd = ["openssl", "ocsp", "-issuer", ca_pem, "-serial", serial,
           "-VAfile", ca_pem, "-no_nonce"] + extra
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    out = p.stdout + p.stderr
    m = re.search(r"^\S+: (good|revoked|unknown)$", out, re.M)
    if p.returncode or "Response verify OK" not in out or not m:
        return "unverified"
    return m.group(1)


def served(args, db, ca_pem, serial):
    """A negative serial, which ocsp-db get cannot name: ask ocsp-serve."""
    port = free_port()
    srv = subprocess.Popen([f"{args.bin}/ocsp-serve", "--db", db, "--listen",
                            f"127.0.0.1:{port}", "--threads", "1"],
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                if srv.poll() is not None:
                    return "absent"
                time.sleep(0.05)
        return query(args, ca_pem, serial_hex(serial).replace("-", "-0x"),
                     ["-url", f"http://127.0.0.1:{port}/"])
    finally:
        srv.terminate()
        srv.wait(timeout=10)


def status(args, db, ca_pem, serial, rder):
    if serial < 0:
        return served(args, db, ca_pem, serial)
    with open(rder, "wb") as f:
        p = subprocess.run([f"{args.bin}/ocsp-db", "get", db, "--issuer",
                            ca_pem, "--serial", serial_hex(serial),
                            "--hash", "sha1"], stdout=f,
                           stderr=subprocess.DEVNULL, timeout=30)
    if p.returncode:
        return "absent"
    return query(args, ca_pem, "0x" + serial_hex(serial), ["-respin", rder])


def run_auth(args, d, tdir, auth, k, alt):
    """Run ocsp-gen for AUTH with CRL alternative K; return
    ({cert: outcome}, refusal message or None)."""
    dirpath = f"{tdir}/{section_name(auth.ca)}.{k}"
    os.mkdir(dirpath)
    conf, a = write_conf(d, dirpath, auth, alt)
    env = {n: v for n, v in os.environ.items()
           if n.lower() not in ("http_proxy", "no_proxy")}
    p = subprocess.run([f"{args.bin}/ocsp-gen", "-c", conf, "--ca", a],
                       capture_output=True, text=True, timeout=60, env=env)
    db = f"{dirpath}/out.lmdb"
    if p.returncode:
        msg = " / ".join(l for l in p.stderr.splitlines()
                         if "warning" not in l) or f"exit {p.returncode}"
        msg = msg.replace(f"{d.root}/crls/", "").replace(f"{dirpath}/", "")
        if os.path.exists(db):
            msg = "PUBLISHED DESPITE FAILING: " + msg
        return {c: "refused" for c in auth.issued}, msg
    ca_pem = d.pem(auth.ca)
    return {c: status(args, db, ca_pem, d.cert(c).serial_number,
                      f"{dirpath}/r.der") for c in auth.issued}, None


def run_test(args, d, t):
    """Every authority of T with each of its CRL alternatives; returns
    {cert: "outcome|outcome..."} and the refusal messages."""
    auths, certs = authorities(t)
    tdir = tempfile.mkdtemp(prefix=f"t{t.tid}.", dir=d.work)
    got = {c: [] for c, _, _ in certs}
    msgs = []
    for auth in auths.values():
        for k, alt in enumerate(auth.alts):
            res, msg = run_auth(args, d, tdir, auth, k, alt)
            for c, o in res.items():
                got[c].append(o)
            if msg:
                msgs.append(f"{auth.ca} [{alt or 'no CRL'}]: {msg}")
    if not args.keep:
        shutil.rmtree(tdir)
    return {c: "|".join(o) for c, o in got.items()}, msgs


def judge(t, got):
    """(category, problems): right / safe refusal / documented refusal /
    out of scope / wrong, from the path certificates' readings; problems
    lists every way the readings leave the table."""
    _, certs = authorities(t)
    problems = [f"{c}: got {got[c]}, table says {e}"
                for c, _, e in certs if got[c] != e]
    wrong = [f"{c}: reads good, is revoked" for c, _, e in certs
             if any(x == "revoked" and y == "good"
                    for x, y in zip(e.split("|"), got[c].split("|")))]
    path = [got[c].split("|") for c in t.path]
    all_good = all("good" in r for r in path)
    any_revoked = any("revoked" in r for r in path)
    if t.valid and any_revoked:
        wrong.append("a certificate of a valid path reads revoked")
    if not t.valid and all_good and not t.oos:
        wrong.append("an invalid path reads good throughout")
    if wrong:
        return "wrong", problems + wrong
    if t.valid:
        if all_good:
            return "right", problems
        if not t.refusal:
            problems.append("refused without a documented reason")
        return "documented refusal", problems
    if any_revoked:
        return "right", problems
    if all_good:
        return "out of scope", problems
    return "safe refusal", problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True, help="directory of the programs")
    ap.add_argument("--data", default=DATA, help="PKITS_data directory")
    ap.add_argument("--only", help="comma-separated test ids")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--keep", action="store_true", help="keep the work dirs")
    ap.add_argument("-v", action="store_true", help="print every refusal")
    args = ap.parse_args()
    args.bin = os.path.abspath(args.bin)
    tests = TESTS
    if args.only:
        tests = [t for t in TESTS if t.tid in args.only.split(",")]
    work = tempfile.mkdtemp(prefix="pkits.")
    try:
        d = Data(args.data, work)
        try:
            for t in tests:
                check_test(d, t)
                for ca in authorities(t)[0]:
                    d.key(ca)
        except Mismatch as e:
            print(f"FAIL pkits: the table and the PKITS data disagree: {e}")
            return 2
        with ThreadPoolExecutor(max_workers=args.jobs) as ex:
            results = list(ex.map(lambda t: run_test(args, d, t), tests))
        return report(args, tests, results)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def report(args, tests, results):
    counts = {k: 0 for k in ("right", "safe refusal", "documented refusal",
                             "out of scope", "wrong")}
    passed = failed = 0
    for t, (got, msgs) in zip(tests, results):
        cat, problems = judge(t, got)
        counts[cat] += 1
        _, certs = authorities(t)
        reading = " ".join(f"{c}={got[c]}" for c, _, _ in certs)
        verdict = "valid" if t.valid else "invalid"
        ok = not problems
        passed, failed = passed + ok, failed + (not ok)
        print(f"{'ok  ' if ok else 'FAIL'} pkits: {t.tid} {t.name} "
              f"({verdict}; {cat}): {reading}")
        for p in problems:
            print(f"     | {p}")
        if not ok or args.v:
            for m in msgs:
                print(f"     | refused: {m}")
    print("pkits summary: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    print(f"pkits: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
