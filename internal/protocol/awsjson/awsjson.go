// Package awsjson is the server side of AWS's JSON 1.0/1.1 protocols:
// X-Amz-Target dispatch and errors as {"__type": ..., "message": ...}.
//
// It must import only the standard library and apierr.
package awsjson

import (
	"encoding/json"
	"net/http"

	"github.com/accountplane/accountplane/internal/apierr"
)

// ContentType is the AWS JSON 1.1 media type.
const ContentType = "application/x-amz-json-1.1"

type wireError struct {
	Type    string `json:"__type"`
	Message string `json:"Message"` // Organizations and CloudTrail capitalise their members
	Reason  string `json:"Reason,omitempty"`
}

// WriteError writes e as an awsJson error with status.
func WriteError(w http.ResponseWriter, status int, e *apierr.Error) {
	w.Header().Set("Content-Type", ContentType)
	b, _ := json.Marshal(wireError{Type: e.Code, Message: e.Message, Reason: e.Reason})
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
