package kernel

import (
	"strings"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
)

// PartitionGovCloud is the partition of AWS GovCloud (US) accounts (the
// value of arn.GovCloud; kernel imports no ARN package).
const PartitionGovCloud = "aws-us-gov"

// InPartition reports whether a is in partition p ("" and "aws" are both
// the commercial partition).
func (a *Account) InPartition(p string) bool { return canonical(a.Partition) == canonical(p) }

func canonical(p string) string {
	if p == "" {
		return "aws"
	}
	return p
}

// GovCloudPair returns the record of a new GovCloud (US) account with id
// paired with the commercial account a, created at at: a standalone
// account in the aws-us-gov partition with a's name. Its root email is
// a's address with "+govcloud" added to the local part, because one store
// holds every partition and emails are unique across it.
func (a *Account) GovCloudPair(id identity.AccountID, at time.Time) *Account {
	return &Account{
		ID: id, Name: a.Name, Email: GovCloudEmail(a.Email), State: StateActive, CreatedAt: at,
		PaymentMethod: true, Origin: OriginCreated, Seller: a.Seller, Partition: PartitionGovCloud,
	}
}

// GovCloudEmail is the root email of the GovCloud account paired with an
// account whose email is email.
func GovCloudEmail(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok {
		return email + "+govcloud"
	}
	return local + "+govcloud@" + domain
}
