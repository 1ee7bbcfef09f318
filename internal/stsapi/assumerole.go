package stsapi

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/identity"
)

type credentials struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

type assumedRoleUser struct {
	AssumedRoleID string `xml:"AssumedRoleId"`
	Arn           string `xml:"Arn"`
}

type assumeRoleResult struct {
	Credentials      credentials     `xml:"Credentials"`
	AssumedRoleUser  assumedRoleUser `xml:"AssumedRoleUser"`
	PackedPolicySize *int            `xml:"PackedPolicySize,omitempty"`
	SourceIdentity   string          `xml:"SourceIdentity,omitempty"`
}

// field is a string member's constraints in the STS model.
type field struct {
	min, max int
	re       *regexp.Regexp
	pattern  string
}

func mk(min, max int, pattern string) field {
	f := field{min: min, max: max, pattern: pattern}
	if pattern != "" {
		f.re = regexp.MustCompile(`^(?:` + pattern + `)$`)
	}
	return f
}

var (
	fRoleARN     = mk(20, 2048, ``)
	fSessionName = mk(2, 64, `[\w+=,.@-]*`)
	// The session policy's plain text is limited to 2048 characters
	// (older models carry the max; AWS enforces it).
	fPolicy      = mk(1, 2048, `[\t\n\r\x{20}-\x{FF}]+`)
	fPolicyARN   = mk(20, 2048, ``)
	fTagKey      = mk(1, 128, `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`)
	fTagValue    = mk(0, 256, `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`)
	fExternalID  = mk(2, 1224, `[\w+=,.@:\/-]*`)
	fSerial      = mk(9, 256, `[\w+=/:,.@-]*`)
	fTokenCode   = mk(6, 6, `[\d]*`)
	fSourceIdent = mk(2, 64, `[\w+=,.@-]*`)
)

// modelPattern maps the Go patterns above back to the model's text for
// messages.
var modelPattern = map[string]string{
	`[\t\n\r\x{20}-\x{FF}]+`: `[\u0009\u000A\u000D\u0020-\u00FF]+`,
}

// params reads and validates form parameters, collecting violations.
type params struct {
	v    url.Values
	errs []string
}

func lowerFirst(s string) string { return strings.ToLower(s[:1]) + s[1:] }

func (p *params) fail(name, value string, null bool, constraint string) {
	v := "null"
	if !null {
		v = "'" + value + "'"
	}
	parts := strings.Split(name, ".")
	for i := range parts {
		parts[i] = lowerFirst(parts[i])
	}
	// Tags.member.1.Key is reported as tags.1.member.key.
	for i := 0; i+1 < len(parts); i++ {
		if _, err := strconv.Atoi(parts[i+1]); err == nil && parts[i] == "member" {
			parts[i], parts[i+1] = parts[i+1], parts[i]
			i++
		}
	}
	p.errs = append(p.errs, "Value "+v+" at '"+strings.Join(parts, ".")+"' failed to satisfy constraint: "+constraint)
}

func (p *params) str(name string, f field, required bool) string {
	vs, ok := p.v[name]
	if !ok || len(vs) == 0 {
		if required {
			p.fail(name, "", true, "Member must not be null")
		}
		return ""
	}
	s := vs[0]
	n := utf8.RuneCountInString(s)
	if n < f.min {
		p.fail(name, s, false, fmt.Sprintf("Member must have length greater than or equal to %d", f.min))
	}
	if f.max > 0 && n > f.max {
		p.fail(name, s, false, fmt.Sprintf("Member must have length less than or equal to %d", f.max))
	}
	if f.re != nil && !f.re.MatchString(s) {
		pat := f.pattern
		if m, ok := modelPattern[pat]; ok {
			pat = m
		}
		p.fail(name, s, false, "Member must satisfy regular expression pattern: "+pat)
	}
	return s
}

