// Package restjson is the server side of AWS's REST-JSON protocol (Smithy
// restJson1): it decodes JSON request bodies strictly and writes responses
// and errors the way AWS's clients decode them.
//
// Errors carry the bare shape name in the X-Amzn-ErrorType header and as
// __type in the body, with the model's lower-case members (message, reason,
// fieldList). It must import only the standard library and apierr.
package restjson

import (
	"encoding/json"
	"github.com/accountplane/accountplane/internal/protocol/wire"
	"net/http"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/protocol/jsonbody"
)

// CodeSerialization is the exception for a body that is not a JSON object
// of the operation's input shape.
const CodeSerialization = jsonbody.CodeSerialization

// Decode is [jsonbody.Decode].
func Decode(body []byte, v any) error { return jsonbody.Decode(body, v) }

// Codec writes responses of one REST-JSON service.
type Codec struct {
	// Status maps an exception code to its HTTP status (the model's
	// httpStatusCode); 0 means unknown, which becomes 400 for client faults
	// and 500 for server faults.
	Status func(code string) int
	// InternalCode is the service's internal-failure exception.
	InternalCode string
}

// authStatus are the statuses of the signature errors: the Account API
// sits behind API Gateway in AWS, which answers them with 403.
var authStatus = map[string]int{
	"MissingAuthenticationTokenException": http.StatusForbidden,
	"ExpiredTokenException":               http.StatusForbidden,
	"IncompleteSignatureException":        http.StatusForbidden,
	"UnrecognizedClientException":         http.StatusForbidden,
	"InvalidSignatureException":           http.StatusForbidden,
}

// WriteResult writes out as a 200 JSON response (nil: "{}").
func (c *Codec) WriteResult(w http.ResponseWriter, _ string, out any, _ string) error {
	var body []byte
	if out != nil {
		b, err := json.Marshal(out)
		if err != nil {
			return err
		}
		body = b
	}
	c.WriteOK(w, body)
	return nil
}

// WriteErr writes e with its status: the signature errors' 403, else
// StatusOf.
func (c *Codec) WriteErr(w http.ResponseWriter, e *apierr.Error, _ string) {
	status, ok := authStatus[e.Code]
	if !ok {
		status = c.StatusOf(e)
	}
	if e.Status != 0 {
		status = e.Status
	}
	WriteError(w, status, e)
}

// WriteOK writes a 200 JSON response; body nil means "{}".
func (c *Codec) WriteOK(w http.ResponseWriter, body []byte) {
	if body == nil {
		body = []byte("{}")
	}
	_ = wire.Write(w, http.StatusOK, "application/json", body)
}

type wireField struct {
	Name    string `json:"name"`
	Message string `json:"message"`
}

type wireError struct {
	Type      string      `json:"__type"`
	Message   string      `json:"message"`
	Reason    string      `json:"reason,omitempty"`
	FieldList []wireField `json:"fieldList,omitempty"`
}

// ErrorFor returns the client-visible form of err: err itself if it is an
// *apierr.Error, else the internal-failure exception with a generic message.
// ok is false in the second case, so the caller logs err.
func (c *Codec) ErrorFor(err error) (e *apierr.Error, ok bool) {
	if e, ok := apierr.As(err); ok {
		return e, true
	}
	return &apierr.Error{Code: c.InternalCode, Message: "An internal error occurred.", Fault: apierr.Server, Err: err}, false
}

// StatusOf returns the HTTP status for e.
func (c *Codec) StatusOf(e *apierr.Error) int {
	if c.Status != nil {
		if s := c.Status(e.Code); s != 0 {
			return s
		}
	}
	if e.Fault == apierr.Server {
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

// WriteError writes e with status.
func WriteError(w http.ResponseWriter, status int, e *apierr.Error) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h["x-amzn-ErrorType"] = []string{e.Code} // AWS's spelling; header names are case-insensitive
	we := wireError{Type: e.Code, Message: e.Message, Reason: e.Reason}
	for _, f := range e.Fields {
		we.FieldList = append(we.FieldList, wireField{Name: f.Name, Message: f.Message})
	}
	b, _ := json.Marshal(we)
	_ = wire.Write(w, status, "", b)
}
