package iam

import (
	"crypto/sha256"
	"sort"
	"strings"
	"time"

	"github.com/accountplane/accountplane/internal/arn"
)

// AWSPolicyARNPrefix begins the ARN of every AWS managed policy.
const AWSPolicyARNPrefix = arn.AWSPolicyPrefix

// ARNs of the AWS managed policies the emulator ships.
const (
	AdministratorAccessARN                = AWSPolicyARNPrefix + "AdministratorAccess"
	ReadOnlyAccessARN                     = AWSPolicyARNPrefix + "ReadOnlyAccess"
	AWSOrganizationsFullAccessARN         = AWSPolicyARNPrefix + "AWSOrganizationsFullAccess"
	AWSOrganizationsReadOnlyAccessARN     = AWSPolicyARNPrefix + "AWSOrganizationsReadOnlyAccess"
	AWSAccountManagementReadOnlyAccessARN = AWSPolicyARNPrefix + "AWSAccountManagementReadOnlyAccess"
	AWSAccountManagementFullAccessARN     = AWSPolicyARNPrefix + "AWSAccountManagementFullAccess"
	AWSOrganizationsServiceTrustPolicyARN = AWSPolicyARNPrefix + "aws-service-role/AWSOrganizationsServiceTrustPolicy"
)

// The task policies of STS AssumeRoot: AWS managed policies under the
// /root-task/ path, the only five TaskPolicyArn accepts.
const (
	TaskPolicyPrefix                = AWSPolicyARNPrefix + "root-task/"
	IAMAuditRootUserCredentialsARN  = TaskPolicyPrefix + "IAMAuditRootUserCredentials"
	IAMCreateRootUserPasswordARN    = TaskPolicyPrefix + "IAMCreateRootUserPassword"
	IAMDeleteRootUserCredentialsARN = TaskPolicyPrefix + "IAMDeleteRootUserCredentials"
	S3UnlockBucketPolicyARN         = TaskPolicyPrefix + "S3UnlockBucketPolicy"
	SQSUnlockQueuePolicyARN         = TaskPolicyPrefix + "SQSUnlockQueuePolicy"
)

// TaskPolicies are the ARNs of the five task policies, in AWS's order.
var TaskPolicies = []string{
	IAMAuditRootUserCredentialsARN, IAMCreateRootUserPasswordARN, IAMDeleteRootUserCredentialsARN,
	S3UnlockBucketPolicyARN, SQSUnlockQueuePolicyARN,
}

// IsTaskPolicy reports whether arn is one of the five task policies.
func IsTaskPolicy(arn string) bool {
	for _, t := range TaskPolicies {
		if t == arn {
			return true
		}
	}
	return false
}

// awsPolicy declares one AWS managed policy of the catalogue.
type awsPolicy struct {
	name, path, id, version, description string
	created, updated                     string // RFC 3339
	doc                                  string
}

