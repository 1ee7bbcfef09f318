// Package awsjson is the server side of AWS's JSON 1.0/1.1 protocols:
// X-Amz-Target dispatch, JSON in and out, and errors as
// {"__type": ..., "Message": ...}.
//
// It must import only the standard library, apierr and jsonbody.
package awsjson

import (
	"encoding/json"
	"github.com/accountplane/accountplane/internal/protocol/wire"
	"net/http"
	"sync"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/protocol/jsonbody"
)

// ContentType is the AWS JSON 1.1 media type.
const ContentType = "application/x-amz-json-1.1"

type wireError struct {
	Type    string `json:"__type"`
	Message string `json:"Message"` // Organizations and CloudTrail capitalise their members
	Reason  string `json:"Reason,omitempty"`
}

// Codec is the awsJson 1.1 codec of one service.
type Codec struct {
	// Status maps an exception code to its HTTP status; 0 (or nil) means
	// 400 for client faults and 500 for server faults.
	Status func(code string) int
}

// Decode is [jsonbody.Decode].
func (c *Codec) Decode(body []byte, v any) error { return jsonbody.Decode(body, v) }

// Appender is an output that writes its own JSON, byte for byte what
// encoding/json would write of it (a hot answer, spared the reflection).
type Appender interface {
	AppendJSON(b []byte) []byte
}

// appendBuffers keep the buffers Appenders write into: an answer is
// written to the connection before its buffer is used again.
var appendBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 8<<10); return &b }}

const maxPooledBuffer = 256 << 10

// WriteResult writes out as a 200 response (nil: "{}").
func (c *Codec) WriteResult(w http.ResponseWriter, _ string, out any, _ string) error {
	if a, ok := out.(Appender); ok {
		bp := appendBuffers.Get().(*[]byte)
		body := a.AppendJSON((*bp)[:0])
		err := wire.Write(w, http.StatusOK, ContentType, body)
		if cap(body) <= maxPooledBuffer { // one huge answer does not stay
			*bp = body[:0]
			appendBuffers.Put(bp)
		}
		return err
	}
	body := []byte("{}")
	if out != nil {
		b, err := json.Marshal(out)
		if err != nil {
			return err
		}
		body = b
	}
	return wire.Write(w, http.StatusOK, ContentType, body)
}

// WriteErr writes e with its status: 413 for a body over the limit, else
// Status, else by fault.
func (c *Codec) WriteErr(w http.ResponseWriter, e *apierr.Error, _ string) {
	status := 0
	if e.Code == "RequestEntityTooLargeException" {
		status = http.StatusRequestEntityTooLarge
	} else if c.Status != nil {
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
	WriteError(w, status, e)
}

// WriteError writes e as an awsJson error with status.
func WriteError(w http.ResponseWriter, status int, e *apierr.Error) {
	b, _ := json.Marshal(wireError{Type: e.Code, Message: e.Message, Reason: e.Reason})
	_ = wire.Write(w, status, ContentType, b)
}
