// Package query is the server side of AWS's query protocol (IAM, STS):
// form-encoded requests with Action and Version, XML responses and the
// ErrorResponse document.
//
// It must import only the standard library and apierr.
package query

import (
	"encoding/xml"
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
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// WriteOK writes an XML document v with status 200.
func WriteOK(w http.ResponseWriter, v any) error {
	b, err := xml.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(b)
	return err
}