// The catalogue. Documents of AdministratorAccess, the Organizations and
// the Account Management policies are AWS's (the last two verbatim from
// the spec, security.md §7.4-7.5); ReadOnlyAccess is an abridged read-only
// document covering the services the emulator serves (AWS's real one lists
// hundreds of services), so its version is v1 rather than AWS's current
// one. Policy ids are AWS's where known, else derived from the name.
var awsCatalogue = []awsPolicy{
	{
		name: "AdministratorAccess", path: "/", id: "ANPAIWMBCKSKIEE64ZLYK", version: "v1",
		description: "Provides full access to AWS services and resources.",
		created:     "2015-02-06T18:39:46Z", updated: "2015-02-06T18:39:46Z",
		doc: `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "*",
      "Resource": "*"
    }
  ]
}`,
	},
	{
		name: "ReadOnlyAccess", path: "/", id: "ANPAILL3HVNFSB6DCOWYQ", version: "v1",
		description: "Provides read-only access to AWS services and resources.",
		created:     "2015-02-06T18:39:48Z", updated: "2015-02-06T18:39:48Z",
		doc: `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ReadOnlyActions",
      "Effect": "Allow",
      "Action": [
        "*:BatchGet*",
        "*:Describe*",
        "*:Get*",
        "*:List*",
        "iam:Generate*",
        "iam:Simulate*"
      ],
      "Resource": "*"
    }
  ]
}`,
	},
	{
		name: "AWSOrganizationsFullAccess", path: "/", version: "v6",
		description: "Provides full access to AWS Organizations.",
		created:     "2018-11-06T20:31:57Z", updated: "2024-02-06T17:49:00Z",
		doc: `{
  "Version" : "2012-10-17",
  "Statement" : [
    {
      "Sid" : "AWSOrganizationsFullAccess",
      "Effect" : "Allow",
      "Action" : "organizations:*",
      "Resource" : "*"
    },
    {
      "Sid" : "AWSOrganizationsFullAccessAccount",
      "Effect" : "Allow",
      "Action" : [
        "account:PutAlternateContact",
        "account:DeleteAlternateContact",
        "account:GetAlternateContact",
        "account:GetContactInformation",
        "account:PutContactInformation",
        "account:ListRegions",
        "account:EnableRegion",
        "account:DisableRegion"
      ],
      "Resource" : "*"
    },
    {
      "Sid" : "AWSOrganizationsFullAccessCreateSLR",
      "Effect" : "Allow",
      "Action" : "iam:CreateServiceLinkedRole",
      "Resource" : "*",
      "Condition" : {
        "StringEquals" : {
          "iam:AWSServiceName" : "organizations.amazonaws.com"
        }
      }
    }
  ]
}`,
	},
	{
		name: "AWSOrganizationsReadOnlyAccess", path: "/", version: "v6",
		description: "Provides read-only access to AWS Organizations.",
		created:     "2018-11-06T20:32:38Z", updated: "2024-06-07T21:32:00Z",
		doc: `{
  "Version" : "2012-10-17",
  "Statement" : [
    {
      "Sid" : "AWSOrganizationsReadOnly",
      "Effect" : "Allow",
      "Action" : [
        "organizations:Describe*",
        "organizations:List*"
      ],
      "Resource" : "*"
    },
    {
      "Sid" : "AWSOrganizationsReadOnlyAccount",
      "Effect" : "Allow",
      "Action" : [
        "account:GetAlternateContact",
        "account:GetContactInformation",
        "account:ListRegions",
        "account:GetRegionOptStatus",
        "account:GetPrimaryEmail"
      ],
      "Resource" : "*"
    }
  ]
}`,
	},
	{
		name: "AWSAccountManagementReadOnlyAccess", path: "/", version: "v1",
		description: "Provides read-only access to AWS Account Management.",
		created:     "2021-09-30T00:00:00Z", updated: "2021-09-30T00:00:00Z",
		doc: `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "account:Get*",
        "account:List*"
      ],
      "Resource": "*"
    }
  ]
}`,
	},
	{
		name: "AWSAccountManagementFullAccess", path: "/", version: "v1",
		description: "Provides full access to AWS Account Management.",
		created:     "2021-09-30T00:00:00Z", updated: "2021-09-30T00:00:00Z",
		doc: `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "account:*",
      "Resource": "*"
    }
  ]
}`,
	},
	{
		name: "AWSOrganizationsServiceTrustPolicy", path: "/aws-service-role/", version: "v1",
		description: "Policy to enable AWS Organizations to share trust and enable organization management functions.",
		created:     "2017-10-10T23:04:07Z", updated: "2017-10-10T23:04:07Z",
		doc: `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AllowDeletionOfServiceLinkedRoleForOrganizations",
      "Effect": "Allow",
      "Action": [
        "iam:DeleteRole"
      ],
      "Resource": [
        "arn:aws:iam::*:role/aws-service-role/organizations.amazonaws.com/*"
      ]
    },
    {
      "Sid": "AllowCreationOfServiceLinkedRoles",
      "Effect": "Allow",
      "Action": [
        "iam:CreateServiceLinkedRole"
      ],
      "Resource": "*"
    }
  ]
}`,
	},
}

