// Package s3api binds the part of Amazon S3 that an account control plane
// answers: ListBuckets (REST-XML, signing name s3, GET /), which the
// guide uses to look up an account's canonical user id
// (aws s3api list-buckets --query Owner.ID). The emulator keeps no
// buckets, so the list is always empty; requests naming a bucket are
// answered NoSuchBucket.
//
// It imports apierr, identity and operation; never storage, sigv4 or
// server.
package s3api
