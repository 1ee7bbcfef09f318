package quota_test

import (
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/accountplane/accountplane/internal/quota"
)

// TestAWS pins the Account Management rows of spec quotas.md §1 and the
// newer operations from AWS's quotas page.
func TestAWS(t *testing.T) {
	t.Parallel()
	want := quota.Table{
		// quotas.md §1
		"account:DeleteAlternateContact": {Rate: 1, Burst: 6},
		"account:DisableRegion":          {Rate: 1, Burst: 1},
		"account:EnableRegion":           {Rate: 1, Burst: 1},
		"account:GetAlternateContact":    {Rate: 10, Burst: 15},
		"account:GetContactInformation":  {Rate: 10, Burst: 15},
		"account:GetRegionOptStatus":     {Rate: 5, Burst: 5},
		"account:ListRegions":            {Rate: 5, Burst: 5},
		"account:PutAlternateContact":    {Rate: 5, Burst: 8},
		"account:PutContactInformation":  {Rate: 5, Burst: 8},
		// docs.aws.amazon.com/accounts/latest/reference/quotas.html
		"account:AcceptPrimaryEmailUpdate": {Rate: 1, Burst: 1},
		"account:GetAccountInformation":    {Rate: 3, Burst: 3},
		"account:GetPrimaryEmail":          {Rate: 3, Burst: 3},
		"account:PutAccountName":           {Rate: 1, Burst: 1},
		"account:StartPrimaryEmailUpdate":  {Rate: 1, Burst: 1},
	}
	got := quota.AWS()
	if !maps.Equal(got, want) {
		t.Errorf("AWS() = %v, want %v", got, want)
	}
	for k, l := range got {
		if err := l.Validate(); err != nil {
			t.Errorf("%s: %v", k, err)
		}
	}
	got["account:EnableRegion"] = quota.Limit{Rate: 99, Burst: 99}
	if quota.AWS()["account:EnableRegion"] != want["account:EnableRegion"] {
		t.Error("AWS() shares its map between calls")
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"", "aws"} {
		got, err := quota.Parse(mode)
		if err != nil || !maps.Equal(got, quota.AWS()) {
			t.Errorf("Parse(%q) = %v, %v; want AWS(), nil", mode, got, err)
		}
	}
	got, err := quota.Parse("off")
	if err != nil || got != nil {
		t.Errorf(`Parse("off") = %v, %v; want nil, nil`, got, err)
	}
	path := writeFile(t, "q.yaml", "account:EnableRegion: {rate: 2, burst: 4}\n")
	got, err = quota.Parse(path)
	if err != nil {
		t.Fatal(err)
	}
	if l := got["account:EnableRegion"]; l != (quota.Limit{Rate: 2, Burst: 4}) {
		t.Errorf("Parse(file): EnableRegion = %v, want {2 4}", l)
	}
	if _, err := quota.Parse("AWS"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf(`Parse("AWS") = %v, want a missing-file error (modes are case-sensitive)`, err)
	}
}

