// Package arn builds and parses Amazon Resource Names. Every ARN the
// emulator writes is built here, so that the partition and each service's
// resource syntax are in one place.
//
// It imports only the standard library.
package arn

import (
	"errors"
	"strings"
)

// Partition is the partition of every ARN built here (commercial AWS).
const Partition = "aws"

// ARN is arn:Partition:Service:Region:Account:Resource.
type ARN struct {
	Partition, Service, Region, Account, Resource string
}

// String formats a.
func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}

// ErrMalformed is returned by Parse for a string that is not an ARN.
var ErrMalformed = errors.New("arn: malformed")

// Parse splits s into its six parts. The resource may contain colons.
func Parse(s string) (ARN, error) {
	var parts [6]string // the first five fields, then the rest
	rest := s
	for i := range 5 {
		field, after, found := strings.Cut(rest, ":")
		if !found {
			return ARN{}, ErrMalformed
		}
		parts[i], rest = field, after
	}
	parts[5] = rest
	if parts[0] != "arn" || parts[1] == "" || parts[2] == "" {
		return ARN{}, ErrMalformed
	}
	return ARN{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5]}, nil
}

// IAM is arn:aws:iam::ACCOUNT:TYPE PATH NAME (path "" is "/"), e.g. a
// user, group, role, policy or MFA device.
func IAM(account, typ, path, name string) string {
	if path == "" {
		path = "/"
	}
	return ARN{Partition, "iam", "", account, typ + path + name}.String()
}

// Root is the root user of an account, arn:aws:iam::ACCOUNT:root.
func Root(account string) string { return ARN{Partition, "iam", "", account, "root"}.String() }

// AWSPolicyPrefix starts the ARN of every AWS managed IAM policy.
const AWSPolicyPrefix = "arn:" + Partition + ":iam::aws:policy/"

// AWSPolicy is the ARN of an AWS managed IAM policy (name may carry a
// path, e.g. "root-task/IAMAuditRootUserCredentials").
func AWSPolicy(name string) string { return AWSPolicyPrefix + name }

// AssumedRole is the ARN of a role session,
// arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION.
func AssumedRole(account, role, session string) string {
	return ARN{Partition, "sts", "", account, "assumed-role/" + role + "/" + session}.String()
}

// Account is the Account Management resource of a standalone call,
// arn:aws:account::ACCOUNT:account.
func Account(account string) string {
	return ARN{Partition, "account", "", account, "account"}.String()
}

// MemberAccount is the Account Management resource of a call in
// organization mode, arn:aws:account::MANAGEMENT:account/o-ORG/ACCOUNT.
func MemberAccount(management, org, account string) string {
	return ARN{Partition, "account", "", management, "account/" + org + "/" + account}.String()
}

// Organizations is an Organizations resource of the organization whose
// management account is management, e.g. "ou/o-x/ou-y".
func Organizations(management, resource string) string {
	return ARN{Partition, "organizations", "", management, resource}.String()
}

// AWSOrganizationsPolicy is an AWS managed Organizations policy,
// arn:aws:organizations::aws:policy/TYPE/ID.
func AWSOrganizationsPolicy(typ, id string) string {
	return ARN{Partition, "organizations", "", "aws", "policy/" + typ + "/" + id}.String()
}
