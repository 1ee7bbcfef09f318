package bench

import (
	"bufio"
	"bytes"
	"database/sql"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	_ "modernc.org/sqlite" // the store's driver, to read its size
)

// clockTick is the unit of utime and stime in /proc/PID/stat: USER_HZ, 100
// on every Linux architecture Go supports.
const clockTick = 10 * time.Millisecond

// child is a process the benchmark started: the server or the floor.
type child struct {
	cmd     *exec.Cmd
	started time.Time
	dataDir string // the server's data directory; "" for the floor
	// pg is the PostgreSQL store the server uses (nil: SQLite or the
	// floor): its size and the WAL it writes are the store's disk costs.
	pg      *sql.DB
	stderr  *tail
	done    chan struct{} // closed when the process has exited
	waitErr error
}

// startChild runs bin with args. Its stderr is kept (the last 16 KiB) for
// error messages.
func startChild(bin string, args []string, dataDir string) (*child, error) {
	c := &child{dataDir: dataDir, stderr: &tail{max: 16 << 10}, done: make(chan struct{})}
	c.cmd = exec.Command(bin, args...)
	c.cmd.Stdout = c.stderr
	c.cmd.Stderr = c.stderr
	setDeathSignal(c.cmd)
	c.started = time.Now()
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() {
		c.waitErr = c.cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

// pid is the child's process id.
func (c *child) pid() int { return c.cmd.Process.Pid }

// exited reports an error if the child is no longer running.
func (c *child) exited() error {
	select {
	case <-c.done:
		return fmt.Errorf("%s exited (%v): %s", filepath.Base(c.cmd.Path), c.waitErr, c.stderr.String())
	default:
		return nil
	}
}

// stop asks the child to shut down (SIGTERM) and kills it if it has not
// exited within grace.
func (c *child) stop(grace time.Duration) error {
	if c.pg != nil {
		c.pg.Close()
	}
	select {
	case <-c.done:
		return nil
	default:
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
		return nil
	case <-time.After(grace):
		_ = c.cmd.Process.Kill()
		<-c.done
		return fmt.Errorf("%s did not exit within %s of SIGTERM; killed", filepath.Base(c.cmd.Path), grace)
	}
}

// usage is what a child has consumed so far, as /proc tells it.
type usage struct {
	CPU        time.Duration // user + system time of all its threads
	RSS, HWM   int64         // resident set now and at its peak, bytes
	WriteBytes int64         // bytes it sent to storage (/proc/PID/io), or -1
	DirBytes   int64         // size of its data directory, or -1
	// StoreBytes is what its SQLite store holds (storeBytes), or -1.
	StoreBytes int64
}

// usage reads the child's counters. Fields it cannot read are zero (CPU,
// memory) or -1 (disk).
func (c *child) usage() usage {
	u := usage{WriteBytes: -1, DirBytes: -1, StoreBytes: -1}
	pid := strconv.Itoa(c.pid())
	if b, err := os.ReadFile("/proc/" + pid + "/stat"); err == nil {
		u.CPU = statCPU(b)
	}
	if b, err := os.ReadFile("/proc/" + pid + "/status"); err == nil {
		u.RSS = statusBytes(b, "VmRSS:")
		u.HWM = statusBytes(b, "VmHWM:")
	}
	if b, err := os.ReadFile("/proc/" + pid + "/io"); err == nil {
		if v, ok := field(b, "write_bytes:"); ok {
			u.WriteBytes = v
		}
	}
	if c.pg != nil {
		u.StoreBytes, u.WriteBytes = pgBytes(c.pg)
		return u
	}
	if c.dataDir != "" {
		u.DirBytes = dirSize(c.dataDir)
		u.StoreBytes = storeBytes(filepath.Join(c.dataDir, "accountplane.db"))
	}
	return u
}

// pgBytes reads a PostgreSQL store's size (pg_database_size: its tables'
// and indexes' pages) and the WAL position in bytes (the cluster's: every
// database's writes, which during a run are the server's), or -1 for what
// it cannot read.
func pgBytes(db *sql.DB) (size, wal int64) {
	size, wal = -1, -1
	var lsn string
	if err := db.QueryRow(`SELECT pg_database_size(current_database()), pg_current_wal_lsn()::text`).Scan(&size, &lsn); err != nil {
		return -1, -1
	}
	hi, lo, ok := strings.Cut(lsn, "/")
	h, err1 := strconv.ParseInt(hi, 16, 64)
	l, err2 := strconv.ParseInt(lo, 16, 64)
	if !ok || err1 != nil || err2 != nil {
		return size, -1
	}
	return size, h<<32 | l
}

// storeBytes returns the bytes of the pages in use of the SQLite database
// at path ((page_count - freelist_count) * page_size), as a reader sees
// them: the WAL's committed pages included. Unlike the files' sizes, it
// does not depend on when the WAL was last checkpointed or how large it
// once grew. -1 if it cannot be read.
func storeBytes(path string) int64 {
	if _, err := os.Stat(path); err != nil {
		return -1
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return -1
	}
	defer db.Close()
	var pages, free, size int64
	for q, v := range map[string]*int64{"PRAGMA page_count": &pages, "PRAGMA freelist_count": &free, "PRAGMA page_size": &size} {
		if err := db.QueryRow(q).Scan(v); err != nil {
			return -1
		}
	}
	return (pages - free) * size
}

// statCPU returns utime+stime from the contents of /proc/PID/stat. The
// command name (field 2) is in parentheses and may hold spaces, so fields
// are counted from the last ')'.
func statCPU(b []byte) time.Duration {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return 0
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(ut+st) * clockTick
}

// statusBytes returns a "Name:   123 kB" line of /proc/PID/status in bytes.
func statusBytes(b []byte, name string) int64 {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name) {
			continue
		}
		f := strings.Fields(line[len(name):])
		if len(f) == 0 {
			return 0
		}
		v, _ := strconv.ParseInt(f[0], 10, 64)
		if len(f) > 1 && f[1] == "kB" {
			v <<= 10
		}
		return v
	}
	return 0
}

// field returns the number after name in a "name: value" file.
func field(b []byte, name string) (int64, bool) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), name); ok {
			v, err := strconv.ParseInt(strings.TrimSpace(rest), 10, 64)
			return v, err == nil
		}
	}
	return 0, false
}

// dirSize is the total size of the regular files under dir.
func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// freeAddr returns a loopback address with a port that was free a moment
// ago. Another process may take it before the child binds it; the child
// then fails to start and says so.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := l.Addr().String()
	return addr, l.Close()
}

// tail is an io.Writer that keeps the last max bytes written to it.
type tail struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.b = append(t.b[:0], t.b[over:]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := strings.TrimSpace(string(t.b))
	if s == "" {
		return "(no output)"
	}
	return s
}
