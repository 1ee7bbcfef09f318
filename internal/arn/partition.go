package arn

import "strings"

// The partitions: separate copies of AWS, each with its own accounts,
// credentials and ARN prefix. [Partition] (aws, the commercial one) is the
// default everywhere.
const (
	GovCloud = "aws-us-gov" // AWS GovCloud (US): us-gov-west-1, us-gov-east-1
	China    = "aws-cn"     // cn-north-1, cn-northwest-1
	ISO      = "aws-iso"    // us-iso-east-1, us-iso-west-1
	ISOB     = "aws-iso-b"  // us-isob-east-1
	ISOE     = "aws-iso-e"  // eu-isoe-west-1
	ISOF     = "aws-iso-f"  // us-isof-south-1, us-isof-east-1
)

// regionPrefixes maps Region name prefixes to their partition; the longer
// prefix of two that share a start comes first (us-isob- before us-iso-).
var regionPrefixes = []struct{ prefix, partition string }{
	{"us-gov-", GovCloud},
	{"cn-", China},
	{"us-isob-", ISOB},
	{"us-isof-", ISOF},
	{"us-iso-", ISO},
	{"eu-isoe-", ISOE},
}

// PartitionOf returns the partition of a Region, by the Region naming
// scheme of AWS's endpoint rules ("us-gov-*" is aws-us-gov, "cn-*"
// aws-cn, "us-iso-*" aws-iso, ...). Every other name, the empty one
// included, is in the commercial partition: clients may sign for any
// made-up Region.
func PartitionOf(region string) string {
	for _, p := range regionPrefixes {
		if strings.HasPrefix(region, p.prefix) {
			return p.partition
		}
	}
	return Partition
}

// IsPartition reports whether p names a partition ("" is not one).
func IsPartition(p string) bool {
	if p == Partition {
		return true
	}
	for _, r := range regionPrefixes {
		if r.partition == p {
			return true
		}
	}
	return false
}

// Canonical returns p, or the commercial partition for "" (the zero value
// of every partition field).
func Canonical(p string) string {
	if p == "" {
		return Partition
	}
	return p
}

// InPartition returns ARN s with its partition set to p ("" is the
// commercial one). A string that is not an ARN is returned unchanged.
func InPartition(s, p string) string {
	p = Canonical(p)
	a, err := Parse(s)
	if err != nil || a.Partition == p {
		return s
	}
	a.Partition = p
	return a.String()
}

// Builder builds the ARNs of one partition. The package-level builders
// ([IAM], [Root], [Organizations], ...) are the commercial partition's.
type Builder struct{ partition string }

// In returns the builders of partition p ("" is the commercial one).
func In(p string) Builder { return Builder{Canonical(p)} }

// Partition is the partition the builder writes.
func (b Builder) Partition() string { return Canonical(b.partition) }

func (b Builder) arn(service, account, resource string) string {
	return ARN{b.Partition(), service, "", account, resource}.String()
}

// Root is the root user of an account, arn:P:iam::ACCOUNT:root.
func (b Builder) Root(account string) string { return b.arn("iam", account, "root") }

// IAM is arn:P:iam::ACCOUNT:TYPE PATH NAME (path "" is "/").
func (b Builder) IAM(account, typ, path, name string) string {
	if path == "" {
		path = "/"
	}
	return b.arn("iam", account, typ+path+name)
}

// AssumedRole is a role session, arn:P:sts::ACCOUNT:assumed-role/ROLE/SESSION.
func (b Builder) AssumedRole(account, role, session string) string {
	return b.arn("sts", account, "assumed-role/"+role+"/"+session)
}

// Account is the Account Management resource of a standalone call,
// arn:P:account::ACCOUNT:account.
func (b Builder) Account(account string) string { return b.arn("account", account, "account") }

// MemberAccount is the Account Management resource of a call in
// organization mode, arn:P:account::MANAGEMENT:account/o-ORG/ACCOUNT.
func (b Builder) MemberAccount(management, org, account string) string {
	return b.arn("account", management, "account/"+org+"/"+account)
}

// Organizations is an Organizations resource of the organization whose
// management account is management, e.g. "ou/o-x/ou-y".
func (b Builder) Organizations(management, resource string) string {
	return b.arn("organizations", management, resource)
}

// Transfer is a responsibility transfer as one side of it sees it,
// arn:P:organizations::MANAGEMENT:transfer/o-ORG/TYPE/DIRECTION/rt-ID,
// where management and org are the viewer's, TYPE is the lower-cased
// transfer type and DIRECTION inbound or outbound.
func (b Builder) Transfer(management, org, typ, direction, id string) string {
	return b.Organizations(management, "transfer/"+org+"/"+strings.ToLower(typ)+"/"+direction+"/"+id)
}
