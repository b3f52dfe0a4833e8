"""The PKITS tests of sections 4.4, 4.5, 4.7, 4.14 and 4.15 (NIST Public
Key Interoperability Test Suite, 2011 data) as ocsp-gen sees them: each
test's certification path, the CRLs its CAs publish, PKITS's verdict (the
EE's file name: Valid... or Invalid...) and the outcome of every
certificate.  Written from PKITS; tests/lib/pkits.py checks it against the
data before running it.
"""

TA = "TrustAnchorRootCertificate"

# Why a valid path ends in a refusal: the product's documented limits.
ROLLOVER = ("CA key rollover: the CRL is signed by the CA's new key, which "
            "no certificate of the old key certifies (crl_issuer needs one)")
SEPARATE = ("separate CRL-signing key certified by the trust anchor, not "
            "by the CA's key: crl_issuer takes only a certificate the CA "
            "issued")
ONLY_CA = "onlyContainsCACerts CRL: refused (ocsp-gen cannot tell CA serials)"
REASONS = "reason-partitioned CRLs (onlySomeReasons): refused"
INDIRECT = "indirect CRL (indirectCRL, another issuer's CRL): refused"
# Why an invalid path reads good: path validation, not revocation status.
KEYCERTSIGN = ("the CA's keyUsage lacks keyCertSign: the EE's signature is "
               "invalid, which is path validation, not status")
NOT_A_CA = ("the EE is issued by the CRL-signing certificate, which is no "
            "CA: path validation, not status")


class T:
    """One PKITS test.

    path: certificate files (no .crt) from the trust anchor's child to the
    EE.  expect: one outcome per path certificate, good / revoked /
    refused, "|"-separated when its issuer has several CRL alternatives
    (one per alternative, in order).  crls: CA -> alternatives, each
    "BASE" or "BASE+DELTA" ("" for none); by default the trust anchor's
    CRL, else XCert -> XCRL; "^SIGNER" adds crl_issuer = SIGNER.
    extra: (cert, issuer, outcome) for CRL signers the relying party also
    validates, and for other certificates the CA issued (an operator's
    `issued` holds them all: 4.14.3 and 4.14.8 thus have a certificate
    naming the CRL's point and one naming another).  foreign: CRL files not
    issued under the configured CA's name and key (the data check asserts
    it).  refusal: documented reason for refusing where PKITS says valid.
    oos: why an invalid path reads good (not a status question).
    """

    def __init__(self, tid, name, path, expect, crls=None, extra=(),
                 foreign=(), refusal=None, oos=None):
        self.tid, self.name, self.path, self.expect = tid, name, path, expect
        self.crls = crls or {}
        self.extra = list(extra)
        self.foreign = set(foreign)
        self.refusal, self.oos = refusal, oos
        self.valid = path[-1].startswith("Valid")


# A CA's CRL alternatives: each the CRL an operator might configure; the
# last one verified through the separate CRL-signing certificate the CA
# issued (crl_issuer).
OLDKEY = {"BasicSelfIssuedOldKeyCACert": [
    "BasicSelfIssuedOldKeyCACRL", "BasicSelfIssuedOldKeySelfIssuedCertCRL",
    "BasicSelfIssuedOldKeyCACRL^BasicSelfIssuedOldKeyNewWithOldCACert"]}
NEWKEY = {"BasicSelfIssuedNewKeyOldWithNewCACert":
          ["BasicSelfIssuedNewKeyCACRL"]}
CRLKEY = {"BasicSelfIssuedCRLSigningKeyCACert": [
    "BasicSelfIssuedCRLSigningKeyCACRL",
    "BasicSelfIssuedCRLSigningKeyCRLCertCRL",
    "BasicSelfIssuedCRLSigningKeyCACRL^BasicSelfIssuedCRLSigningKeyCRLCert"],
    "BasicSelfIssuedCRLSigningKeyCRLCert": [
    "BasicSelfIssuedCRLSigningKeyCACRL"]}
