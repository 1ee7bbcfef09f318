package e2e_test

import (
	"errors"
	"net/http"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

func s3Client(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.RetryMaxAttempts = 1; o.UsePathStyle = true })
}

// TestS3ListBucketsOwner: the guide's `aws s3api list-buckets --query
// Owner.ID` answers the account's canonical user id, stable per account,
// with no buckets, through the SDK's own REST-XML deserializer.
func TestS3ListBucketsOwner(t *testing.T) {
	srv, _ := start(t)
	root := defaultRoot(srv)
	c := s3Client(root.Cfg)
	out, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	must(t, err, "ListBuckets")
	id := aws.ToString(out.Owner.ID)
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(id) {
		t.Errorf("Owner.ID = %q, want 64 hexadecimal characters", id)
	}
	if out.Owner.DisplayName != nil {
		t.Errorf("Owner.DisplayName = %q, want none (S3 stopped returning it)", aws.ToString(out.Owner.DisplayName))
	}
	if len(out.Buckets) != 0 {
		t.Errorf("Buckets = %v, want none", out.Buckets)
	}
	again, err := c.ListBuckets(ctx, &s3.ListBucketsInput{MaxBuckets: aws.Int32(10), Prefix: aws.String("logs-"), BucketRegion: aws.String("eu-west-1")})
	must(t, err, "ListBuckets with the optional parameters")
	if got := aws.ToString(again.Owner.ID); got != id {
		t.Errorf("second Owner.ID = %q, want the same %q", got, id)
	}
	if got := aws.ToString(again.Prefix); got != "logs-" {
		t.Errorf("Prefix = %q, want logs-", got)
	}
	if again.ContinuationToken != nil {
		t.Errorf("ContinuationToken = %q, want none", aws.ToString(again.ContinuationToken))
	}

	// An IAM user of the same account sees the same owner once allowed.
	user := newUser(t, srv, root, "lister", adminAccessARN)
	uout, err := s3Client(user.Cfg).ListBuckets(ctx, &s3.ListBucketsInput{})
	must(t, err, "ListBuckets as an IAM user")
	if got := aws.ToString(uout.Owner.ID); got != id {
		t.Errorf("IAM user's Owner.ID = %q, want the account's %q", got, id)
	}
	// Without a policy: AccessDenied, 403.
	none := newUser(t, srv, root, "nobody")
	_, err = s3Client(none.Cfg).ListBuckets(ctx, &s3.ListBucketsInput{})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "AccessDenied" {
		t.Fatalf("ListBuckets without permission: err = %v, want AccessDenied", err)
	}
	if got := httpStatus(t, err); got != http.StatusForbidden {
		t.Errorf("status = %d, want 403", got)
	}

	_, err = c.ListBuckets(ctx, &s3.ListBucketsInput{MaxBuckets: aws.Int32(0)})
	if !errors.As(err, &api) || api.ErrorCode() != "InvalidArgument" {
		t.Errorf("max-buckets=0: err = %v, want InvalidArgument", err)
	}
	_, err = c.ListBuckets(ctx, &s3.ListBucketsInput{ContinuationToken: aws.String("bogus")})
	if !errors.As(err, &api) || api.ErrorCode() != "InvalidArgument" {
		t.Errorf("unknown continuation token: err = %v, want InvalidArgument", err)
	}
}

// TestS3SignatureErrors: S3's own codes for a bad key and a bad signature.
func TestS3SignatureErrors(t *testing.T) {
	srv, _ := start(t)
	bad := configWith(srv, "AKIANOSUCHKEY0000000", "x", "")
	_, err := s3Client(bad).ListBuckets(ctx, &s3.ListBucketsInput{})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "InvalidAccessKeyId" {
		t.Errorf("unknown key: err = %v, want InvalidAccessKeyId", err)
	}
	wrong := configWith(srv, defaultKey, "not-the-secret", "")
	_, err = s3Client(wrong).ListBuckets(ctx, &s3.ListBucketsInput{})
	if !errors.As(err, &api) || api.ErrorCode() != "SignatureDoesNotMatch" {
		t.Errorf("wrong secret: err = %v, want SignatureDoesNotMatch", err)
	}
	_, err = s3Client(defaultRoot(srv).Cfg).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("no-such-bucket")})
	if err == nil {
		t.Errorf("HeadBucket of a bucket that cannot exist succeeded")
	}
}

// TestConsoleOnlyOperationsAreNotRouted: the console-only tasks (an
// in-process service of the account signing name) are not reachable over
// HTTP, by path or by X-Amz-Target: AWS offers them in no API.
func TestConsoleOnlyOperationsAreNotRouted(t *testing.T) {
	srv, client := start(t)
	r := newRaw(t, srv)
	r.post("/closeAccount", `{}`).restErr(t, http.StatusNotFound, "UnknownOperationException")
	resp := r.do(http.MethodPost, "/", []byte(`{}`), map[string]string{
		"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSAccountV20210201.CloseAccount",
	}, signing{})
	if resp.status < 400 {
		t.Errorf("X-Amz-Target CloseAccount: status %d, want it refused: %s", resp.status, resp.body)
	}
	info, err := client.GetAccountInformation(ctx, &account.GetAccountInformationInput{})
	must(t, err, "GetAccountInformation")
	if got := string(info.AccountState); got != "ACTIVE" {
		t.Errorf("after the attempts the account is %s, want ACTIVE", got)
	}
}
