package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// region is the Region every request is signed for.
const region = "us-east-1"

// call is one AWS request before signing.
type call struct {
	service string // signing name: account, organizations, sts, iam
	creds   aws.Credentials
	path    string // "/" for awsJson and query
	target  string // X-Amz-Target for awsJson; "" otherwise
	ctype   string
	body    []byte
}

// restJSON is a call of the Account Management API.
func restJSON(creds aws.Credentials, path string, body []byte) call {
	return call{service: "account", creds: creds, path: path, ctype: "application/json", body: body}
}

// orgs is a call of the Organizations API.
func orgs(creds aws.Credentials, op string, body []byte) call {
	return call{service: "organizations", creds: creds, path: "/", target: "AWSOrganizationsV20161128." + op,
		ctype: "application/x-amz-json-1.1", body: body}
}

// query is a call of a query-protocol service (IAM, STS).
func query(creds aws.Credentials, service, version, action string, params url.Values) call {
	v := url.Values{"Action": {action}, "Version": {version}}
	for k, vs := range params {
		v[k] = vs
	}
	return call{service: service, creds: creds, path: "/", ctype: "application/x-www-form-urlencoded; charset=utf-8",
		body: []byte(v.Encode())}
}

// endpoint is a server the clients send to: the target or the floor. Its
// http.Client keeps a connection per client alive.
type endpoint struct {
	base   string // http://127.0.0.1:PORT
	client *http.Client
	signer *v4.Signer
}

func newEndpoint(addr string, clients int) *endpoint {
	tr := &http.Transport{
		MaxIdleConns:        clients + 16,
		MaxIdleConnsPerHost: clients + 16,
		IdleConnTimeout:     60 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
	}
	return &endpoint{base: "http://" + addr, client: &http.Client{Transport: tr, Timeout: 60 * time.Second}, signer: v4.NewSigner()}
}

// close drops the endpoint's idle connections.
func (e *endpoint) close() { e.client.CloseIdleConnections() }

// request builds and signs c.
func (e *endpoint) request(ctx context.Context, c call) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.base+c.path, bytes.NewReader(c.body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", c.ctype)
	if c.target != "" {
		req.Header.Set("X-Amz-Target", c.target)
	}
	sum := sha256.Sum256(c.body)
	if err := e.signer.SignHTTP(ctx, c.creds, req, hex.EncodeToString(sum[:]), c.service, region, time.Now()); err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	return req, nil
}

// send sends a signed request and reads the whole answer. It returns the
// status and body, and how long the round trip took from sending to the
// last byte of the body (signing excluded).
func (e *endpoint) send(req *http.Request, buf *bytes.Buffer) (status int, elapsed time.Duration, err error) {
	start := time.Now()
	resp, err := e.client.Do(req)
	if err != nil {
		return 0, time.Since(start), err
	}
	buf.Reset()
	_, err = buf.ReadFrom(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, time.Since(start), err
}

// do signs and sends c and returns its body; an answer other than 200 is an
// error. It is for setting up, not for measuring.
func (e *endpoint) do(ctx context.Context, c call) ([]byte, error) {
	req, err := e.request(ctx, c)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	status, _, err := e.send(req, &buf)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("%s %s: %d %s", c.service, opName(c), status, snippet(buf.Bytes()))
	}
	return buf.Bytes(), nil
}

// opName names a call in error messages.
func opName(c call) string {
	switch {
	case c.target != "":
		return c.target
	case c.path != "/":
		return c.path
	}
	if v, err := url.ParseQuery(string(c.body)); err == nil {
		return v.Get("Action")
	}
	return "?"
}

// snippet is the start of an answer, for error messages.
func snippet(b []byte) string {
	const max = 300
	if len(b) > max {
		return string(b[:max]) + "..."
	}
	return string(b)
}