// taskCatalogue holds the task policies of STS AssumeRoot. Their documents
// are AWS's (version v1 of 2024-11-06, unchanged since: a public daily
// snapshot of AWS managed policies): Deny statements only, which carve the
// root user's implicit full access down to one privileged task. They
// grant nothing by themselves.
var taskCatalogue = []awsPolicy{
	{
		name: "IAMAuditRootUserCredentials", path: "/root-task/", version: "v1",
		description: "Task policy of a privileged root session: audit the member account's root user credentials.",
		created:     "2024-11-06T22:27:58Z", updated: "2024-11-06T22:27:58Z",
		doc: `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyAllOtherActionsOnAnyResource",
      "Effect": "Deny",
      "NotAction": [
        "iam:ListAccessKeys",
        "iam:ListSigningCertificates",
        "iam:GetLoginProfile",
        "iam:ListMFADevices",
        "iam:GetAccountSummary",
        "iam:GetUser",
        "iam:GetAccessKeyLastUsed"
      ],
      "Resource": "*"
    },
    {
      "Sid": "DenyAuditingCredentialsOnNonRootUserResource",
      "Effect": "Deny",
      "Action": [
        "iam:ListAccessKeys",
        "iam:ListSigningCertificates",
        "iam:GetLoginProfile",
        "iam:ListMFADevices",
        "iam:GetUser",
        "iam:GetAccessKeyLastUsed"
      ],
      "NotResource": "arn:aws:iam::*:root"
    }
  ]
}`,
	},
	{
		name: "IAMCreateRootUserPassword", path: "/root-task/", version: "v1",
		description: "Task policy of a privileged root session: allow the member account's root user to recover its password.",
		created:     "2024-11-06T22:32:59Z", updated: "2024-11-06T22:32:59Z",
		doc: `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyAllOtherActionsOnAnyResource",
      "Effect": "Deny",
      "NotAction": [
        "iam:CreateLoginProfile",
        "iam:GetLoginProfile"
      ],
      "Resource": "*"
    },
    {
      "Sid": "DenyCreatingPasswordOnNonRootUserResource",
      "Effect": "Deny",
      "Action": [
        "iam:CreateLoginProfile",
        "iam:GetLoginProfile"
      ],
      "NotResource": "arn:aws:iam::*:root"
    }
  ]
}`,
	},
	{
		name: "IAMDeleteRootUserCredentials", path: "/root-task/", version: "v1",
		description: "Task policy of a privileged root session: delete the member account's root user credentials.",
		created:     "2024-11-06T22:47:58Z", updated: "2024-11-06T22:47:58Z",
		doc: `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyAllOtherActionsOnAnyResource",
      "Effect": "Deny",
      "NotAction": [
        "iam:DeleteAccessKey",
        "iam:DeleteSigningCertificate",
        "iam:DeleteLoginProfile",
        "iam:DeactivateMFADevice",
        "iam:DeleteVirtualMFADevice",
        "iam:ListAccessKeys",
        "iam:ListSigningCertificates",
        "iam:GetLoginProfile",
        "iam:ListMFADevices",
        "iam:GetUser",
        "iam:GetAccessKeyLastUsed"
      ],
      "Resource": "*"
    },
    {
      "Sid": "DenyDeletingRootUserCredentialsOnNonRootUserResource",
      "Effect": "Deny",
      "Action": [
        "iam:DeleteAccessKey",
        "iam:DeleteSigningCertificate",
        "iam:DeleteLoginProfile",
        "iam:DeactivateMFADevice",
        "iam:DeleteVirtualMFADevice",
        "iam:ListAccessKeys",
        "iam:ListSigningCertificates",
        "iam:GetLoginProfile",
        "iam:ListMFADevices",
        "iam:GetUser",
        "iam:GetAccessKeyLastUsed"
      ],
      "NotResource": "arn:aws:iam::*:root"
    }
  ]
}`,
	},
	{
		name: "S3UnlockBucketPolicy", path: "/root-task/", version: "v1",
		description: "Task policy of a privileged root session: delete a misconfigured S3 bucket policy that denies every principal.",
		created:     "2024-11-06T21:55:56Z", updated: "2024-11-06T21:55:56Z",
		doc: `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyAllOtherActionsOnAnyResource",
      "Effect": "Deny",
      "NotAction": [
        "s3:DeleteBucketPolicy",
        "s3:PutBucketPolicy",
        "s3:GetBucketPolicy",
        "s3:ListAllMyBuckets"
      ],
      "Resource": "*"
    },
    {
      "Sid": "DenyManagingBucketPolicyForNonRootCallers",
      "Effect": "Deny",
      "Action": [
        "s3:DeleteBucketPolicy",
        "s3:PutBucketPolicy",
        "s3:GetBucketPolicy",
        "s3:ListAllMyBuckets"
      ],
      "Resource": "*",
      "Condition": {
        "StringNotLike": {
          "aws:PrincipalArn": "arn:aws:iam::*:root"
        }
      }
    }
  ]
}`,
	},
	{
		name: "SQSUnlockQueuePolicy", path: "/root-task/", version: "v1",
		description: "Task policy of a privileged root session: delete a misconfigured SQS queue policy that denies every principal.",
		created:     "2024-11-06T21:51:02Z", updated: "2024-11-06T21:51:02Z",
		doc: `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyAllOtherActionsOnAnyResource",
      "Effect": "Deny",
      "NotAction": [
        "sqs:SetQueueAttributes",
        "sqs:GetQueueAttributes",
        "sqs:ListQueues",
        "sqs:GetQueueUrl"
      ],
      "Resource": "*"
    },
    {
      "Sid": "DenyGettingQueueAttributesOnNonOwnQueue",
      "Effect": "Deny",
      "Action": [
        "sqs:GetQueueAttributes"
      ],
      "Resource": "arn:aws:sqs:*:*:*",
      "Condition": {
        "StringNotEqualsIfExists": {
          "aws:ResourceAccount": [
            "${aws:PrincipalAccount}"
          ]
        }
      }
    },
    {
      "Sid": "DenyActionsForNonRootUser",
      "Effect": "Deny",
      "Action": [
        "sqs:SetQueueAttributes",
        "sqs:GetQueueAttributes",
        "sqs:ListQueues",
        "sqs:GetQueueUrl"
      ],
      "Resource": "*",
      "Condition": {
        "StringNotLike": {
          "aws:PrincipalArn": "arn:aws:iam::*:root"
        }
      }
    }
  ]
}`,
	},
}

