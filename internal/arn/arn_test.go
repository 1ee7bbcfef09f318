package arn_test

import (
	"testing"

	"github.com/accountplane/accountplane/internal/arn"
)

func TestBuilders(t *testing.T) {
	for got, want := range map[string]string{
		arn.IAM("111122223333", "user", "", "alice"):                            "arn:aws:iam::111122223333:user/alice",
		arn.IAM("111122223333", "role", "/eng/", "ops"):                         "arn:aws:iam::111122223333:role/eng/ops",
		arn.Root("111122223333"):                                                "arn:aws:iam::111122223333:root",
		arn.AWSPolicy("ReadOnlyAccess"):                                         "arn:aws:iam::aws:policy/ReadOnlyAccess",
		arn.AssumedRole("111122223333", "r", "s"):                               "arn:aws:sts::111122223333:assumed-role/r/s",
		arn.Account("111122223333"):                                             "arn:aws:account::111122223333:account",
		arn.MemberAccount("111122223333", "o-abc", "444455556666"):              "arn:aws:account::111122223333:account/o-abc/444455556666",
		arn.Organizations("111122223333", "ou/o-abc/ou-1"):                      "arn:aws:organizations::111122223333:ou/o-abc/ou-1",
		arn.AWSOrganizationsPolicy("service_control_policy", "p-FullAWSAccess"): "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
	} {
		if got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	}
}

func TestParse(t *testing.T) {
	a, err := arn.Parse("arn:aws:iam::111122223333:role/a:b")
	if err != nil || a.Service != "iam" || a.Account != "111122223333" || a.Resource != "role/a:b" || a.String() != "arn:aws:iam::111122223333:role/a:b" {
		t.Errorf("Parse = %+v, %v", a, err)
	}
	for _, bad := range []string{"", "arn", "arn:aws", "nope:aws:iam::1:x", "arn::iam::1:x", "arn:aws:iam::1"} {
		if _, err := arn.Parse(bad); err == nil {
			t.Errorf("Parse(%q) succeeded", bad)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("arn:aws:iam::111122223333:user/x")
	f.Fuzz(func(t *testing.T, s string) {
		a, err := arn.Parse(s)
		if err == nil && a.String() != s {
			t.Errorf("Parse(%q).String() = %q", s, a.String())
		}
	})
}
