package crashtest_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
)

// Kinds of writes of the workload, and what their key and value hold.
const (
	kindUser    = "CreateUser"                  // IAM user; key: its name
	kindOU      = "CreateOrganizationalUnit"    // OU under the root; key: its name
	kindContact = "PutAlternateContact"         // key: the contact type; value: the name put
	kindRegion  = "Region"                      // EnableRegion or DisableRegion; key: the Region; value: the target status
	kindInvite  = "InviteAccountToOrganization" // key: the invited account; result: the handshake id
	kindAccept  = "AcceptHandshake"             // key: the invited account; value: the handshake id
	kindAccount = "CreateAccount"               // key: the account name; result: the request id
	kindSetup   = "setup"                       // made before any kill (an IAM user; key: its name)
)

const (
	// maxReported is how many problems of one class are printed.
	maxReported = 10
	// trailPage is the LookupEvents page size (its maximum).
	trailPage = int32(50)
	// noSuchValue stands for a contact that does not exist.
	noSuchValue = "\x00(absent)"
	roleAccess  = "OrganizationAccountAccessRole"
	roleLinked  = "AWSServiceRoleForOrganizations"
)

// write is one request the workload sent. It counts as acknowledged only
// if the server answered 2xx.
type write struct {
	kind  string
	key   string
	value string
	round int
	// event is the CloudTrail eventName of its record, which trailAcct's
	// event history must hold once the write is acknowledged.
	event     string
	trailAcct string

	acked     bool
	requestID string
	result    string
}

// ledger records every write sent and whether it was acknowledged.
type ledger struct {
	mu     sync.Mutex
	writes []*write
	errs   map[string]int // failures by error code and status, for the summary
	// internal counts answers of a 5xx status other than 503: failures
	// the server did not expect.
	internal int
}

// send records w as sent (before the request leaves) and returns it.
func (l *ledger) send(w *write) *write {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writes = append(l.writes, w)
	return w
}

// answer records the outcome of w's request: acknowledged with its
// request id and result if err is nil, else a failure counted by code.
func (l *ledger) answer(w *write, md middleware.Metadata, result string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		if l.errs == nil {
			l.errs = map[string]int{}
		}
		code, status := errorCode(err)
		if status != 0 {
			code += " " + strconv.Itoa(status)
		}
		l.errs[code]++
		if status >= 500 && status != http.StatusServiceUnavailable {
			l.internal++
		}
		return
	}
	w.acked = true
	w.requestID, _ = awsmiddleware.GetRequestIDMetadata(md)
	w.result = result
}

// all returns a snapshot of the writes, in the order they were sent.
func (l *ledger) all() []*write {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]*write, len(l.writes))
	for i, w := range l.writes {
		c := *w
		out[i] = &c
	}
	return out
}

// counts returns how many writes were sent and acknowledged (setup
// excluded).
func (l *ledger) counts() (sent, acked int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, w := range l.writes {
		if w.kind == kindSetup {
			continue
		}
		sent++
		if w.acked {
			acked++
		}
	}
	return sent, acked
}

// errorSummary lists the failures by code, most frequent first.
func (l *ledger) errorSummary() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	type kv struct {
		k string
		n int
	}
	var list []kv
	for k, n := range l.errs {
		list = append(list, kv{k, n})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].n > list[j].n || (list[i].n == list[j].n && list[i].k < list[j].k) })
	var parts []string
	for _, e := range list {
		parts = append(parts, fmt.Sprintf("%s %d", e.k, e.n))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// failures returns how many calls failed, by error code and status
// ("ServiceException 503", "connection", ...).
func (l *ledger) failures() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]int, len(l.errs))
	for k, n := range l.errs {
		out[k] = n
	}
	return out
}

// unexpected returns how many calls failed with a 5xx status other than
// 503.
func (l *ledger) unexpected() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.internal
}

// errorCode names a failed call for the summary: the AWS error code and
// the HTTP status, or "connection" when the request or its answer was
// cut.
func errorCode(err error) (string, int) {
	status := 0
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	var ae smithy.APIError
	switch {
	case errors.As(err, &ae):
		return ae.ErrorCode(), status
	case errors.Is(err, context.Canceled):
		return "canceled", status
	}
	var ne net.Error
	if errors.As(err, &ne) || strings.Contains(err.Error(), "connection") || strings.Contains(err.Error(), "EOF") {
		return "connection", status
	}
	return "other", status
}

// tally counts what a verification found. answeredFailed are changes
// that committed although their request was answered with an error (a
// failure after the commit); they are no loss, since the client was not
// told the write succeeded, and are reported, not failed.
type tally struct {
	lost, invented, partial int
	answeredFailed          int
}

// checker reports the problems of one verification, counting them by class
// and printing the first few of each.
type checker struct {
	t     *testing.T
	label string
	// expected marks problems as expected (logged, not failures): the
	// harness's own test plants them.
	expected bool
	tally    tally
	printed  map[string]int
}

func (c *checker) report(class string, n *int, format string, args ...any) {
	c.t.Helper()
	*n++
	if c.printed == nil {
		c.printed = map[string]int{}
	}
	c.printed[class]++
	if c.printed[class] > maxReported {
		return
	}
	if c.expected {
		c.t.Logf("%s: %s (planted): %s", c.label, class, fmt.Sprintf(format, args...))
		return
	}
	c.t.Errorf("%s: %s: %s", c.label, class, fmt.Sprintf(format, args...))
}

// lost reports an acknowledged write that is missing (or missing its
// CloudTrail record or events).
func (c *checker) lost(format string, args ...any) {
	c.t.Helper()
	c.report("lost", &c.tally.lost, format, args...)
}

// invented reports state that no request sent could have produced.
func (c *checker) invented(format string, args ...any) {
	c.t.Helper()
	c.report("invented", &c.tally.invented, format, args...)
}

// failedAfterCommit counts n changes of what that committed although
// their requests were answered with an error.
func (c *checker) failedAfterCommit(what string, n int) {
	c.t.Helper()
	c.tally.answeredFailed += n
	c.t.Logf("%s: %s: committed, but its request was answered with an error (its record says so)", c.label, what)
}

// partial reports a change found without a part that commits with it.
func (c *checker) partial(format string, args ...any) {
	c.t.Helper()
	c.report("partial", &c.tally.partial, format, args...)
}
