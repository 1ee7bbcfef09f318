// Package wiretest holds helpers for tests and benchmarks of the codecs.
package wiretest

import "net/http"

// Discard is a ResponseWriter that keeps the headers and drops the body:
// a benchmark's encoding is measured without a buffer that grows.
type Discard struct{ H http.Header }

// NewDiscard returns a Discard with an empty header map.
func NewDiscard() *Discard { return &Discard{H: http.Header{}} }

// Header implements http.ResponseWriter.
func (d *Discard) Header() http.Header { return d.H }

// Write implements http.ResponseWriter.
func (d *Discard) Write(b []byte) (int, error) { return len(b), nil }

// WriteHeader implements http.ResponseWriter.
func (d *Discard) WriteHeader(int) {}
