package wire_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/accountplane/accountplane/internal/protocol/wire"
)

// A body over net/http's 2 KiB chunking threshold goes out with its
// length, in one piece, not chunked.
func TestWriteSendsTheLength(t *testing.T) {
	body := bytes.Repeat([]byte("x"), 5000)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := wire.Write(w, http.StatusTeapot, "application/x-amz-json-1.1", body); err != nil {
			t.Error(err)
		}
	}))
	defer ts.Close()
	resp, err := http.Get(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusTeapot || resp.ContentLength != int64(len(body)) || len(resp.TransferEncoding) != 0 ||
		resp.Header.Get("Content-Type") != "application/x-amz-json-1.1" || !bytes.Equal(got, body) {
		t.Fatalf("status %d, length %d, transfer encoding %v, type %q, %d bytes", resp.StatusCode, resp.ContentLength,
			resp.TransferEncoding, resp.Header.Get("Content-Type"), len(got))
	}
}
