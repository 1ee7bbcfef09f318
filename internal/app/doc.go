// Package app is the composition root: it turns a Config into a running
// server by opening the store, creating the default world and the seed,
// building the services and the HTTP edge, and managing their lifecycle
// (data-directory lock, graceful shutdown).
//
// It is the only non-main package that may import everything.
package app
