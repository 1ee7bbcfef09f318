package console_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/accountplane/accountplane/accountplanetest"
)

// selfSigned is a PEM self-signed certificate.
func selfSigned(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "console"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// TestSigningCertificatesAndCredentialReport: the root user uploads,
// deactivates and deletes a signing certificate on Security credentials,
// and downloads the credential report as CSV; a user without
// iam:GenerateCredentialReport gets AWS's AccessDenied.
func TestSigningCertificatesAndCredentialReport(t *testing.T) {
	srv := accountplanetest.Start(t)
	c := newClient(t, srv)
	c.signIn(root)
	_, body := c.get(prefix + "security")
	if strings.Contains(body, "does not") || strings.Contains(body, "arrives with") || !strings.Contains(body, `data-testid="no-certs"`) {
		t.Errorf("security page before a certificate: %.200s", regexp.MustCompile(`(?s)id="certs".*?</section>`).FindString(body))
	}
	_, body = c.post(prefix+"security/certs", url.Values{"certificate": {selfSigned(t)}})
	id := regexp.MustCompile(`name="certificate_id" value="([A-Z0-9]+)"`).FindStringSubmatch(body)
	if !strings.Contains(body, "The signing certificate is uploaded") || id == nil || !strings.Contains(body, "BEGIN CERTIFICATE") {
		t.Fatalf("upload: %s", regexp.MustCompile(`(?s)alert.*?</div>|id="certs".*?</section>`).FindAllString(body, -1))
	}
	checkPage(t, c, "security with a certificate", body, map[string]bool{})
	_, body = c.post(prefix+"security/certs/update", url.Values{"certificate_id": {id[1]}, "status": {"Inactive"}})
	if !strings.Contains(body, "is now Inactive") || !strings.Contains(body, "INACTIVE") {
		t.Errorf("deactivate: %s", regexp.MustCompile(`(?s)alert.*?</div>`).FindAllString(body, -1))
	}

	// The report, with the root user's certificate.
	form := url.Values{"csrf": {c.csrf}}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+prefix+"security/report", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", srv.URL)
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	csv, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.Header.Get("Content-Type") != "text/csv" || res.Header.Get("Content-Disposition") != "attachment; filename=credential-report.csv" ||
		!strings.HasPrefix(string(csv), "user,arn,") || !strings.Contains(string(csv), "<root_account>") {
		t.Errorf("credential report: %d %v %.300s", res.StatusCode, res.Header, csv)
	}

	_, body = c.post(prefix+"security/certs/delete", url.Values{"certificate_id": {id[1]}})
	if !strings.Contains(body, "is deleted") || !strings.Contains(body, `data-testid="no-certs"`) {
		t.Errorf("delete: %s", regexp.MustCompile(`(?s)alert.*?</div>`).FindAllString(body, -1))
	}
	for _, op := range []string{"UploadSigningCertificate", "UpdateSigningCertificate", "DeleteSigningCertificate", "GenerateCredentialReport", "GetCredentialReport"} {
		if countEvents(t, srv, op) == 0 {
			t.Errorf("no console record of %s", op)
		}
	}

	// Denied: a reader of account settings only.
	reader := iamUser(t, srv, "reader", "arn:aws:iam::aws:policy/AWSAccountManagementReadOnlyAccess")
	rc := newClient(t, srv)
	rc.signIn(reader)
	rc.get(prefix + "security")
	_, body = rc.post(prefix+"security/report", url.Values{})
	if !strings.Contains(body, "Access denied") || !strings.Contains(body, "iam:GenerateCredentialReport") {
		t.Errorf("report as a reader: %s", regexp.MustCompile(`(?s)alert.*?</div>`).FindAllString(body, -1))
	}
}