// awsPolicies maps ARN to policy, built once from awsCatalogue. Every
// document parses (checked by the tests).
var awsPolicies = func() map[string]*ManagedPolicy {
	m := make(map[string]*ManagedPolicy, len(awsCatalogue)+len(taskCatalogue))
	for _, c := range append(append([]awsPolicy(nil), awsCatalogue...), taskCatalogue...) {
		created, _ := time.Parse(time.RFC3339, c.created)
		updated, _ := time.Parse(time.RFC3339, c.updated)
		id := c.id
		if id == "" {
			id = derivedID("ANPA", c.name)
		}
		arn := AWSPolicyARNPrefix + strings.TrimPrefix(c.path, "/") + c.name
		m[arn] = &ManagedPolicy{
			Name: c.name, Path: c.path, ID: id, ARN: arn, Description: c.description,
			DefaultVersion: c.version, CreatedAt: created, UpdatedAt: updated,
			Versions: []PolicyVersion{{ID: c.version, Document: c.doc, CreatedAt: updated}},
		}
	}
	return m
}()

// derivedID returns a stable id: prefix and 17 upper-case alphanumerics
// from a hash of name.
func derivedID(prefix, name string) string {
	sum := sha256.Sum256([]byte(name))
	b := make([]byte, 0, idLen)
	b = append(b, prefix...)
	for i := 0; len(b) < idLen; i++ {
		b = append(b, upperAlnum[int(sum[i])%len(upperAlnum)])
	}
	return string(b)
}

// AWSManagedPolicy returns a copy of the AWS managed policy arn, or false.
func AWSManagedPolicy(arn string) (*ManagedPolicy, bool) {
	p, ok := awsPolicies[arn]
	if !ok {
		return nil, false
	}
	c := *p
	c.Versions = append([]PolicyVersion(nil), p.Versions...)
	return &c, true
}

// AWSManagedPolicies returns copies of every AWS managed policy, sorted by
// name.
func AWSManagedPolicies() []ManagedPolicy {
	out := make([]ManagedPolicy, 0, len(awsPolicies))
	for arn := range awsPolicies {
		p, _ := AWSManagedPolicy(arn)
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// IsAWSManaged reports whether arn names an AWS managed policy (shipped or
// not).
func IsAWSManaged(arn string) bool { return strings.HasPrefix(arn, AWSPolicyARNPrefix) }

// defaultDocument returns the document of p's default version.
func (p *ManagedPolicy) defaultDocument() string {
	for _, v := range p.Versions {
		if v.ID == p.DefaultVersion {
			return v.Document
		}
	}
	return ""
}
