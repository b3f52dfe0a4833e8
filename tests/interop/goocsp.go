// Go's x/crypto/ocsp as a client: ask, parse and verify, as Go programs
// (and the TLS stacks built on this package) do.
//
// usage: goocsp URL ISSUER.pem LEAF.pem sha1|sha256 get|post
//
// Prints "good", "revoked" or "error: ..." and exits 0 only when
// ocsp.ParseResponseForCert accepts the response for the leaf: signed by
// the issuer itself, or by a delegate the issuer certified (any embedded
// certificate is taken for a delegate, golang/go#59641).
package main

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"golang.org/x/crypto/ocsp"
)

func load(path string) *x509.Certificate {
	b, err := os.ReadFile(path)
	if err != nil {
		fail(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		fail(fmt.Errorf("%s: no PEM", path))
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		fail(err)
	}
	return c
}

func fail(err error) {
	fmt.Println("error:", err)
	os.Exit(1)
}

func main() {
	if len(os.Args) != 6 {
		fail(fmt.Errorf("usage: goocsp URL ISSUER LEAF sha1|sha256 get|post"))
	}
	issuer, leaf := load(os.Args[2]), load(os.Args[3])
	h := crypto.SHA1
	if os.Args[4] == "sha256" {
		h = crypto.SHA256
	}
	req, err := ocsp.CreateRequest(leaf, issuer, &ocsp.RequestOptions{Hash: h})
	if err != nil {
		fail(err)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	var resp *http.Response
	if os.Args[5] == "post" {
		resp, err = client.Post(os.Args[1], "application/ocsp-request", bytes.NewReader(req))
	} else {
		u := strings.TrimRight(os.Args[1], "/") + "/" +
			url.PathEscape(base64.StdEncoding.EncodeToString(req))
		resp, err = client.Get(u)
	}
	if err != nil {
		fail(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		fail(err)
	}
	r, err := ocsp.ParseResponseForCert(body, leaf, issuer)
	if err != nil {
		fail(err)
	}
	switch r.Status {
	case ocsp.Good:
		fmt.Println("good")
	case ocsp.Revoked:
		fmt.Println("revoked")
	default:
		fail(fmt.Errorf("status %d", r.Status))
	}
}
