package app_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/accountplane/accountplane/internal/app"
)

// A large state document that turns out invalid only at its end (a truncated
// upload) is refused with 400, leaves the store as it was, and costs memory
// in proportion to the document, not several copies of it: the body is
// decoded as it arrives and no copy of the whole is ever held.
func TestStateImportLargeInvalidDocument(t *testing.T) {
	a := start(t, app.Config{DataDir: app.MemoryData})
	resp, err := http.Get(a.URL() + "/_accountplane/state")
	if err != nil {
		t.Fatal(err)
	}
	export, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	version := schemaVersion(t, export)

	// 512 outbox rows of 64 KiB: 32 MiB, then the document just stops.
	var doc bytes.Buffer
	fmt.Fprintf(&doc, `{"format":"accountplane-state/1","schemaVersion":%d,"tables":{"outbox":[`, version)
	body := strings.Repeat("x", 64<<10)
	for i := range 512 {
		if i > 0 {
			doc.WriteByte(',')
		}
		fmt.Fprintf(&doc, `{"seq":%d,"id":"m-%d","sent_at":0,"account_id":"000000000000","recipient":"a@example.com","subject":"s","body":%q,"code":""}`, i+1, i, body)
	}
	doc.WriteString(`]}`)
	size := doc.Len()

	req, _ := http.NewRequest(http.MethodPut, a.URL()+"/_accountplane/state", bytes.NewReader(doc.Bytes()))
	req.Header.Set("Content-Type", "application/json")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	runtime.ReadMemStats(&after)

	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(answer), "unexpected EOF") {
		t.Errorf("truncated document: got %d %s, want 400 naming the unexpected end", resp.StatusCode, answer)
	}
	// TotalAlloc counts every allocation, live or collected, so it does not
	// depend on when the GC runs. Reading the body whole and decoding it with
	// json.Unmarshal costs about four times the document before the error.
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 3*uint64(size) {
		t.Errorf("importing a %d MiB document allocated %d MiB, want at most 3 times the document", size>>20, allocated>>20)
	}
	resp, err = http.Get(a.URL() + "/_accountplane/state")
	if err != nil {
		t.Fatal(err)
	}
	again, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(again, export) {
		t.Errorf("a refused import changed the state:\nbefore %.300s\nafter  %.300s", export, again)
	}
}

// schemaVersion returns the schemaVersion of an exported state document.
func schemaVersion(t *testing.T, doc []byte) int {
	t.Helper()
	_, rest, ok := bytes.Cut(doc, []byte(`"schemaVersion":`))
	var v int
	if _, err := fmt.Sscanf(string(rest), "%d", &v); !ok || err != nil {
		t.Fatalf("no schemaVersion in %.200s", doc)
	}
	return v
}
