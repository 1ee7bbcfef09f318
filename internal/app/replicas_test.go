package app_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/accountplane/accountplane/internal/app"
	"github.com/accountplane/accountplane/internal/pgtest"
	"github.com/accountplane/accountplane/internal/quota"
)

// replicas starts n apps on one PostgreSQL schema.
func replicas(t *testing.T, n int, cfg app.Config) []*app.App {
	t.Helper()
	cfg.Store = pgtest.DSN(t)
	var out []*app.App
	for i := 0; i < n; i++ {
		c := cfg
		c.DataDir = t.TempDir()
		c.ReplicaID = "r" + string(rune('a'+i))
		out = append(out, start(t, c))
	}
	return out
}

// signed sends an Account API call as the default root user and returns
// the status and body.
func signed(t *testing.T, base, path, body string) (int, string) {
	t.Helper()
	return signedCall(t, base+path, body, "account", "application/json", "")
}

// signedCall posts body to url signed for service as the default root
// user (target: the X-Amz-Target header, if any).
func signedCall(t *testing.T, url, body, service, contentType, target string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"},
		req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func adminPost(t *testing.T, base, path string, v any) (int, string) {
	t.Helper()
	b, _ := json.Marshal(v)
	res, err := http.Post(base+path, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(out)
}

// Replicas over one PostgreSQL behave as one server: what one
// acknowledges the next request on the other sees; the clock, the fault
// rules (with exact counts) and the request-rate budget are shared.
func TestReplicasShareOneWorld(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two replicas")
	}
	rs := replicas(t, 2, app.Config{Quotas: quota.Table{"account:GetAccountInformation": {Rate: 0.001, Burst: 40}}})
	a, b := rs[0].URL(), rs[1].URL()

	// Read your writes across replicas, caches included.
	for i := 0; i < 5; i++ {
		name := "Name" + string(rune('A'+i))
		if st, body := signed(t, a, "/putAccountName", `{"AccountName":"`+name+`"}`); st != 200 {
			t.Fatalf("PutAccountName on A: %d %s", st, body)
		}
		if st, body := signed(t, b, "/getAccountInformation", `{}`); st != 200 && st != 429 || (st == 200 && !strings.Contains(body, `"AccountName":"`+name+`"`)) {
			t.Fatalf("GetAccountInformation on B after A's write %d: %d %s", i, st, body)
		}
	}

	// The clock: advanced on A, seen on B within a second.
	if st, body := adminPost(t, a, "/_accountplane/clock", map[string]string{"advance": "48h"}); st != 200 {
		t.Fatalf("advance on A: %d %s", st, body)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		res, err := http.Get(b + "/_accountplane/clock")
		if err != nil {
			t.Fatal(err)
		}
		var c struct{ OffsetSeconds int64 }
		_ = json.NewDecoder(res.Body).Decode(&c)
		res.Body.Close()
		if c.OffsetSeconds == 48*3600 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("B's clock offset is %ds, want 172800", c.OffsetSeconds)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// A fault rule with a count, added on A, fires exactly that many
	// times across both replicas.
	if st, body := adminPost(t, a, "/_accountplane/faults", map[string]any{"service": "account", "operation": "GetRegionOptStatus", "errorCode": "InternalServerException", "count": 3}); st != 201 {
		t.Fatalf("add fault: %d %s", st, body)
	}
	time.Sleep(1100 * time.Millisecond) // B's copy of the rules is at most a second old
	injected := 0
	for i := 0; i < 12; i++ {
		base := a
		if i%2 == 1 {
			base = b
		}
		st, _ := signed(t, base, "/getRegionOptStatus", `{"RegionName":"af-south-1"}`)
		if st == 500 {
			injected++
		} else if st != 200 {
			t.Fatalf("GetRegionOptStatus: %d", st)
		}
	}
	if injected != 3 {
		t.Errorf("a 3-call fault rule fired %d times across two replicas", injected)
	}

	// One request-rate budget (burst 40, no refill to speak of) for both.
	allowed := 0
	for i := 0; i < 120; i++ {
		base := a
		if i%2 == 1 {
			base = b
		}
		st, _ := signed(t, base, "/getAccountInformation", `{}`)
		switch st {
		case 200:
			allowed++
		case 429:
		default:
			t.Fatalf("GetAccountInformation: %d", st)
		}
	}
	allowed += 5 // the reads of the first part drew from the same budget
	if allowed < 32 || allowed > 40 {
		t.Errorf("two replicas allowed %d calls of a 40-call budget", allowed)
	}
}

// A replica serving a read from memory still sees another replica's
// acknowledged write: B reads twice (its first read has the accounts
// table's sequence watched, its second is kept in memory with a stamp
// from the request's one freshness read), A writes, and B's next request,
// whose freshness read started after A answered, does not take the kept
// one.
func TestReplicasCachedReadSeesOtherWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two replicas")
	}
	rs := replicas(t, 2, app.Config{})
	a, b := rs[0].URL(), rs[1].URL()
	for i := 0; i < 3; i++ {
		name := "Cached" + string(rune('A'+i))
		if st, body := signed(t, a, "/putAccountName", `{"AccountName":"`+name+`"}`); st != 200 {
			t.Fatalf("PutAccountName on A: %d %s", st, body)
		}
		for range 2 { // the second from memory, while nothing changes
			if st, body := signed(t, b, "/getAccountInformation", `{}`); st != 200 || !strings.Contains(body, `"AccountName":"`+name+`"`) {
				t.Fatalf("GetAccountInformation on B after A's write %d: %d %s", i, st, body)
			}
		}
	}
}

// signedOrgs sends an Organizations call (awsJson 1.1) as the default root
// user and returns the status and body.
func signedOrgs(t *testing.T, base, op, body string) (int, string) {
	t.Helper()
	return signedCall(t, base+"/", body, "organizations", "application/x-amz-json-1.1", "AWSOrganizationsV20161128."+op)
}

// Organizations reads that take rows from memory (DescribeAccount: the
// account, its membership, the organization) see another replica's
// acknowledged write at once: B reads twice (the second from memory),
// A renames the account, B reads the new name.
func TestReplicasRowsFromMemorySeeOtherWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two replicas")
	}
	rs := replicas(t, 2, app.Config{})
	a, b := rs[0].URL(), rs[1].URL()
	if st, body := signedOrgs(t, a, "CreateOrganization", `{"FeatureSet":"ALL"}`); st != 200 {
		t.Fatalf("CreateOrganization on A: %d %s", st, body)
	}
	for i := 0; i < 3; i++ {
		name := "Rows" + string(rune('A'+i))
		if st, body := signed(t, a, "/putAccountName", `{"AccountName":"`+name+`"}`); st != 200 {
			t.Fatalf("PutAccountName on A: %d %s", st, body)
		}
		for range 2 {
			st, body := signedOrgs(t, b, "DescribeAccount", `{"AccountId":"000000000000"}`)
			if st != 200 || !strings.Contains(body, `"Name":"`+name+`"`) {
				t.Fatalf("DescribeAccount on B after A's rename %d: %d %s", i, st, body)
			}
		}
	}
}
