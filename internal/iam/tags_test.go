package iam_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/identity"
)

// PrincipalPolicies carries the principal's tags: a user's, or a role
// session's (the role's overridden by the session tags, keys compared
// case-insensitively); root users have none.
func TestPrincipalTags(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	_, err := s.CreateUser(ctx, acct, iam.CreateUserInput{Name: "alice", Tags: []iam.Tag{{Key: "team", Value: "blue"}, {Key: "cost", Value: "42"}}})
	must(t, err)
	_, err = s.CreateUser(ctx, acct, iam.CreateUserInput{Name: "plain"})
	must(t, err)
	_, err = s.CreateRole(ctx, acct, iam.CreateRoleInput{Name: "ops", TrustPolicy: trustAccount(acct), Tags: []iam.Tag{{Key: "Team", Value: "red"}, {Key: "env", Value: "prod"}}})
	must(t, err)
	alice := identity.AccessKey{Account: acct, User: "alice", ID: "AKIAALICE"}.UserPrincipal("AIDAALICE", "/")
	plain := identity.AccessKey{Account: acct, User: "plain", ID: "AKIAPLAIN"}.UserPrincipal("AIDAPLAIN", "/")

	tagsOf := func(p identity.Principal) map[string]string {
		t.Helper()
		pols, err := s.PrincipalPolicies(ctx, p)
		must(t, err)
		return pols.Tags
	}
	if got, want := tagsOf(alice), map[string]string{"team": "blue", "cost": "42"}; !reflect.DeepEqual(got, want) {
		t.Errorf("alice's tags = %v, want %v", got, want)
	}
	if got := tagsOf(plain); got != nil {
		t.Errorf("untagged user's tags = %v", got)
	}
	if got := tagsOf(identity.RootPrincipal(acct, "AKIAROOT")); got != nil {
		t.Errorf("root's tags = %v", got)
	}

	roleARN := "arn:aws:iam::111111111111:role/ops"
	bare, err := s.AssumeRole(ctx, alice, iam.AssumeRoleInput{RoleARN: roleARN, SessionName: "bare"})
	must(t, err)
	if got, want := tagsOf(bare.Session.Principal()), map[string]string{"Team": "red", "env": "prod"}; !reflect.DeepEqual(got, want) {
		t.Errorf("session without tags: %v, want the role's %v", got, want)
	}
	tagged, err := s.AssumeRole(ctx, alice, iam.AssumeRoleInput{RoleARN: roleARN, SessionName: "tagged", Tags: []iam.Tag{{Key: "team", Value: "blue"}, {Key: "project", Value: "x"}}})
	must(t, err)
	if got, want := tagsOf(tagged.Session.Principal()), map[string]string{"team": "blue", "env": "prod", "project": "x"}; !reflect.DeepEqual(got, want) {
		t.Errorf("session with tags: %v, want %v", got, want)
	}
}

func TestResourceTags(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	_, err := s.CreateUser(ctx, acct, iam.CreateUserInput{Name: "bob", Path: "/eng/", Tags: []iam.Tag{{Key: "team", Value: "blue"}}})
	must(t, err)
	_, err = s.CreateRole(ctx, other, iam.CreateRoleInput{Name: "deploy", TrustPolicy: trustAccount(acct), Tags: []iam.Tag{{Key: "env", Value: "prod"}}})
	must(t, err)
	_, err = s.CreateGroup(ctx, acct, "g", "")
	must(t, err)
	for arn, want := range map[string][]iam.Tag{
		"arn:aws:iam::111111111111:user/eng/bob":   {{Key: "team", Value: "blue"}},
		"arn:aws:iam::111111111111:user/BOB":       {{Key: "team", Value: "blue"}}, // names are case-insensitive
		"arn:aws:iam::222222222222:role/deploy":    {{Key: "env", Value: "prod"}},
		"arn:aws:iam::111111111111:user/nobody":    nil,
		"arn:aws:iam::111111111111:role/deploy":    nil, // another account's
		"arn:aws:iam::111111111111:group/g":        nil,
		"arn:aws:iam::111111111111:root":           nil,
		"arn:aws:account::111111111111:account":    nil,
		"arn:aws:iam::aws:policy/ReadOnlyAccess":   nil,
		"*":                                        nil,
		"arn:aws:sts::111111111111:assumed-role/x": nil,
	} {
		got, err := s.ResourceTags(ctx, arn)
		must(t, err)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ResourceTags(%s) = %v, want %v", arn, got, want)
		}
	}
}

func TestRequestTagContext(t *testing.T) {
	if c := iam.RequestTagContext(nil); c != nil {
		t.Errorf("no tags: %v", c)
	}
	got := iam.RequestTagContext([]iam.Tag{{Key: "env", Value: "prod"}, {Key: "team", Value: ""}})
	want := map[string][]string{
		"aws:RequestTag/env":  {"prod"},
		"aws:RequestTag/team": {""},
		"aws:TagKeys":         {"env", "team"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("RequestTagContext = %v, want %v", got, want)
	}
}
