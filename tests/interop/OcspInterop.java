// The JDK's and Bouncy Castle's OCSP clients in one JVM run (JVM start-up
// is slow: tests batch their cases into one file).
//
// usage: java OcspInterop CASES
//
// Each line of CASES: NAME CLIENT URL ISSUER.pem CERT HASH METHOD
//   CLIENT bc   Bouncy Castle: a request for serial CERT (hex) with HASH
//               sha1 | sha256 (parameters absent, RFC 5754) | sha256null
//               (NULL parameters), METHOD post | get; the answer must be
//               signed by the issuer or a delegate it certified, and hold
//               a SingleResponse whose CertID equals the request's
//               (CertificateID.equals, byte for byte).
//          jdk  the JDK's PKIX revocation checker on certificate CERT (a
//               PEM file) with the issuer as trust anchor, OCSP only
//               (HASH and METHOD: "-", the JDK chooses).
// Prints "NAME: good", "NAME: revoked" or "NAME: error: ..." per line.
import java.io.*;
import java.math.BigInteger;
import java.net.*;
import java.nio.file.*;
import java.security.Security;
import java.security.cert.*;
import java.util.*;

import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.*;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

public class OcspInterop {
    static X509Certificate load(String path) throws Exception {
        try (InputStream in = new FileInputStream(path)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(in);
        }
    }

    static byte[] ask(String url, byte[] req, String method) throws Exception {
        HttpURLConnection c;
        if (method.equals("post")) {
            c = (HttpURLConnection) new URL(url).openConnection();
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", "application/ocsp-request");
            try (OutputStream o = c.getOutputStream()) { o.write(req); }
        } else {
            String b64 = URLEncoder.encode(Base64.getEncoder().encodeToString(req), "UTF-8");
            c = (HttpURLConnection) new URL(url.replaceAll("/+$", "") + "/" + b64).openConnection();
        }
        c.setConnectTimeout(10000);
        c.setReadTimeout(10000);
        try (InputStream in = c.getInputStream()) { return in.readAllBytes(); }
    }

    static String bc(String url, String issuerPath, String serial, String hash,
                     String method) throws Exception {
        X509Certificate issuer = load(issuerPath);
        AlgorithmIdentifier alg =
            hash.equals("sha1") ? new AlgorithmIdentifier(OIWObjectIdentifiers.idSHA1, DERNull.INSTANCE)
            : hash.equals("sha256null") ? new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256, DERNull.INSTANCE)
            : new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256);
        DigestCalculatorProvider dcp = new JcaDigestCalculatorProviderBuilder().build();
        CertificateID id = new CertificateID(dcp.get(alg), new JcaX509CertificateHolder(issuer),
                                             new BigInteger(serial, 16));
        OCSPReq req = new OCSPReqBuilder().addRequest(id).build();
        OCSPResp resp = new OCSPResp(ask(url, req.getEncoded(), method));
        if (resp.getStatus() != OCSPResp.SUCCESSFUL)
            return "error: responseStatus " + resp.getStatus();
        BasicOCSPResp b = (BasicOCSPResp) resp.getResponseObject();
        X509CertificateHolder[] certs = b.getCerts();
        X509CertificateHolder signer = new JcaX509CertificateHolder(issuer);
        if (certs.length > 0 && !certs[0].equals(signer)) {
            // A delegate: certified by the issuer for OCSPSigning.
            if (!certs[0].isSignatureValid(new JcaContentVerifierProviderBuilder().build(issuer)))
                return "error: the embedded certificate is not the issuer's";
            signer = certs[0];
        }
        if (!b.isSignatureValid(new JcaContentVerifierProviderBuilder().build(signer)))
            return "error: the signature does not verify";
        for (SingleResp s : b.getResponses()) {
            if (!s.getCertID().equals(id))
                continue;
            return s.getCertStatus() == CertificateStatus.GOOD ? "good"
                : s.getCertStatus() instanceof RevokedStatus ? "revoked" : "unknown";
        }
        return "error: no SingleResponse whose CertID equals the request's";
    }

    static String jdk(String url, String issuerPath, String certPath) throws Exception {
        X509Certificate issuer = load(issuerPath), leaf = load(certPath);
        CertPathValidator v = CertPathValidator.getInstance("PKIX");
        PKIXRevocationChecker rc = (PKIXRevocationChecker) v.getRevocationChecker();
        rc.setOcspResponder(URI.create(url));
        rc.setOptions(EnumSet.of(PKIXRevocationChecker.Option.NO_FALLBACK));
        PKIXParameters p = new PKIXParameters(Set.of(new TrustAnchor(issuer, null)));
        p.addCertPathChecker(rc);
        CertPath path = CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf));
        try {
            v.validate(path, p);
            return "good";
        } catch (CertPathValidatorException e) {
            if (e.getReason() == CertPathValidatorException.BasicReason.REVOKED)
                return "revoked";
            return "error: " + e.getMessage();
        }
    }

    public static void main(String[] args) throws Exception {
        Security.addProvider(new BouncyCastleProvider());
        for (String line : Files.readAllLines(Paths.get(args[0]))) {
            String[] f = line.trim().split("\\s+");
            if (f.length != 7 || f[0].startsWith("#"))
                continue;
            String out;
            try {
                out = f[1].equals("jdk") ? jdk(f[2], f[3], f[4]) : bc(f[2], f[3], f[4], f[5], f[6]);
            } catch (Exception e) {
                out = "error: " + e;
            }
            System.out.println(f[0] + ": " + out.replace('\n', ' '));
        }
    }
}
