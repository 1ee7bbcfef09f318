// Package wire holds what every protocol codec does alike when it writes
// an answer.
package wire

import (
	"net/http"
	"strconv"
)

// Write sends body with status, as contentType ("" leaves the header as
// it is), with its Content-Length, as AWS does: a body of known length
// goes out in one piece, where net/http would chunk one over 2 KiB.
func Write(w http.ResponseWriter, status int, contentType string, body []byte) error {
	h := w.Header()
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	_, err := w.Write(body)
	return err
}
