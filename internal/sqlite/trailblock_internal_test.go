package sqlite

import (
	"bytes"
	"compress/flate"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/accountplane/accountplane/internal/kernel"
)

func sampleRecords(n int) []kernel.TrailEvent {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var evs []kernel.TrailEvent
	for i := range n {
		evs = append(evs, kernel.TrailEvent{Seq: int64(i), ID: fmt.Sprintf("id-%d", i), Account: "111122223333", Time: at.Add(time.Duration(i) * time.Second),
			Name: "GetAlternateContact", Source: "account.amazonaws.com", Username: "root", AccessKeyID: "test", ReadOnly: i%2 == 0,
			Resources: []kernel.TrailResource{{Type: "AWS::Account::Account", Name: fmt.Sprint(i)}},
			Record:    []byte(fmt.Sprintf(`{"eventVersion":"1.08","eventID":"id-%d","n":%d,"s":"\u0001"}`, i, i))})
	}
	return evs
}

// Blocks read back as written, in each encoding: small ones tokenized,
// larger ones compressed (blockLZV1), and those of the earlier deflate
// encoding (blockFlateV1), which stores written before still hold.
func TestBlockEncodings(t *testing.T) {
	for _, n := range []int{1, compressFrom - 1, compressFrom, blockRecords} {
		evs := sampleRecords(n)
		p, err := encodeBlock(evs)
		if err != nil {
			t.Fatal(err)
		}
		if want := byte(blockLZV1); n >= compressFrom && p[0] != want {
			t.Errorf("%d records: encoding %d, want %d", n, p[0], want)
		}
		got, err := decodeBlock(0, p)
		if err != nil || !reflect.DeepEqual(got, evs) {
			t.Errorf("%d records: decoded %v, %v", n, err, len(got))
		}
	}
	evs := sampleRecords(20)
	raw, err := blockFrames(blockFlateV1, evs, nil)
	if err != nil {
		t.Fatal(err)
	}
	var deflated bytes.Buffer
	deflated.WriteByte(blockFlateV1)
	w, _ := flate.NewWriterDict(&deflated, flate.BestSpeed, []byte(trailDictV1))
	w.Write(raw[1:])
	w.Close()
	got, err := decodeBlock(0, deflated.Bytes())
	if err != nil || !reflect.DeepEqual(got, evs) {
		t.Errorf("a deflated block: decoded %d records, %v", len(got), err)
	}
	// A damaged block is an error, not a panic.
	p, _ := encodeBlock(evs)
	for cut := 1; cut < len(p); cut += 7 {
		if _, err := decodeBlock(0, p[:cut]); err == nil {
			t.Errorf("a block cut at %d of %d decoded without error", cut, len(p))
		}
	}
}

func BenchmarkEncodeBlock(b *testing.B) {
	for _, n := range []int{1, blockRecords} {
		evs := sampleRecords(n)
		for i := range evs {
			evs[i].Record = []byte(`{"eventVersion":"1.08","userIdentity":{"type":"Root","principalId":"000000000000","arn":"arn:aws:iam::000000000000:root","accountId":"000000000000","accessKeyId":"test"},` +
				`"eventTime":"2026-12-07T09:00:00Z","eventSource":"account.amazonaws.com","eventName":"PutAlternateContact","awsRegion":"us-east-1",` +
				`"sourceIPAddress":"127.0.0.1","userAgent":"Go-http-client/1.1","requestParameters":{"accountId":"111122223333","alternateContactType":"OPERATIONS","emailAddress":"ops@example.com","name":"Ops","title":"Ops"},` +
				`"responseElements":null,"requestID":"5c4e6b0e-8f1b-4d6f-9a53-0c1d2e3f4a5b","eventID":"` + evs[i].ID + `","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,` +
				`"eventCategory":"Management","recipientAccountId":"111122223333"}`)
		}
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			var size int
			for b.Loop() {
				p, err := encodeBlock(evs)
				if err != nil {
					b.Fatal(err)
				}
				size = len(p)
			}
			b.ReportMetric(float64(size)/float64(n), "bytes/record")
		})
	}
}
