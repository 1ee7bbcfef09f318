package restxml_test

import (
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/protocol/restxml"
)

type result struct {
	XMLName xml.Name `xml:"ListAllMyBucketsResult"`
	Xmlns   string   `xml:"xmlns,attr"`
	Owner   struct {
		ID string `xml:"ID"`
	} `xml:"Owner"`
}

func TestWriteResult(t *testing.T) {
	w := httptest.NewRecorder()
	out := result{Xmlns: "http://s3.amazonaws.com/doc/2006-03-01/"}
	out.Owner.ID = "abc"
	if err := (&restxml.Codec{}).WriteResult(w, "ListBuckets", out, "req-1"); err != nil {
		t.Fatal(err)
	}
	want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>abc</ID></Owner></ListAllMyBucketsResult>`
	if got := w.Body.String(); got != want {
		t.Errorf("body:\n got %s\nwant %s", got, want)
	}
	if got := w.Header().Get("Content-Type"); got != "application/xml" {
		t.Errorf("Content-Type = %q", got)
	}
	if got := w.Header()["x-amz-request-id"]; len(got) != 1 || got[0] != "req-1" {
		t.Errorf("x-amz-request-id = %v", got)
	}
}

func TestWriteErr(t *testing.T) {
	tests := []struct {
		name   string
		e      *apierr.Error
		status int
	}{
		{"signature", apierr.New("SignatureDoesNotMatch", "The request signature we calculated does not match."), http.StatusForbidden},
		{"by the service's table", apierr.New("NoSuchBucket", "The specified bucket does not exist"), http.StatusNotFound},
		{"client fault", apierr.New("InvalidArgument", "bad"), http.StatusBadRequest},
		{"server fault", &apierr.Error{Code: "InternalError", Message: "x", Fault: apierr.Server}, http.StatusInternalServerError},
	}
	c := &restxml.Codec{Status: func(code string) int {
		if code == "NoSuchBucket" {
			return http.StatusNotFound
		}
		return 0
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			c.WriteErr(w, tt.e, "req-2")
			if w.Code != tt.status {
				t.Errorf("status %d, want %d", w.Code, tt.status)
			}
			want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<Error><Code>` + tt.e.Code + `</Code><Message>` + tt.e.Message +
				`</Message><RequestId>req-2</RequestId><HostId>req-2</HostId></Error>`
			if got := w.Body.String(); got != want {
				t.Errorf("body:\n got %s\nwant %s", got, want)
			}
		})
	}
}
