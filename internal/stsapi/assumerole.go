package stsapi

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/protocol/query"
)

type credentials struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

// credentialsOf is the wire form of a session's temporary credentials,
// shared by AssumeRole, AssumeRoot and GetSessionToken.
func credentialsOf(s *iam.Session) credentials {
	return credentials{
		AccessKeyID: s.AccessKeyID, SecretAccessKey: s.Secret, SessionToken: s.Token,
		Expiration: s.Expiration.UTC().Format("2006-01-02T15:04:05Z"),
	}
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

// The string members' shapes in the STS model.
var (
	fRoleARN     = query.NewShape(20, 2048, ``, ``)
	fSessionName = query.NewShape(2, 64, `[\w+=,.@-]*`, `[\w+=,.@-]*`)
	// The session policy's plain text is limited to 2048 characters
	// (older models carry the max; AWS enforces it).
	fPolicy      = query.NewShape(1, 2048, `[\t\n\r\x{20}-\x{FF}]+`, `[\u0009\u000A\u000D\u0020-\u00FF]+`)
	fPolicyARN   = query.NewShape(20, 2048, ``, ``)
	fTagKey      = query.NewShape(1, 128, `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`, `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`)
	fTagValue    = query.NewShape(0, 256, `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`, `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`)
	fExternalID  = query.NewShape(2, 1224, `[\w+=,.@:\/-]*`, `[\w+=,.@:\/-]*`)
	fSerial      = query.NewShape(9, 256, `[\w+=/:,.@-]*`, `[\w+=/:,.@-]*`)
	fTokenCode   = query.NewShape(6, 6, `[\d]*`, `[\d]*`)
	fSourceIdent = query.NewShape(2, 64, `[\w+=,.@-]*`, `[\w+=,.@-]*`)
)

// params reads and validates form parameters with the query protocol's
// shared reader ([query.Form]), collecting violations.
type params struct {
	v    url.Values
	form *query.Form
}

func (p *params) f() *query.Form {
	if p.form == nil {
		p.form = &query.Form{Values: p.v}
	}
	return p.form
}

func (p *params) fail(name, value string, null bool, constraint string) {
	p.f().Fail(name, value, null, constraint)
}

func (p *params) str(name string, sh query.Shape, required bool) string {
	return p.f().Str(name, sh, required)
}

func (p *params) indexes(prefix string) []int { return p.f().Indexes(prefix) }

func (p *params) err() error { return p.f().Err() }

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
		Credentials:     credentialsOf(s),
		AssumedRoleUser: assumedRoleUser{AssumedRoleID: s.AssumedRoleID(), Arn: s.ARN()},
		SourceIdentity:  source,
	}
	if out.PackedPolicySize >= 0 {
		n := out.PackedPolicySize
		r.PackedPolicySize = &n
	}
	return r, nil
}
