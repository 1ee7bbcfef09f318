package iamapi

import (
	"sort"
	"strconv"
	"time"

	"github.com/accountplane/accountplane/internal/arn"

	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/identity"
)

// members is a query-protocol list: <Name><member>…</member></Name>,
// written (empty) even when it has no element.
type members[T any] struct {
	Member []T `xml:"member"`
}

func list[T any](xs []T) members[T] { return members[T]{Member: xs} }

// ts formats a time as IAM does: ISO 8601 in UTC, whole seconds.
func ts(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// encodeDocument percent-encodes a policy document as IAM returns it
// (RFC 3986: every byte but the unreserved characters).
func encodeDocument(doc string) string {
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(doc)*2)
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hex[c>>4], hex[c&15])
	}
	return string(b)
}

type wTag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

func tagList(tags []iam.Tag) *members[wTag] {
	if len(tags) == 0 {
		return nil
	}
	out := make([]wTag, len(tags))
	for i, t := range tags {
		out[i] = wTag{Key: t.Key, Value: t.Value}
	}
	l := list(out)
	return &l
}

type wBoundary struct {
	PermissionsBoundaryType string `xml:"PermissionsBoundaryType"`
	PermissionsBoundaryArn  string `xml:"PermissionsBoundaryArn"`
}

func boundary(arn string) *wBoundary {
	if arn == "" {
		return nil
	}
	return &wBoundary{PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: arn}
}

type wUser struct {
	Path                string         `xml:"Path,omitempty"`
	UserName            string         `xml:"UserName,omitempty"`
	UserID              string         `xml:"UserId"`
	Arn                 string         `xml:"Arn"`
	CreateDate          string         `xml:"CreateDate"`
	PermissionsBoundary *wBoundary     `xml:"PermissionsBoundary,omitempty"`
	Tags                *members[wTag] `xml:"Tags,omitempty"`
}

// user converts u; full adds the members only Get/Create return
// (boundary, tags).
func user(u *iam.User, full bool) wUser {
	w := wUser{Path: u.Path, UserName: u.Name, UserID: u.ID, Arn: u.ARN(), CreateDate: ts(u.CreatedAt)}
	if full {
		w.PermissionsBoundary = boundary(u.Boundary)
		w.Tags = tagList(u.Tags)
	}
	return w
}

func rootUser(u *iam.User) wUser {
	return wUser{UserID: u.ID, Arn: arn.Root(string(u.Account)), CreateDate: ts(u.CreatedAt)}
}

type wGroup struct {
	Path       string `xml:"Path"`
	GroupName  string `xml:"GroupName"`
	GroupID    string `xml:"GroupId"`
	Arn        string `xml:"Arn"`
	CreateDate string `xml:"CreateDate"`
}

func group(g *iam.Group) wGroup {
	return wGroup{Path: g.Path, GroupName: g.Name, GroupID: g.ID, Arn: g.ARN(), CreateDate: ts(g.CreatedAt)}
}

type wRoleLastUsed struct{}

type wRole struct {
	Path                     string         `xml:"Path"`
	RoleName                 string         `xml:"RoleName"`
	RoleID                   string         `xml:"RoleId"`
	Arn                      string         `xml:"Arn"`
	CreateDate               string         `xml:"CreateDate"`
	AssumeRolePolicyDocument string         `xml:"AssumeRolePolicyDocument,omitempty"`
	Description              string         `xml:"Description,omitempty"`
	MaxSessionDuration       int            `xml:"MaxSessionDuration,omitempty"`
	PermissionsBoundary      *wBoundary     `xml:"PermissionsBoundary,omitempty"`
	Tags                     *members[wTag] `xml:"Tags,omitempty"`
	RoleLastUsed             *wRoleLastUsed `xml:"RoleLastUsed,omitempty"`
}

// role converts r; full adds what only GetRole/CreateRole return.
func role(r *iam.Role, full bool) wRole {
	w := wRole{
		Path: r.Path, RoleName: r.Name, RoleID: r.ID, Arn: r.ARN(), CreateDate: ts(r.CreatedAt),
		AssumeRolePolicyDocument: encodeDocument(r.TrustPolicy), Description: r.Description,
		MaxSessionDuration: int(r.MaxSessionDuration / time.Second),
	}
	if full {
		w.PermissionsBoundary = boundary(r.Boundary)
		w.Tags = tagList(r.Tags)
		w.RoleLastUsed = &wRoleLastUsed{}
	}
	return w
}

type wPolicy struct {
	PolicyName                    string         `xml:"PolicyName"`
	PolicyID                      string         `xml:"PolicyId"`
	Arn                           string         `xml:"Arn"`
	Path                          string         `xml:"Path"`
	DefaultVersionID              string         `xml:"DefaultVersionId"`
	AttachmentCount               int            `xml:"AttachmentCount"`
	PermissionsBoundaryUsageCount int            `xml:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool           `xml:"IsAttachable"`
	Description                   string         `xml:"Description,omitempty"`
	CreateDate                    string         `xml:"CreateDate"`
	UpdateDate                    string         `xml:"UpdateDate"`
	Tags                          *members[wTag] `xml:"Tags,omitempty"`
}

// managedPolicy converts p; full adds the description and tags (GetPolicy,
// CreatePolicy).
func managedPolicy(p *iam.PolicyInfo, full bool) wPolicy {
	w := wPolicy{
		PolicyName: p.Name, PolicyID: p.ID, Arn: p.ARN, Path: p.Path, DefaultVersionID: p.DefaultVersion,
		AttachmentCount: p.AttachmentCount, PermissionsBoundaryUsageCount: p.BoundaryUsageCount, IsAttachable: true,
		CreateDate: ts(p.CreatedAt), UpdateDate: ts(p.UpdatedAt),
	}
	if full {
		w.Description = p.Description
		w.Tags = tagList(p.Tags)
	}
	return w
}

type wPolicyVersion struct {
	Document         string `xml:"Document,omitempty"`
	VersionID        string `xml:"VersionId"`
	IsDefaultVersion bool   `xml:"IsDefaultVersion"`
	CreateDate       string `xml:"CreateDate"`
}

type wAttachedPolicy struct {
	PolicyName string `xml:"PolicyName"`
	PolicyArn  string `xml:"PolicyArn"`
}

type wAccessKey struct {
	UserName        string `xml:"UserName,omitempty"`
	AccessKeyID     string `xml:"AccessKeyId"`
	Status          string `xml:"Status"`
	SecretAccessKey string `xml:"SecretAccessKey,omitempty"`
	CreateDate      string `xml:"CreateDate,omitempty"`
}

func accessKey(k *identity.AccessKey, secret bool) wAccessKey {
	w := wAccessKey{UserName: k.User, AccessKeyID: k.ID, Status: "Inactive", CreateDate: ts(k.CreatedAt)}
	if k.Active {
		w.Status = "Active"
	}
	if secret {
		w.SecretAccessKey = k.Secret
	}
	return w
}

type wEntry struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

type wSummaryMap struct {
	Entry []wEntry `xml:"entry"`
}

func summaryMap(m map[string]int) wSummaryMap {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := wSummaryMap{Entry: make([]wEntry, len(keys))}
	for i, k := range keys {
		out.Entry[i] = wEntry{Key: k, Value: strconv.Itoa(m[k])}
	}
	return out
}
