package app_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestLayout enforces the dependency arrows of STYLE.md: the domain at the
// centre imports no edge, and the leaf packages stay leaves.
func TestLayout(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps=false", "-f", "{{.ImportPath}}:{{join .Imports \" \"}}", "github.com/accountplane/accountplane/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const mod = "github.com/accountplane/accountplane/"
	// allowed lists, per package, the project packages it may import.
	allowed := map[string][]string{
		"internal/apierr":            {},
		"internal/arn":               {},
		"internal/identity":          {"internal/arn"},
		"internal/sigv4":             {},
		"internal/kernel":            {"internal/identity"},
		"internal/account":           {"internal/apierr", "internal/generation", "internal/identity", "internal/kernel"},
		"internal/protocol/jsonbody": {"internal/apierr"},
		"internal/protocol/wire":     {},
		"internal/protocol/restjson": {"internal/apierr", "internal/protocol/jsonbody", "internal/protocol/wire"},
		"internal/protocol/awsjson":  {"internal/apierr", "internal/protocol/jsonbody", "internal/protocol/wire"},
		"internal/protocol/query":    {"internal/apierr", "internal/protocol/wire"},
		"internal/protocol/restxml":  {"internal/apierr", "internal/protocol/wire"},
		"internal/s3api":             {"internal/apierr", "internal/identity", "internal/operation"},
		"internal/console":           {"internal/apierr", "internal/identity", "internal/operation", "internal/server", "internal/uuid"},
		"internal/pagetoken":         {},
		"internal/clock":             {},
		"internal/generation":        {},
		"internal/uuid":              {},
		"internal/jsonstr":           {},
		"internal/quota":             {},
		"internal/accountapi":        {"internal/account", "internal/apierr", "internal/arn", "internal/identity", "internal/operation", "internal/pagetoken", "internal/protocol/restjson"},
		"internal/operation":         {"internal/apierr", "internal/identity"},
		"internal/organizations":     {"internal/apierr", "internal/arn", "internal/generation", "internal/identity", "internal/kernel", "internal/policy"},
		"internal/orgsapi":           {"internal/apierr", "internal/arn", "internal/identity", "internal/jsonstr", "internal/operation", "internal/organizations", "internal/pagetoken", "internal/protocol/jsonbody"},
		"internal/stsapi":            {"internal/apierr", "internal/iam", "internal/identity", "internal/operation", "internal/protocol/query"},
		"internal/iamapi":            {"internal/apierr", "internal/arn", "internal/iam", "internal/identity", "internal/operation", "internal/pagetoken", "internal/protocol/query"},
		"internal/sqlite":            {"internal/account", "internal/generation", "internal/iam", "internal/identity", "internal/kernel", "internal/organizations", "internal/uuid"},
		"internal/trail":             {"internal/arn", "internal/identity", "internal/jsonstr", "internal/kernel", "internal/uuid"},
		"internal/cloudtrailapi":     {"internal/apierr", "internal/identity", "internal/operation", "internal/pagetoken", "internal/protocol/jsonbody", "internal/trail"},
		"internal/iam":               {"internal/apierr", "internal/arn", "internal/generation", "internal/identity", "internal/kernel", "internal/policy"},
		"internal/policy":            {},
		"internal/events":            {"internal/account", "internal/arn", "internal/kernel", "internal/uuid"},
		"internal/authz":             {"internal/apierr", "internal/arn", "internal/identity", "internal/policy"},
	}
	forbiddenStd := map[string][]string{
		"internal/account": {"net/http", "database/sql", "encoding/json"},
		"internal/sigv4":   {"database/sql"},
	}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, ":")
		rel := strings.TrimPrefix(pkg, mod)
		ok, checked := allowed[rel]
		if !checked {
			continue
		}
		seen++
		for _, imp := range strings.Fields(imports) {
			for _, bad := range forbiddenStd[rel] {
				if imp == bad {
					t.Errorf("%s imports %s, which the layout forbids", rel, imp)
				}
			}
			if !strings.HasPrefix(imp, mod) {
				continue
			}
			irel := strings.TrimPrefix(imp, mod)
			if !contains(ok, irel) {
				t.Errorf("%s imports %s; allowed project imports: %v", rel, irel, ok)
			}
		}
	}
	if seen != len(allowed) {
		t.Errorf("checked %d packages, want %d: a package moved or was renamed", seen, len(allowed))
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestReadmeStandsAlone: the README is read in a clone of this repository
// alone, so it must not send readers to files outside it.
func TestReadmeStandsAlone(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, outside := range []string{"../shared", "shared/STYLE.md", "/work/"} {
		if strings.Contains(string(b), outside) {
			t.Errorf("README.md refers to %q, outside the repository", outside)
		}
	}
}