func TestLoadMerge(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, file, body string
		want             map[string]*quota.Limit // nil value: absent
	}{
		{
			name: "yaml",
			file: "quotas.yaml",
			body: `
account:EnableRegion: {rate: 2, burst: 4}
account:ListRegions:
  burst: 50
account:GetRegionOptStatus: {rate: 0.5}
account:PutAlternateContact: null
organizations:ListAccounts: {rate: 20, burst: 40}
`,
			want: map[string]*quota.Limit{
				"account:EnableRegion":        {Rate: 2, Burst: 4},
				"account:ListRegions":         {Rate: 5, Burst: 50},
				"account:GetRegionOptStatus":  {Rate: 0.5, Burst: 5},
				"account:PutAlternateContact": nil,
				"organizations:ListAccounts":  {Rate: 20, Burst: 40},
				"account:DisableRegion":       {Rate: 1, Burst: 1}, // untouched
			},
		},
		{
			name: "json",
			file: "quotas.json",
			body: "{\n\t\"account:EnableRegion\": {\"rate\": 2, \"burst\": 4},\n\t\"account:DisableRegion\": null\n}\n",
			want: map[string]*quota.Limit{
				"account:EnableRegion":  {Rate: 2, Burst: 4},
				"account:DisableRegion": nil,
				"account:ListRegions":   {Rate: 5, Burst: 5},
			},
		},
		{
			name: "json in a yaml file",
			file: "quotas.yml",
			body: `{"account:EnableRegion": {"rate": 3, "burst": 3}}`,
			want: map[string]*quota.Limit{"account:EnableRegion": {Rate: 3, Burst: 3}},
		},
		{
			name: "empty file",
			file: "empty.yaml",
			want: map[string]*quota.Limit{"account:EnableRegion": {Rate: 1, Burst: 1}},
		},
		{
			name: "empty json file",
			file: "empty.json",
			want: map[string]*quota.Limit{"account:EnableRegion": {Rate: 1, Burst: 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := quota.Load(writeFile(t, tt.file, tt.body))
			if err != nil {
				t.Fatal(err)
			}
			for k, want := range tt.want {
				l, ok := got[k]
				switch {
				case want == nil && ok:
					t.Errorf("%s = %v, want absent", k, l)
				case want != nil && l != *want:
					t.Errorf("%s = %v, want %v", k, l, *want)
				}
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, file, body, wantErr string
	}{
		{"yaml syntax", "q.yaml", "account:EnableRegion: {rate: 2", "parse"},
		{"json syntax", "q.json", `{"account:EnableRegion": {"rate": 2}`, "parse"},
		{"json trailing", "q.json", `{} {}`, "trailing"},
		{"not a map", "q.yaml", "- 1\n- 2\n", "parse"},
		{"unknown field yaml", "q.yaml", "account:EnableRegion: {rate: 2, brust: 4}\n", "brust"},
		{"unknown field json", "q.json", `{"account:EnableRegion": {"rate": 2, "brust": 4}}`, "brust"},
		{"string rate", "q.yaml", "account:EnableRegion: {rate: fast}\n", "parse"},
		{"key without colon", "q.yaml", "EnableRegion: {rate: 2, burst: 4}\n", "service:Operation"},
		{"key without service", "q.yaml", "':EnableRegion': {rate: 2, burst: 4}\n", "service:Operation"},
		{"key with two colons", "q.yaml", "'account:Enable:Region': {rate: 2, burst: 4}\n", "service:Operation"},
		{"zero rate", "q.yaml", "account:EnableRegion: {rate: 0}\n", "rate"},
		{"negative rate", "q.json", `{"account:EnableRegion": {"rate": -1, "burst": 1}}`, "rate"},
		{"zero burst", "q.yaml", "account:EnableRegion: {burst: 0}\n", "burst"},
		{"fractional burst yaml", "q.yaml", "account:EnableRegion: {burst: 1.5}\n", "whole number"},
		{"fractional burst json", "q.json", `{"account:EnableRegion": {"burst": 2.5}}`, "whole number"},
		{"huge burst", "q.json", `{"account:EnableRegion": {"burst": 1e300}}`, "whole number"},
		{"new entry without burst", "q.yaml", "organizations:ListAccounts: {rate: 20}\n", "both rate and burst"},
		{"new entry without rate", "q.json", `{"organizations:ListAccounts": {"burst": 20}}`, "both rate and burst"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := writeFile(t, tt.file, tt.body)
			got, err := quota.Load(path)
			if err == nil {
				t.Fatalf("Load = %v, nil; want an error containing %q", got, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), path) {
				t.Errorf("Load error = %q, want it to name %s and contain %q", err, path, tt.wantErr)
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		t.Parallel()
		_, err := quota.Load(filepath.Join(t.TempDir(), "nope.yaml"))
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Load(missing) = %v, want fs.ErrNotExist", err)
		}
	})
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
