package server_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/account"
	"github.com/aws/aws-sdk-go-v2/service/account/types"

	"github.com/accountplane/accountplane/accountplanetest"
)

// fixedBackoff waits the same time before every retry, so the test does not
// depend on the standard retryer's jitter.
type fixedBackoff time.Duration

func (b fixedBackoff) BackoffDelay(int, error) (time.Duration, error) { return time.Duration(b), nil }

func TestQuotasThrottleAndRetryRecovers(t *testing.T) {
	srv := accountplanetest.Start(t, accountplanetest.Options{Quotas: "aws"})
	ctx := context.Background()
	in := &account.GetRegionOptStatusInput{RegionName: aws.String("af-south-1")} // 5 per second, burst 5
	noRetry := account.NewFromConfig(srv.Config, func(o *account.Options) { o.RetryMaxAttempts = 1 })
	// 40 calls at once: unthrottled only if they spread over 7 s, which no
	// loaded machine makes of them.
	const calls = 40
	var throttled atomic.Int64
	var wg sync.WaitGroup
	for range calls {
		wg.Go(func() {
			_, err := noRetry.GetRegionOptStatus(ctx, in)
			var tm *types.TooManyRequestsException
			if errors.As(err, &tm) {
				throttled.Add(1)
			} else if err != nil {
				t.Errorf("unexpected error: %v", err)
			}
		})
	}
	wg.Wait()
	if throttled.Load() == 0 {
		t.Fatalf("%d calls at once against a burst of 5: none throttled", calls)
	}
	// The standard retryer (throttling errors are retryable) recovers.
	withRetry := account.NewFromConfig(srv.Config, func(o *account.Options) {
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = 5
			so.Backoff = fixedBackoff(250 * time.Millisecond)
			so.RateLimiter = noRateLimit{}
		})
	})
	for i := range 8 {
		if _, err := withRetry.GetRegionOptStatus(ctx, in); err != nil {
			t.Fatalf("call %d with the standard retryer: %v", i, err)
		}
	}
}

func TestQuotasOffNeverThrottles(t *testing.T) {
	srv := accountplanetest.Start(t) // quotas off
	client := account.NewFromConfig(srv.Config, func(o *account.Options) { o.RetryMaxAttempts = 1 })
	for i := range 30 {
		if _, err := client.GetRegionOptStatus(context.Background(), &account.GetRegionOptStatusInput{RegionName: aws.String("af-south-1")}); err != nil {
			t.Fatalf("call %d with quotas off: %v", i, err)
		}
	}
}

// noRateLimit turns off the retryer's client-side retry token bucket.
type noRateLimit struct{}

func (noRateLimit) GetToken(context.Context, uint) (func() error, error) {
	return func() error { return nil }, nil
}
func (noRateLimit) AddTokens(uint) error { return nil }
