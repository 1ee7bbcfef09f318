// Package query is the server side of AWS's query protocol (IAM, STS):
// form-encoded requests with Action and Version, XML responses and the
// ErrorResponse document.
//
// It must import only the standard library and apierr.
package query

import (
	"encoding/xml"
	"github.com/accountplane/accountplane/internal/protocol/wire"
	"net/http"
	"net/url"

	"github.com/accountplane/accountplane/internal/apierr"
)

// Params parses the request parameters: the form body of a POST, else the
// URL query. body is the already-read request body.
func Params(r *http.Request, body []byte) (url.Values, error) {
	if r.Method == http.MethodPost && len(body) > 0 {
		return url.ParseQuery(string(body))
	}
	return r.URL.Query(), nil
}

// Codec is the query-protocol codec of one service.
type Codec struct {
	// Xmlns is the service's response namespace.
	Xmlns string
	// Status maps an exception code to its HTTP status (0 or nil: by
	// fault); the signature errors, AccessDenied and a body over the limit
	// have the protocol's own.
	Status func(code string) int
}

// authStatus are the statuses the query protocol gives signature errors
// other than 400.
var authStatus = map[string]int{
	"MissingAuthenticationToken":     http.StatusForbidden,
	"InvalidClientTokenId":           http.StatusForbidden,
	"SignatureDoesNotMatch":          http.StatusForbidden,
	"AccessDenied":                   http.StatusForbidden,
	"AccessDeniedException":          http.StatusForbidden,
	"RequestEntityTooLargeException": http.StatusRequestEntityTooLarge,
}

// WriteResult writes <OpResponse><OpResult>out</OpResult>... with 200.
func (c *Codec) WriteResult(w http.ResponseWriter, op string, out any, requestID string) error {
	return WriteOK(w, Response{Op: op, Xmlns: c.Xmlns, Result: out, RequestID: requestID})
}

// WriteErr writes the ErrorResponse of e with its status.
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
	if e.Status != 0 {
		status = e.Status
	}
	WriteError(w, status, c.Xmlns, requestID, e)
}

// Response is the document of a successful call:
// <OpResponse xmlns=…><OpResult>…</OpResult><ResponseMetadata>…</OpResponse>.
// Result is nil for operations without output.
type Response struct {
	Op        string
	Xmlns     string
	Result    any
	RequestID string
}

// MarshalXML writes the query protocol's response envelope.
func (r Response) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	start := xml.StartElement{Name: xml.Name{Local: r.Op + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: r.Xmlns}}}
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	if r.Result != nil {
		if err := e.EncodeElement(r.Result, xml.StartElement{Name: xml.Name{Local: r.Op + "Result"}}); err != nil {
			return err
		}
	}
	if err := e.EncodeElement(responseMetadata{RequestID: r.RequestID}, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}}); err != nil {
		return err
	}
	return e.EncodeToken(start.End())
}

type responseMetadata struct {
	RequestID string `xml:"RequestId"`
}

type errorResponse struct {
	XMLName   xml.Name  `xml:"ErrorResponse"`
	Xmlns     string    `xml:"xmlns,attr"`
	Error     errorBody `xml:"Error"`
	RequestID string    `xml:"RequestId"`
}

type errorBody struct {
	Type    string `xml:"Type"`
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

// WriteError writes the query protocol's ErrorResponse for e.
func WriteError(w http.ResponseWriter, status int, xmlns, requestID string, e *apierr.Error) {
	typ := "Sender"
	if e.Fault == apierr.Server {
		typ = "Receiver"
	}
	b, _ := xml.Marshal(errorResponse{Xmlns: xmlns, Error: errorBody{Type: typ, Code: e.Code, Message: e.Message}, RequestID: requestID})
	_ = wire.Write(w, status, "text/xml", b)
}

// WriteOK writes an XML document v with status 200.
func WriteOK(w http.ResponseWriter, v any) error {
	b, err := xml.Marshal(v)
	if err != nil {
		return err
	}
	return wire.Write(w, http.StatusOK, "text/xml", b)
}
