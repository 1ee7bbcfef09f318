package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/account"
	"github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/accountplane/accountplane/internal/app"
)

// rootConfig is the default account's root user at endpoint.
func rootConfig(endpoint string) aws.Config {
	return aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
}

// putContact writes the billing contact of the caller's account.
func putContact(t *testing.T, acct *account.Client) {
	t.Helper()
	if _, err := acct.PutAlternateContact(context.Background(), &account.PutAlternateContactInput{
		AlternateContactType: types.AlternateContactTypeBilling, Name: aws.String("n"), Title: aws.String("t"),
		EmailAddress: aws.String("b@example.com"), PhoneNumber: aws.String("+1 206 555 0100"),
	}); err != nil {
		t.Fatal(err)
	}
}

// waitRecords waits (at most 20 s) until the caller's account's history
// holds from lo to hi records (the trims run on the background writer
// after the answers), and returns how many it holds.
func waitRecords(t *testing.T, cfg aws.Config, lo, hi int) int {
	t.Helper()
	trail := cloudtrail.NewFromConfig(cfg, func(o *cloudtrail.Options) { o.RetryMaxAttempts = 1 })
	deadline := time.Now().Add(20 * time.Second)
	for {
		n := 0
		p := cloudtrail.NewLookupEventsPaginator(trail, &cloudtrail.LookupEventsInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(context.Background())
			if err != nil {
				t.Fatalf("LookupEvents: %v", err)
			}
			n += len(page.Events)
		}
		if (lo <= n && n <= hi) || n < lo || time.Now().After(deadline) {
			return n
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// --trail-max-events holds under writes alone: the records written with
// their changes count toward the next trim as the background writer's do,
// and the history ends within a tenth of the bound (trims come every tenth
// of it), never under it.
func TestTrailMaxEventsHoldsUnderWrites(t *testing.T) {
	for _, dir := range []string{app.MemoryData, ""} {
		name := "file"
		if dir == app.MemoryData {
			name = "memory"
		}
		t.Run(name, func(t *testing.T) {
			if dir == "" {
				dir = t.TempDir()
			}
			const bound, writes = 20, 90
			a := start(t, app.Config{DataDir: dir, TrailMaxEvents: bound, TrailSkipReads: true})
			cfg := rootConfig(a.URL())
			acct := account.NewFromConfig(cfg, func(o *account.Options) { o.RetryMaxAttempts = 1 })
			// Half the writes are GetSessionToken, whose record is written
			// with its session and replaced with its response elements
			// after the answer: it counts as any other.
			tokens := sts.NewFromConfig(cfg, func(o *sts.Options) { o.RetryMaxAttempts = 1 })
			for i := range writes {
				if i%2 == 1 {
					putContact(t, acct)
				} else if _, err := tokens.GetSessionToken(context.Background(), &sts.GetSessionTokenInput{}); err != nil {
					t.Fatalf("write %d: %v", i, err)
				}
			}
			if n := waitRecords(t, cfg, bound, bound+bound/10); n < bound || n > bound+bound/10 {
				t.Fatalf("%d records after %d writes with --trail-max-events %d; want %d to %d", n, writes, bound, bound, bound+bound/10)
			}
		})
	}
}

// A store opened with a lower bound than the history it holds is trimmed
// at start, before any new record.
func TestTrailMaxEventsTrimsAtStart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	a, err := app.Start(ctx, app.Config{Addr: "127.0.0.1:0", DataDir: dir, Log: quietLog(), TrailMaxEvents: -1, TrailSkipReads: true})
	if err != nil {
		t.Fatal(err)
	}
	acct := account.NewFromConfig(rootConfig(a.URL()), func(o *account.Options) { o.RetryMaxAttempts = 1 })
	for range 30 {
		putContact(t, acct)
	}
	if err := a.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	const bound = 10
	b := start(t, app.Config{DataDir: dir, TrailMaxEvents: bound, TrailSkipReads: true})
	if n := waitRecords(t, rootConfig(b.URL()), bound, bound); n != bound {
		t.Fatalf("%d records after a restart with --trail-max-events %d over 30, want %d", n, bound, bound)
	}
}
