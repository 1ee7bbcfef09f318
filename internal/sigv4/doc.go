// Package sigv4 verifies AWS Signature Version 4 on incoming HTTP requests,
// in both Authorization-header and presigned-query form.
//
// It knows nothing about services, protocols or storage: callers supply a
// [CredentialSource], and failures are reported as an [*Error] whose [Kind]
// the protocol layer maps to its own wire code (IncompleteSignature,
// SignatureDoesNotMatch, UnrecognizedClientException and so on).
// It must import only the standard library.
//
// The canonical request is built as described in
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
// and as aws-sdk-go-v2's aws/signer/v4 builds it for non-S3 services:
//
//	CanonicalRequest =
//	  HTTPMethod + '\n' +
//	  CanonicalURI + '\n' +          // escaped path as sent, each byte outside
//	                                 // [A-Za-z0-9-._~/] percent-encoded again
//	  CanonicalQueryString + '\n' +  // pairs RFC 3986-encoded, sorted by key then
//	                                 // value, joined by '&' (presigned: without
//	                                 // X-Amz-Signature)
//	  CanonicalHeaders + '\n' +      // for each name in SignedHeaders:
//	                                 // name + ':' + trimmed values joined by ',' + '\n'
//	  SignedHeaders + '\n' +         // as sent, e.g. "host;x-amz-date"
//	  HashedPayload                  // X-Amz-Content-Sha256, else hex(SHA256(body))
//
//	StringToSign =
//	  "AWS4-HMAC-SHA256" + '\n' +
//	  X-Amz-Date + '\n' +            // ISO 8601 basic, e.g. 20260101T000000Z
//	  Date/Region/Service/"aws4_request" + '\n' +
//	  hex(SHA256(CanonicalRequest))
//
//	SigningKey = HMAC(HMAC(HMAC(HMAC("AWS4"+Secret, Date), Region), Service), "aws4_request")
//	Signature  = hex(HMAC(SigningKey, StringToSign))
//
// Signing keys are cached per [Verifier] once a request using them has
// verified. A request with a warm key costs hashing the body and the
// canonical request plus one HMAC, and does not allocate unless it carries a
// query string or a session token.
package sigv4
