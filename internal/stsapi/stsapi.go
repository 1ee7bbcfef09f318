// Package stsapi binds the AWS Security Token Service (query protocol,
// XML responses) to the caller's identity. Today it answers
// GetCallerIdentity, which Terraform's AWS provider calls first.
//
// It must not import storage, sigv4 or server.
package stsapi

import (
	"encoding/xml"
	"net/url"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
)

// Xmlns is the STS response namespace.
const Xmlns = "https://sts.amazonaws.com/doc/2011-06-15/"

// Version is the only API version STS speaks.
const Version = "2011-06-15"

// Exception codes of the query protocol that this package returns.
const (
	CodeInvalidAction = "InvalidAction"
)

type responseMetadata struct {
	RequestID string `xml:"RequestId"`
}

type getCallerIdentityResult struct {
	Arn     string `xml:"Arn"`
	UserID  string `xml:"UserId"`
	Account string `xml:"Account"`
}

type getCallerIdentityResponse struct {
	XMLName  xml.Name                `xml:"GetCallerIdentityResponse"`
	Xmlns    string                  `xml:"xmlns,attr"`
	Result   getCallerIdentityResult `xml:"GetCallerIdentityResult"`
	Metadata responseMetadata        `xml:"ResponseMetadata"`
}

// Invoke runs the STS action named in params for caller and returns the
// response document to encode, and the operation name for logs.
func Invoke(caller identity.Principal, params url.Values, requestID string) (op string, doc any, err error) {
	op = params.Get("Action")
	if v := params.Get("Version"); v != "" && v != Version {
		return op, nil, apierr.New(CodeInvalidAction, "Could not find operation "+op+" for version "+v)
	}
	switch op {
	case "GetCallerIdentity":
		return op, getCallerIdentityResponse{
			Xmlns:    Xmlns,
			Result:   getCallerIdentityResult{Arn: caller.ARN, UserID: caller.UserID, Account: string(caller.Account)},
			Metadata: responseMetadata{RequestID: requestID},
		}, nil
	case "":
		return op, nil, apierr.New("MissingAction", "Missing Action")
	}
	return op, nil, apierr.New(CodeInvalidAction, "Could not find operation "+op+" for version "+Version)
}
