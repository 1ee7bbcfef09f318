package s3api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/operation"
)

// ServiceName is S3's signing name.
const ServiceName = "s3"

// Xmlns is the namespace of S3's result documents.
const Xmlns = "http://s3.amazonaws.com/doc/2006-03-01/"

// S3 error codes this package returns (S3's ErrorCode values; wire
// contract, do not rename).
const (
	CodeAccessDenied    = "AccessDenied"
	CodeInternalError   = "InternalError"
	CodeInvalidArgument = "InvalidArgument"
	CodeNoSuchBucket    = "NoSuchBucket"
	CodeNotImplemented  = "NotImplemented"
	CodeSlowDown        = "SlowDown"
)

// StatusOf maps an S3 error code to its HTTP status (0: by fault).
func StatusOf(code string) int {
	switch code {
	case CodeAccessDenied:
		return http.StatusForbidden
	case CodeNoSuchBucket:
		return http.StatusNotFound
	case CodeNotImplemented:
		return http.StatusNotImplemented
	case CodeSlowDown:
		return http.StatusServiceUnavailable
	case CodeInternalError:
		return http.StatusInternalServerError
	}
	return 0
}

// CanonicalUserID is account's canonical user id: 64 hexadecimal
// characters, the same for the account on every server and across
// restarts (a SHA-256 of the account id under a fixed label).
//
// TODO(fidelity): AWS's canonical ids are opaque; these can be computed
// from the account id.
func CanonicalUserID(account identity.AccountID) string {
	sum := sha256.Sum256([]byte("accountplane canonical user id\x00" + string(account)))
	return hex.EncodeToString(sum[:])
}

// Service returns S3 with its one operation, ListBuckets.
func Service() operation.Service {
	return operation.Service{
		Name: ServiceName, Protocol: operation.RESTXML, Xmlns: Xmlns,
		InternalFailure: CodeInternalError, AccessDenied: CodeAccessDenied, Throttled: CodeSlowDown,
		Status: StatusOf, Unknown: unknown,
		Operations: []operation.Operation{{
			Service: ServiceName, Name: "ListBuckets", Action: "s3:ListAllMyBuckets", ReadOnly: true,
			Method: http.MethodGet, Path: "/",
			Prepare: prepareListBuckets,
		}},
	}
}

// unknown answers a request the binding has no operation for: one naming
// a bucket finds none (the emulator keeps no buckets); the others are
// not implemented. name is "METHOD /path".
func unknown(name string) *apierr.Error {
	_, path, _ := strings.Cut(name, " ")
	if bucket, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/"); bucket != "" {
		return &apierr.Error{Code: CodeNoSuchBucket, Message: "The specified bucket does not exist", Fault: apierr.Client}
	}
	return &apierr.Error{Code: CodeNotImplemented, Message: "A header you provided implies functionality that is not implemented", Fault: apierr.Server}
}

// ListAllMyBucketsResult is ListBuckets' output document.
//
// Owner carries ID only: S3 stopped returning DisplayName in November
// 2025.
type ListAllMyBucketsResult struct {
	XMLName           xml.Name `xml:"ListAllMyBucketsResult"`
	Xmlns             string   `xml:"xmlns,attr"`
	Buckets           buckets  `xml:"Buckets"`
	Owner             Owner    `xml:"Owner"`
	ContinuationToken string   `xml:"ContinuationToken,omitempty"`
	Prefix            string   `xml:"Prefix,omitempty"`
}

type buckets struct {
	Bucket []bucket `xml:"Bucket"`
}

type bucket struct {
	Name         string `xml:"Name"`
	CreationDate string `xml:"CreationDate"`
	BucketRegion string `xml:"BucketRegion,omitempty"`
}

// Owner is a bucket list's owner.
type Owner struct {
	ID string `xml:"ID"`
}

// prepareListBuckets validates ListBuckets' optional parameters:
// max-buckets (1 to 10000), continuation-token (one this server issued;
// it issues none, as every list fits one page), prefix and bucket-region
// (filters, here of an empty list). Other query parameters, such as the
// SDKs' x-id=ListBuckets, are ignored.
func prepareListBuckets(r operation.Request, in operation.Input) (operation.Call, error) {
	q := in.Params
	if v, ok := q["max-buckets"]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil || n < 1 || n > 10000 {
			return operation.Call{}, apierr.New(CodeInvalidArgument, "Argument max-buckets must be an integer between 1 and 10000.")
		}
	}
	if v := q.Get("continuation-token"); v != "" {
		return operation.Call{}, apierr.New(CodeInvalidArgument, "The continuation token provided is incorrect")
	}
	prefix := q.Get("prefix")
	caller := r.Caller
	return operation.Call{
		Access: func(context.Context) (operation.Access, error) {
			return operation.Access{Resources: []string{"*"}}, nil
		},
		Invoke: func(context.Context) (any, error) {
			return &ListAllMyBucketsResult{Xmlns: Xmlns, Owner: Owner{ID: CanonicalUserID(caller.Account)}, Prefix: prefix}, nil
		},
	}, nil
}