func (p *params) indexes(prefix string) []int {
	seen := map[int]bool{}
	for k := range p.v {
		rest, ok := strings.CutPrefix(k, prefix+".member.")
		if !ok {
			continue
		}
		num, _, _ := strings.Cut(rest, ".")
		if n, err := strconv.Atoi(num); err == nil && n > 0 {
			seen[n] = true
		}
	}
	out := make([]int, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Ints(out)
	return out
}

func (p *params) err() error {
	switch len(p.errs) {
	case 0:
		return nil
	case 1:
		return apierr.New(iam.CodeValidation, "1 validation error detected: "+p.errs[0])
	}
	return apierr.New(iam.CodeValidation, fmt.Sprintf("%d validation errors detected: %s", len(p.errs), strings.Join(p.errs, "; ")))
}

// sessionTags reads Tags.member.N.Key/Value in index order.
func sessionTags(p *params) []iam.Tag {
	var tags []iam.Tag
	for _, n := range p.indexes("Tags") {
		base := "Tags.member." + strconv.Itoa(n)
		tags = append(tags, iam.Tag{Key: p.str(base+".Key", fTagKey, true), Value: p.str(base+".Value", fTagValue, true)})
	}
	return tags
}

// assumeRoleRequest is a validated AssumeRole input.
type assumeRoleRequest struct {
	in     iam.AssumeRoleInput
	source string
}

// parseAssumeRole reads and validates AssumeRole's parameters.
func parseAssumeRole(v url.Values) (assumeRoleRequest, error) {
	p := &params{v: v}
	in := iam.AssumeRoleInput{
		RoleARN:     p.str("RoleArn", fRoleARN, true),
		SessionName: p.str("RoleSessionName", fSessionName, true),
	}
	for _, n := range p.indexes("PolicyArns") {
		in.PolicyARNs = append(in.PolicyARNs, p.str("PolicyArns.member."+strconv.Itoa(n)+".arn", fPolicyARN, false))
	}
	in.Policy = p.str("Policy", fPolicy, false)
	if s, ok := v["DurationSeconds"]; ok && len(s) > 0 {
		n, err := strconv.Atoi(strings.TrimSpace(s[0]))
		switch {
		case err != nil:
			p.fail("DurationSeconds", s[0], false, "Member must be a number")
		case n < 900:
			p.fail("DurationSeconds", s[0], false, "Member must have value greater than or equal to 900")
		case n > 43200:
			p.fail("DurationSeconds", s[0], false, "Member must have value less than or equal to 43200")
		default:
			in.Duration = time.Duration(n) * time.Second
		}
	}
	in.Tags = sessionTags(p)
	for _, n := range p.indexes("TransitiveTagKeys") {
		p.str("TransitiveTagKeys.member."+strconv.Itoa(n), fTagKey, false)
	}
	p.str("ExternalId", fExternalID, false)
	in.SerialNumber = p.str("SerialNumber", fSerial, false)
	in.TokenCode = p.str("TokenCode", fTokenCode, false)
	source := p.str("SourceIdentity", fSourceIdent, false)
	return assumeRoleRequest{in: in, source: source}, p.err()
}

func assumeRole(ctx context.Context, svc *iam.Service, caller identity.Principal, req assumeRoleRequest) (any, error) {
	in, source := req.in, req.source
	out, err := svc.AssumeRole(ctx, caller, in)
	if err != nil {
		return nil, err
	}
	s := out.Session
	r := assumeRoleResult{
		Credentials: credentials{
			AccessKeyID: s.AccessKeyID, SecretAccessKey: s.Secret, SessionToken: s.Token,
			Expiration: s.Expiration.UTC().Format("2006-01-02T15:04:05Z"),
		},
		AssumedRoleUser: assumedRoleUser{AssumedRoleID: s.AssumedRoleID(), Arn: s.ARN()},
		SourceIdentity:  source,
	}
	if out.PackedPolicySize >= 0 {
		n := out.PackedPolicySize
		r.PackedPolicySize = &n
	}
	return r, nil
}