SEP1 = {"SeparateCertificateandCRLKeysCertificateSigningCACert": [
    "SeparateCertificateandCRLKeysCRL",
    "SeparateCertificateandCRLKeysCRL^"
    "SeparateCertificateandCRLKeysCRLSigningCert"]}
SEP2 = {"SeparateCertificateandCRLKeysCA2CertificateSigningCACert": [
    "SeparateCertificateandCRLKeysCA2CRL",
    "SeparateCertificateandCRLKeysCA2CRL^"
    "SeparateCertificateandCRLKeysCA2CRLSigningCert"]}
D1 = {"deltaCRLCA1Cert": ["deltaCRLCA1CRL+deltaCRLCA1deltaCRL"]}
D2 = {"deltaCRLCA2Cert": ["deltaCRLCA2CRL+deltaCRLCA2deltaCRL"]}
OSR1 = {"onlySomeReasonsCA1Cert": ["onlySomeReasonsCA1compromiseCRL",
                                   "onlySomeReasonsCA1otherreasonsCRL"]}
OSR4 = {"onlySomeReasonsCA4Cert": ["onlySomeReasonsCA4compromiseCRL",
                                   "onlySomeReasonsCA4otherreasonsCRL"]}
IND2 = {"indirectCRLCA2Cert": ["indirectCRLCA1CRL"]}
IND3 = {"indirectCRLCA3Cert": ["indirectCRLCA3CRL",
                               "indirectCRLCA3cRLIssuerCRL"]}
IND6 = {"indirectCRLCA6Cert": ["indirectCRLCA5CRL"]}
IND5 = {"indirectCRLCA5Cert": ["indirectCRLCA5CRL"]}
NWO = ("BasicSelfIssuedOldKeyNewWithOldCACert", "BasicSelfIssuedOldKeyCACert")
CRLCERT = ("BasicSelfIssuedCRLSigningKeyCRLCert",
           "BasicSelfIssuedCRLSigningKeyCACert")
C3 = ("indirectCRLCA3cRLIssuerCert", "indirectCRLCA3Cert")

