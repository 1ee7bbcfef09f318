package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/accountplane/accountplane/accountplanetest"
)

// The request-path goal: a signed read served at no less than half the
// throughput of a bare net/http handler on the same machine. Compare
// BenchmarkSignedRead with BenchmarkBareHandler (ns/op, -cpu 2).

func BenchmarkBareHandler(b *testing.B) {
	body := []byte(`{"ContactInformation":{"FullName":"default"}}`)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	defer ts.Close()
	replay(b, ts.URL+"/getContactInformation", http.Header{})
}

func BenchmarkSignedRead(b *testing.B) {
	srv := accountplanetest.Start(b)
	url := srv.URL + "/getContactInformation"
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader([]byte("{}")))
	req.Header.Set("Content-Type", "application/json")
	sum := sha256.Sum256([]byte("{}"))
	creds := aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "account", "us-east-1", time.Now()); err != nil {
		b.Fatal(err)
	}
	replay(b, url, req.Header)
}

// replay sends the same POST {} with header h in parallel, b.N times in all.
func replay(b *testing.B, url string, h http.Header) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.ReportAllocs()
	b.SetParallelism(16) // enough requests in flight to measure throughput, not latency
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader([]byte("{}")))
			req.Header = h.Clone()
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
}
