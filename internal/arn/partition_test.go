package arn_test

import (
	"testing"

	"github.com/accountplane/accountplane/internal/arn"
)

func TestPartitionOf(t *testing.T) {
	tests := []struct{ region, want string }{
		{"us-east-1", "aws"},
		{"", "aws"},
		{"local", "aws"},
		{"us-gov-west-1", "aws-us-gov"},
		{"us-gov-east-1", "aws-us-gov"},
		{"cn-north-1", "aws-cn"},
		{"cn-northwest-1", "aws-cn"},
		{"us-iso-east-1", "aws-iso"},
		{"us-isob-east-1", "aws-iso-b"},
		{"us-isof-south-1", "aws-iso-f"},
		{"eu-isoe-west-1", "aws-iso-e"},
		{"us-govcloud", "aws"},
	}
	for _, tt := range tests {
		if got := arn.PartitionOf(tt.region); got != tt.want {
			t.Errorf("PartitionOf(%q) = %q, want %q", tt.region, got, tt.want)
		}
	}
}

func TestIsPartition(t *testing.T) {
	for _, p := range []string{"aws", "aws-us-gov", "aws-cn", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f"} {
		if !arn.IsPartition(p) {
			t.Errorf("IsPartition(%q) = false", p)
		}
	}
	for _, p := range []string{"", "aws-gov", "AWS"} {
		if arn.IsPartition(p) {
			t.Errorf("IsPartition(%q) = true", p)
		}
	}
}

func TestInPartition(t *testing.T) {
	tests := []struct{ in, p, want string }{
		{"arn:aws:iam::111122223333:root", "aws-us-gov", "arn:aws-us-gov:iam::111122223333:root"},
		{"arn:aws-us-gov:iam::111122223333:root", "", "arn:aws:iam::111122223333:root"},
		{"arn:aws:iam::111122223333:role/a:b", "aws-cn", "arn:aws-cn:iam::111122223333:role/a:b"},
		{"*", "aws-us-gov", "*"},
		{"not an arn", "aws-us-gov", "not an arn"},
	}
	for _, tt := range tests {
		if got := arn.InPartition(tt.in, tt.p); got != tt.want {
			t.Errorf("InPartition(%q, %q) = %q, want %q", tt.in, tt.p, got, tt.want)
		}
	}
}

// The builders of the commercial partition are the package-level ones.
func TestBuilderIn(t *testing.T) {
	gov, aws := arn.In(arn.GovCloud), arn.In("")
	for got, want := range map[string]string{
		gov.Root("111122223333"):                                            "arn:aws-us-gov:iam::111122223333:root",
		gov.IAM("111122223333", "user", "", "alice"):                        "arn:aws-us-gov:iam::111122223333:user/alice",
		gov.AssumedRole("111122223333", "r", "s"):                           "arn:aws-us-gov:sts::111122223333:assumed-role/r/s",
		gov.Account("111122223333"):                                         "arn:aws-us-gov:account::111122223333:account",
		gov.MemberAccount("111122223333", "o-abc", "444455556666"):          "arn:aws-us-gov:account::111122223333:account/o-abc/444455556666",
		gov.Organizations("111122223333", "ou/o-abc/ou-1"):                  "arn:aws-us-gov:organizations::111122223333:ou/o-abc/ou-1",
		aws.Transfer("111122223333", "o-abc", "BILLING", "inbound", "rt-1"): "arn:aws:organizations::111122223333:transfer/o-abc/billing/inbound/rt-1",
		aws.Root("111122223333"):                                            arn.Root("111122223333"),
		aws.IAM("111122223333", "role", "/eng/", "ops"):                     arn.IAM("111122223333", "role", "/eng/", "ops"),
		aws.AssumedRole("111122223333", "r", "s"):                           arn.AssumedRole("111122223333", "r", "s"),
		aws.Account("111122223333"):                                         arn.Account("111122223333"),
		aws.MemberAccount("1", "o", "2"):                                    arn.MemberAccount("1", "o", "2"),
		aws.Organizations("1", "root/o/r"):                                  arn.Organizations("1", "root/o/r"),
	} {
		if got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	}
	if p := arn.In("").Partition(); p != "aws" {
		t.Errorf("In(\"\").Partition() = %q", p)
	}
}