TESTS = [
    # 4.4 Basic certificate revocation
    T("4.4.1", "Invalid Missing CRL Test1",
      ["NoCRLCACert", "InvalidMissingCRLTest1EE"], ["good", "refused"],
      crls={"NoCRLCACert": [""]}),
    T("4.4.2", "Invalid Revoked CA Test2",
      ["GoodCACert", "RevokedsubCACert", "InvalidRevokedCATest2EE"],
      ["good", "revoked", "good"]),
    T("4.4.3", "Invalid Revoked EE Test3",
      ["GoodCACert", "InvalidRevokedEETest3EE"], ["good", "revoked"]),
    T("4.4.4", "Invalid Bad CRL Signature Test4",
      ["BadCRLSignatureCACert", "InvalidBadCRLSignatureTest4EE"],
      ["good", "refused"], foreign=["BadCRLSignatureCACRL"]),
    T("4.4.5", "Invalid Bad CRL Issuer Name Test5",
      ["BadCRLIssuerNameCACert", "InvalidBadCRLIssuerNameTest5EE"],
      ["good", "refused"], foreign=["BadCRLIssuerNameCACRL"]),
    T("4.4.6", "Invalid Wrong CRL Test6",
      ["WrongCRLCACert", "InvalidWrongCRLTest6EE"], ["good", "refused"],
      foreign=["WrongCRLCACRL"]),
    T("4.4.7", "Valid Two CRLs Test7",
      ["TwoCRLsCACert", "ValidTwoCRLsTest7EE"], ["good", "good|refused"],
      crls={"TwoCRLsCACert": ["TwoCRLsCAGoodCRL", "TwoCRLsCABadCRL"]},
      foreign=["TwoCRLsCABadCRL"]),
    T("4.4.8", "Invalid Unknown CRL Entry Extension Test8",
      ["UnknownCRLEntryExtensionCACert",
       "InvalidUnknownCRLEntryExtensionTest8EE"], ["good", "refused"]),
    T("4.4.9", "Invalid Unknown CRL Extension Test9",
      ["UnknownCRLExtensionCACert", "InvalidUnknownCRLExtensionTest9EE"],
      ["good", "refused"]),
    T("4.4.10", "Invalid Unknown CRL Extension Test10",
      ["UnknownCRLExtensionCACert", "InvalidUnknownCRLExtensionTest10EE"],
      ["good", "refused"]),
    T("4.4.11", "Invalid Old CRL nextUpdate Test11",
      ["OldCRLnextUpdateCACert", "InvalidOldCRLnextUpdateTest11EE"],
      ["good", "refused"]),
    T("4.4.12", "Invalid pre2000 CRL nextUpdate Test12",
      ["pre2000CRLnextUpdateCACert", "Invalidpre2000CRLnextUpdateTest12EE"],
      ["good", "refused"]),
    T("4.4.13", "Valid GeneralizedTime CRL nextUpdate Test13",
      ["GeneralizedTimeCRLnextUpdateCACert",
       "ValidGeneralizedTimeCRLnextUpdateTest13EE"], ["good", "good"]),
    T("4.4.14", "Valid Negative Serial Number Test14",
      ["NegativeSerialNumberCACert", "ValidNegativeSerialNumberTest14EE"],
      ["good", "good"]),
    T("4.4.15", "Invalid Negative Serial Number Test15",
      ["NegativeSerialNumberCACert", "InvalidNegativeSerialNumberTest15EE"],
      ["good", "revoked"]),
    T("4.4.16", "Valid Long Serial Number Test16",
      ["LongSerialNumberCACert", "ValidLongSerialNumberTest16EE"],
      ["good", "good"]),
    T("4.4.17", "Valid Long Serial Number Test17",
      ["LongSerialNumberCACert", "ValidLongSerialNumberTest17EE"],
      ["good", "good"]),
    T("4.4.18", "Invalid Long Serial Number Test18",
      ["LongSerialNumberCACert", "InvalidLongSerialNumberTest18EE"],
      ["good", "revoked"]),
    T("4.4.19", "Valid Separate Certificate and CRL Keys Test19",
      ["SeparateCertificateandCRLKeysCertificateSigningCACert",
       "ValidSeparateCertificateandCRLKeysTest19EE"],
      ["good", "refused|refused"],
      crls=SEP1, foreign=["SeparateCertificateandCRLKeysCRL"],
      refusal=SEPARATE,
      extra=[("SeparateCertificateandCRLKeysCRLSigningCert", TA, "good")]),
    T("4.4.20", "Invalid Separate Certificate and CRL Keys Test20",
      ["SeparateCertificateandCRLKeysCertificateSigningCACert",
       "InvalidSeparateCertificateandCRLKeysTest20EE"],
      ["good", "refused|refused"],
      crls=SEP1, foreign=["SeparateCertificateandCRLKeysCRL"],
      extra=[("SeparateCertificateandCRLKeysCRLSigningCert", TA, "good")]),
    T("4.4.21", "Invalid Separate Certificate and CRL Keys Test21",
      ["SeparateCertificateandCRLKeysCA2CertificateSigningCACert",
       "InvalidSeparateCertificateandCRLKeysTest21EE"],
      ["good", "refused|refused"],
      crls=SEP2, foreign=["SeparateCertificateandCRLKeysCA2CRL"],
      extra=[("SeparateCertificateandCRLKeysCA2CRLSigningCert", TA,
              "revoked")]),
    # 4.5 Self-issued certificates
    T("4.5.1", "Valid Basic Self-Issued Old With New Test1",
      ["BasicSelfIssuedNewKeyCACert", "BasicSelfIssuedNewKeyOldWithNewCACert",
       "ValidBasicSelfIssuedOldWithNewTest1EE"],
      ["good", "good", "refused"], crls=NEWKEY,
      foreign=["BasicSelfIssuedNewKeyCACRL@"
               "BasicSelfIssuedNewKeyOldWithNewCACert"],
      refusal=ROLLOVER),
    T("4.5.2", "Invalid Basic Self-Issued Old With New Test2",
      ["BasicSelfIssuedNewKeyCACert", "BasicSelfIssuedNewKeyOldWithNewCACert",
       "InvalidBasicSelfIssuedOldWithNewTest2EE"],
      ["good", "good", "refused"], crls=NEWKEY,
      foreign=["BasicSelfIssuedNewKeyCACRL@"
               "BasicSelfIssuedNewKeyOldWithNewCACert"]),
    T("4.5.3", "Valid Basic Self-Issued New With Old Test3",
      ["BasicSelfIssuedOldKeyCACert", "BasicSelfIssuedOldKeyNewWithOldCACert",
       "ValidBasicSelfIssuedNewWithOldTest3EE"],
      ["good", "refused|good|good", "good"],
      crls=dict(OLDKEY, BasicSelfIssuedOldKeyNewWithOldCACert=[
          "BasicSelfIssuedOldKeyCACRL"]),
      foreign=["BasicSelfIssuedOldKeyCACRL@BasicSelfIssuedOldKeyCACert"]),
    T("4.5.4", "Valid Basic Self-Issued New With Old Test4",
      ["BasicSelfIssuedOldKeyCACert", "ValidBasicSelfIssuedNewWithOldTest4EE"],
      ["good", "refused|refused|good"], crls=OLDKEY,
      extra=[NWO + ("refused|refused|good",)],
      foreign=["BasicSelfIssuedOldKeyCACRL"]),
    T("4.5.5", "Invalid Basic Self-Issued New With Old Test5",
      ["BasicSelfIssuedOldKeyCACert",
       "InvalidBasicSelfIssuedNewWithOldTest5EE"],
      ["good", "refused|refused|revoked"], crls=OLDKEY,
      extra=[NWO + ("refused|refused|good",)],
      foreign=["BasicSelfIssuedOldKeyCACRL"]),
    T("4.5.6", "Valid Basic Self-Issued CRL Signing Key Test6",
      ["BasicSelfIssuedCRLSigningKeyCACert",
       "ValidBasicSelfIssuedCRLSigningKeyTest6EE"],
      ["good", "refused|refused|good"], crls=CRLKEY,
      extra=[CRLCERT + ("refused|refused|good",)],
      foreign=["BasicSelfIssuedCRLSigningKeyCACRL@"
               "BasicSelfIssuedCRLSigningKeyCACert"]),
    T("4.5.7", "Invalid Basic Self-Issued CRL Signing Key Test7",
      ["BasicSelfIssuedCRLSigningKeyCACert",
       "InvalidBasicSelfIssuedCRLSigningKeyTest7EE"],
      ["good", "refused|refused|revoked"], crls=CRLKEY,
      extra=[CRLCERT + ("refused|refused|good",)],
      foreign=["BasicSelfIssuedCRLSigningKeyCACRL@"
               "BasicSelfIssuedCRLSigningKeyCACert"]),
    T("4.5.8", "Invalid Basic Self-Issued CRL Signing Key Test8",
      ["BasicSelfIssuedCRLSigningKeyCACert",
       "BasicSelfIssuedCRLSigningKeyCRLCert",
       "InvalidBasicSelfIssuedCRLSigningKeyTest8EE"],
      ["good", "refused|good|good", "good"], crls=CRLKEY,
      foreign=["BasicSelfIssuedCRLSigningKeyCACRL@"
               "BasicSelfIssuedCRLSigningKeyCACert"], oos=NOT_A_CA),
    # 4.7 Key usage
    T("4.7.1", "Invalid keyUsage Critical keyCertSign False Test1",
      ["keyUsageCriticalkeyCertSignFalseCACert",
       "InvalidkeyUsageCriticalkeyCertSignFalseTest1EE"], ["good", "good"],
      oos=KEYCERTSIGN),
    T("4.7.2", "Invalid keyUsage Not Critical keyCertSign False Test2",
      ["keyUsageNotCriticalkeyCertSignFalseCACert",
       "InvalidkeyUsageNotCriticalkeyCertSignFalseTest2EE"], ["good", "good"],
      oos=KEYCERTSIGN),
    T("4.7.3", "Valid keyUsage Not Critical Test3",
      ["keyUsageNotCriticalCACert", "ValidkeyUsageNotCriticalTest3EE"],
      ["good", "good"]),
    T("4.7.4", "Invalid keyUsage Critical cRLSign False Test4",
      ["keyUsageCriticalcRLSignFalseCACert",
       "InvalidkeyUsageCriticalcRLSignFalseTest4EE"], ["good", "refused"]),
    T("4.7.5", "Invalid keyUsage Not Critical cRLSign False Test5",
      ["keyUsageNotCriticalcRLSignFalseCACert",
       "InvalidkeyUsageNotCriticalcRLSignFalseTest5EE"], ["good", "refused"]),
    # 4.14 Distribution points
    T("4.14.1", "Valid distributionPoint Test1",
      ["distributionPoint1CACert", "ValiddistributionPointTest1EE"],
      ["good", "good"]),
    T("4.14.2", "Invalid distributionPoint Test2",
      ["distributionPoint1CACert", "InvaliddistributionPointTest2EE"],
      ["good", "revoked"]),
    T("4.14.3", "Invalid distributionPoint Test3",
      ["distributionPoint1CACert", "InvaliddistributionPointTest3EE"],
      ["good", "refused"], extra=[("ValiddistributionPointTest1EE",
                                   "distributionPoint1CACert", "refused")]),
    T("4.14.4", "Valid distributionPoint Test4",
      ["distributionPoint1CACert", "ValiddistributionPointTest4EE"],
      ["good", "good"]),
    T("4.14.5", "Valid distributionPoint Test5",
      ["distributionPoint2CACert", "ValiddistributionPointTest5EE"],
      ["good", "good"]),
    T("4.14.6", "Invalid distributionPoint Test6",
      ["distributionPoint2CACert", "InvaliddistributionPointTest6EE"],
      ["good", "revoked"]),
    T("4.14.7", "Valid distributionPoint Test7",
      ["distributionPoint2CACert", "ValiddistributionPointTest7EE"],
      ["good", "good"]),
    T("4.14.8", "Invalid distributionPoint Test8",
      ["distributionPoint2CACert", "InvaliddistributionPointTest8EE"],
      ["good", "refused"], extra=[("ValiddistributionPointTest5EE",
                                   "distributionPoint2CACert", "refused")]),
    T("4.14.9", "Invalid distributionPoint Test9",
      ["distributionPoint2CACert", "InvaliddistributionPointTest9EE"],
      ["good", "refused"]),
    T("4.14.10", "Valid No issuingDistributionPoint Test10",
      ["NoissuingDistributionPointCACert",
       "ValidNoissuingDistributionPointTest10EE"], ["good", "good"]),
    T("4.14.11", "Invalid onlyContainsUserCerts CRL Test11",
      ["onlyContainsUserCertsCACert", "InvalidonlyContainsUserCertsTest11EE"],
      ["good", "refused"]),
    T("4.14.12", "Invalid onlyContainsCACerts CRL Test12",
      ["onlyContainsCACertsCACert", "InvalidonlyContainsCACertsTest12EE"],
      ["good", "refused"]),
    T("4.14.13", "Valid onlyContainsCACerts CRL Test13",
      ["onlyContainsCACertsCACert", "ValidonlyContainsCACertsTest13EE"],
      ["good", "refused"], refusal=ONLY_CA),
    T("4.14.14", "Invalid onlyContainsAttributeCerts Test14",
      ["onlyContainsAttributeCertsCACert",
       "InvalidonlyContainsAttributeCertsTest14EE"], ["good", "refused"]),
    T("4.14.15", "Invalid onlySomeReasons Test15",
      ["onlySomeReasonsCA1Cert", "InvalidonlySomeReasonsTest15EE"],
      ["good", "refused|refused"], crls=OSR1),
    T("4.14.16", "Invalid onlySomeReasons Test16",
      ["onlySomeReasonsCA1Cert", "InvalidonlySomeReasonsTest16EE"],
      ["good", "refused|refused"], crls=OSR1),
    T("4.14.17", "Invalid onlySomeReasons Test17",
      ["onlySomeReasonsCA2Cert", "InvalidonlySomeReasonsTest17EE"],
      ["good", "refused|refused"],
      crls={"onlySomeReasonsCA2Cert": ["onlySomeReasonsCA2CRL1",
                                       "onlySomeReasonsCA2CRL2"]}),
    T("4.14.18", "Valid onlySomeReasons Test18",
      ["onlySomeReasonsCA3Cert", "ValidonlySomeReasonsTest18EE"],
      ["good", "refused|refused"], refusal=REASONS,
      crls={"onlySomeReasonsCA3Cert": ["onlySomeReasonsCA3compromiseCRL",
                                       "onlySomeReasonsCA3otherreasonsCRL"]}),
    T("4.14.19", "Valid onlySomeReasons Test19",
      ["onlySomeReasonsCA4Cert", "ValidonlySomeReasonsTest19EE"],
      ["good", "refused|refused"], crls=OSR4, refusal=REASONS),
    T("4.14.20", "Invalid onlySomeReasons Test20",
      ["onlySomeReasonsCA4Cert", "InvalidonlySomeReasonsTest20EE"],
      ["good", "refused|refused"], crls=OSR4),
    T("4.14.21", "Invalid onlySomeReasons Test21",
      ["onlySomeReasonsCA4Cert", "InvalidonlySomeReasonsTest21EE"],
      ["good", "refused|refused"], crls=OSR4),
    T("4.14.22", "Valid IDP with indirectCRL Test22",
      ["indirectCRLCA1Cert", "ValidIDPwithindirectCRLTest22EE"],
      ["good", "refused"], refusal=INDIRECT),
    T("4.14.23", "Invalid IDP with indirectCRL Test23",
      ["indirectCRLCA1Cert", "InvalidIDPwithindirectCRLTest23EE"],
      ["good", "refused"]),
    T("4.14.24", "Valid IDP with indirectCRL Test24",
      ["indirectCRLCA2Cert", "ValidIDPwithindirectCRLTest24EE"],
      ["good", "refused"], crls=IND2, foreign=["indirectCRLCA1CRL"],
      extra=[("indirectCRLCA1Cert", TA, "good")], refusal=INDIRECT),
    T("4.14.25", "Valid IDP with indirectCRL Test25",
      ["indirectCRLCA2Cert", "ValidIDPwithindirectCRLTest25EE"],
      ["good", "refused"], crls=IND2, foreign=["indirectCRLCA1CRL"],
      extra=[("indirectCRLCA1Cert", TA, "good")], refusal=INDIRECT),
    T("4.14.26", "Invalid IDP with indirectCRL Test26",
      ["indirectCRLCA2Cert", "InvalidIDPwithindirectCRLTest26EE"],
      ["good", "refused"], crls=IND2, foreign=["indirectCRLCA1CRL"],
      extra=[("indirectCRLCA1Cert", TA, "good")]),
    T("4.14.27", "Invalid cRLIssuer Test27",
      ["indirectCRLCA2Cert", "InvalidcRLIssuerTest27EE"], ["good", "refused"],
      crls={"indirectCRLCA2Cert": ["GoodCACRL"]}, foreign=["GoodCACRL"],
      extra=[("GoodCACert", TA, "good")]),
    T("4.14.28", "Valid cRLIssuer Test28",
      ["indirectCRLCA3Cert", "ValidcRLIssuerTest28EE"],
      ["good", "refused|refused"], crls=IND3,
      extra=[C3 + ("refused|refused",)],
      foreign=["indirectCRLCA3cRLIssuerCRL"], refusal=INDIRECT),
    T("4.14.29", "Valid cRLIssuer Test29",
      ["indirectCRLCA3Cert", "ValidcRLIssuerTest29EE"],
      ["good", "refused|refused"], crls=IND3,
      extra=[C3 + ("refused|refused",)],
      foreign=["indirectCRLCA3cRLIssuerCRL"], refusal=INDIRECT),
    T("4.14.30", "Valid cRLIssuer Test30",
      ["indirectCRLCA4Cert", "ValidcRLIssuerTest30EE"], ["good", "refused"],
      crls={"indirectCRLCA4Cert": ["indirectCRLCA4cRLIssuerCRL"]},
      foreign=["indirectCRLCA4cRLIssuerCRL"], refusal=INDIRECT,
      extra=[("indirectCRLCA4cRLIssuerCert", "indirectCRLCA4Cert",
              "refused")]),
    T("4.14.31", "Invalid cRLIssuer Test31",
      ["indirectCRLCA6Cert", "InvalidcRLIssuerTest31EE"], ["good", "refused"],
      crls=IND6, foreign=["indirectCRLCA5CRL"],
      extra=[("indirectCRLCA5Cert", TA, "good")]),
    T("4.14.32", "Invalid cRLIssuer Test32",
      ["indirectCRLCA6Cert", "InvalidcRLIssuerTest32EE"], ["good", "refused"],
      crls=IND6, foreign=["indirectCRLCA5CRL"],
      extra=[("indirectCRLCA5Cert", TA, "good")]),
    T("4.14.33", "Valid cRLIssuer Test33",
      ["indirectCRLCA6Cert", "ValidcRLIssuerTest33EE"], ["good", "refused"],
      crls=IND6, foreign=["indirectCRLCA5CRL"], refusal=INDIRECT,
      extra=[("indirectCRLCA5Cert", TA, "good")]),
    T("4.14.34", "Invalid cRLIssuer Test34",
      ["indirectCRLCA5Cert", "InvalidcRLIssuerTest34EE"], ["good", "refused"],
      crls=IND5),
    T("4.14.35", "Invalid cRLIssuer Test35",
      ["indirectCRLCA5Cert", "InvalidcRLIssuerTest35EE"], ["good", "refused"],
      crls=IND5),
    # 4.15 Delta CRLs: base and delta together, as AD CS publishes them
    T("4.15.1", "Invalid deltaCRLIndicator No Base Test1",
      ["deltaCRLIndicatorNoBaseCACert",
       "InvaliddeltaCRLIndicatorNoBaseTest1EE"], ["good", "refused"]),
    T("4.15.2", "Valid delta-CRL Test2",
      ["deltaCRLCA1Cert", "ValiddeltaCRLTest2EE"], ["good", "good"], crls=D1),
    T("4.15.3", "Invalid delta-CRL Test3",
      ["deltaCRLCA1Cert", "InvaliddeltaCRLTest3EE"], ["good", "revoked"],
      crls=D1),
    T("4.15.4", "Invalid delta-CRL Test4",
      ["deltaCRLCA1Cert", "InvaliddeltaCRLTest4EE"], ["good", "revoked"],
      crls=D1),
    T("4.15.5", "Valid delta-CRL Test5",
      ["deltaCRLCA1Cert", "ValiddeltaCRLTest5EE"], ["good", "good"], crls=D1),
    T("4.15.6", "Invalid delta-CRL Test6",
      ["deltaCRLCA1Cert", "InvaliddeltaCRLTest6EE"], ["good", "revoked"],
      crls=D1),
    T("4.15.7", "Valid delta-CRL Test7",
      ["deltaCRLCA1Cert", "ValiddeltaCRLTest7EE"], ["good", "good"], crls=D1),
    T("4.15.8", "Valid delta-CRL Test8",
      ["deltaCRLCA2Cert", "ValiddeltaCRLTest8EE"], ["good", "good"], crls=D2),
    T("4.15.9", "Invalid delta-CRL Test9",
      ["deltaCRLCA2Cert", "InvaliddeltaCRLTest9EE"], ["good", "revoked"],
      crls=D2),
    T("4.15.10", "Invalid delta-CRL Test10",
      ["deltaCRLCA3Cert", "InvaliddeltaCRLTest10EE"], ["good", "refused"],
      crls={"deltaCRLCA3Cert": ["deltaCRLCA3CRL+deltaCRLCA3deltaCRL"]}),
]
