// Package restxml is the server side of AWS's REST-XML protocol as S3
// speaks it: operations chosen by HTTP method and path, inputs in the URL
// query, headers and body, XML results with the document's own root
// element, and S3's bare <Error> document.
//
// It must import only the standard library and apierr.
package restxml

import (
	"bytes"
	"encoding/xml"
	"github.com/accountplane/accountplane/internal/protocol/wire"
	"net/http"

	"github.com/accountplane/accountplane/internal/apierr"
)

// Codec is the REST-XML codec of one service.
type Codec struct {
	// Status maps an exception code to its HTTP status (0 or nil: by
	// fault); the signature errors have the protocol's own.
	Status func(code string) int
}

// authStatus are S3's statuses of its signature errors.
var authStatus = map[string]int{
	"AccessDenied":                   http.StatusForbidden,
	"InvalidAccessKeyId":             http.StatusForbidden,
	"SignatureDoesNotMatch":          http.StatusForbidden,
	"RequestTimeTooSkewed":           http.StatusForbidden,
	"AuthorizationHeaderMalformed":   http.StatusBadRequest,
	"InvalidToken":                   http.StatusBadRequest,
	"ExpiredToken":                   http.StatusBadRequest,
	"RequestEntityTooLargeException": http.StatusRequestEntityTooLarge,
}

// header is the header S3 answers a request's id in (besides the
// x-amzn-RequestId every answer of the server carries).
const header = "x-amz-request-id"

// WriteResult writes out, an XML document value naming its root element
// (XMLName), with 200; nil writes an empty 200 answer.
func (c *Codec) WriteResult(w http.ResponseWriter, op string, out any, requestID string) error {
	w.Header()[header] = []string{requestID}
	if out == nil {
		w.WriteHeader(http.StatusOK)
		return nil
	}
	b, err := Marshal(out)
	if err != nil {
		return err
	}
	return wire.Write(w, http.StatusOK, "application/xml", b)
}

// Marshal returns the document of v with its XML declaration.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// errorDocument is S3's error body: no envelope, no namespace.
type errorDocument struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	RequestID string   `xml:"RequestId"`
	HostID    string   `xml:"HostId"`
}

// WriteErr writes S3's <Error> document for e with its status.
func (c *Codec) WriteErr(w http.ResponseWriter, e *apierr.Error, requestID string) {
	status, ok := authStatus[e.Code]
	if !ok && c.Status != nil {
		status = c.Status(e.Code)
	}
	if status == 0 {
		status = http.StatusBadRequest
		if e.Fault == apierr.Server {
			status = http.StatusInternalServerError
		}
	}
	b, _ := Marshal(errorDocument{Code: e.Code, Message: e.Message, RequestID: requestID, HostID: requestID})
	w.Header()[header] = []string{requestID}
	_ = wire.Write(w, status, "application/xml", b)
}
