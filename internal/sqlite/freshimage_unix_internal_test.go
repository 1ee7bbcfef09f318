//go:build unix

package sqlite

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// The file written from the image is as private as the umask makes the
// files SQLite creates: a store holds secrets.
func TestFreshImageHonoursTheUmask(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	path := filepath.Join(t.TempDir(), "db")
	if !writeFreshImage(path, ms) {
		t.Fatal("the image was not written")
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v; want 0600 under umask 077", fi.Mode().Perm(), err)
	}
}
