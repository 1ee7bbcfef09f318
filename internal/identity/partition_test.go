package identity_test

import (
	"testing"

	"github.com/accountplane/accountplane/internal/identity"
)

func TestPrincipalPartition(t *testing.T) {
	root := identity.RootPrincipal("111122223333", "AKIA")
	if got := root.Partition(); got != "aws" {
		t.Errorf("commercial root: partition %q", got)
	}
	gov := root.InPartition("aws-us-gov")
	if gov.ARN != "arn:aws-us-gov:iam::111122223333:root" || gov.Partition() != "aws-us-gov" {
		t.Errorf("InPartition: %+v (partition %q)", gov, gov.Partition())
	}
	if root.ARN != "arn:aws:iam::111122223333:root" {
		t.Errorf("InPartition changed its receiver: %s", root.ARN)
	}
	if back := gov.InPartition(""); back.ARN != root.ARN {
		t.Errorf("back to commercial: %s", back.ARN)
	}
	var anon identity.Principal
	if anon.InPartition("aws-cn").ARN != "" || anon.Partition() != "aws" {
		t.Errorf("anonymous principal: %+v", anon.InPartition("aws-cn"))
	}
}
