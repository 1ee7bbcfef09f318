// Package restjson is the server side of AWS's REST-JSON protocol (Smithy
// restJson1): it decodes JSON request bodies strictly and writes responses
// and errors the way AWS's clients decode them.
//
// Errors carry the bare shape name in the X-Amzn-ErrorType header and as
// __type in the body, with the model's lower-case members (message, reason,
// fieldList). It must import only the standard library and apierr.
package restjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"unicode/utf8"

	"github.com/accountplane/accountplane/internal/apierr"
)

// CodeSerialization is the exception for a body that is not a JSON object of
// the operation's input shape (Smithy restJson1's malformed-request answer).
const CodeSerialization = "SerializationException"

// Decode unmarshals body, which must be a JSON object (an empty body counts
// as {}), into v. Malformed JSON, bad UTF-8, a non-object and members of the
// wrong type give a SerializationException; unknown members are ignored.
func Decode(body []byte, v any) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil
	}
	if !utf8.Valid(trimmed) {
		return apierr.New(CodeSerialization, "Request body is not valid UTF-8.")
	}
	if trimmed[0] != '{' {
		return apierr.New(CodeSerialization, "Request body must be a JSON object.")
	}
	if !json.Valid(trimmed) {
		return apierr.New(CodeSerialization, "Request body is not valid JSON.")
	}
	if err := json.Unmarshal(exactKeys(trimmed, v), v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			field := te.Field
			if field == "" {
				field = "body"
			}
			return apierr.New(CodeSerialization, fmt.Sprintf("Unexpected value type for member '%s': expected %s.", field, jsonKind(te.Type.Kind().String())))
		}
		return apierr.New(CodeSerialization, "Request body is not valid JSON.")
	}
	return nil
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "int", "int32", "int64", "float64":
		return "a number"
	case "bool":
		return "a boolean"
	case "slice":
		return "a list"
	case "struct", "map", "ptr":
		return "an object"
	}
	return goKind
}

// Codec writes responses of one REST-JSON service.
type Codec struct {
	// Status maps an exception code to its HTTP status (the model's
	// httpStatusCode); 0 means unknown, which becomes 400 for client faults
	// and 500 for server faults.
	Status func(code string) int
	// InternalCode is the service's internal-failure exception.
	InternalCode string
}

// WriteOK writes a 200 JSON response; body nil means "{}".
func (c *Codec) WriteOK(w http.ResponseWriter, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	if body == nil {
		body = []byte("{}")
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
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
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
