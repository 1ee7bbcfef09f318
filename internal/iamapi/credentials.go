package iamapi

import (
	"context"
	"encoding/base64"
	"errors"
	"net/url"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/arn"
	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/identity"
)

// DefaultWorldKey is the default account's root access key id. It is
// shorter than the model's minimum of 16 characters, yet it is the
// convention every emulator's users know, so the access key operations
// accept it as an AccessKeyId (a documented exception).
const DefaultWorldKey = "test"

// accessKeyID reads the AccessKeyId parameter (accessKeyIdType: 16..128
// word characters), accepting DefaultWorldKey too.
func (c *call) accessKeyID(required bool) string {
	if c.in.v.Get("AccessKeyId") == DefaultWorldKey {
		return DefaultWorldKey
	}
	return c.in.str("AccessKeyId", shAccessKeyID, required)
}

// Shapes of the signing certificate operations.
var (
	shCertBody = pat(1, 16384, `[\t\n\r\x{20}-\x{FF}]+`, `[\u0009\u000A\u000D\u0020-\u00FF]+`)
	shCertID   = pat(24, 128, `[\w]+`, `[\w]+`)
)

// keyOwnerRes names the owner of the AccessKeyId parameter (the IAM user,
// or the root user) for GetAccessKeyLastUsed; a key of another account, or
// none, is AccessDenied before any policy is read, as IAM answers.
func (a *api) keyOwnerRes(ctx context.Context, c identity.Principal, p url.Values) (string, error) {
	id := p.Get("AccessKeyId")
	acct, user, err := a.svc.AccessKeyOwner(ctx, id)
	if errors.Is(err, iam.ErrNotFound) || (err == nil && acct != c.Account) {
		return "", iam.KeyNotVisible(c, id)
	} else if err != nil {
		return "", err
	}
	if user == "" {
		return arn.Root(string(acct)), nil
	}
	u, err := a.svc.User(ctx, acct, user)
	if err != nil {
		return iamARN(acct, "user", "/", user), nil
	}
	return u.ARN(), nil
}

type wAccessKeyLastUsed struct {
	LastUsedDate string `xml:"LastUsedDate,omitempty"`
	ServiceName  string `xml:"ServiceName"`
	Region       string `xml:"Region"`
}

type accessKeyLastUsedResult struct {
	// UserName is left out for root keys. TODO(fidelity): what AWS writes
	// for the root user is not pinned.
	UserName          string             `xml:"UserName,omitempty"`
	AccessKeyLastUsed wAccessKeyLastUsed `xml:"AccessKeyLastUsed"`
}

func (a *api) getAccessKeyLastUsed(ctx context.Context, c *call) (any, error) {
	id := c.accessKeyID(true)
	if err := c.in.err(); err != nil {
		return nil, err
	}
	k, use, err := a.svc.AccessKeyLastUsed(ctx, c.caller, id)
	if err != nil {
		return nil, err
	}
	// A key never used reads N/A for the service and the Region.
	w := wAccessKeyLastUsed{ServiceName: "N/A", Region: "N/A"}
	if use != nil {
		w = wAccessKeyLastUsed{LastUsedDate: ts(use.At), ServiceName: use.Service, Region: use.Region}
	}
	return accessKeyLastUsedResult{UserName: k.User, AccessKeyLastUsed: w}, nil
}

// Signing certificates.

type wSigningCertificate struct {
	UserName        string `xml:"UserName,omitempty"`
	CertificateID   string `xml:"CertificateId"`
	CertificateBody string `xml:"CertificateBody"`
	Status          string `xml:"Status"`
	UploadDate      string `xml:"UploadDate,omitempty"`
}

func signingCert(sc *iam.SigningCertificate) wSigningCertificate {
	w := wSigningCertificate{UserName: sc.User, CertificateID: sc.ID, CertificateBody: sc.Body, Status: "Inactive", UploadDate: ts(sc.UploadedAt)}
	if sc.Active {
		w.Status = "Active"
	}
	return w
}

type signingCertResult struct {
	Certificate wSigningCertificate `xml:"Certificate"`
}

type listSigningCertsResult struct {
	Certificates members[wSigningCertificate] `xml:"Certificates"`
	IsTruncated  bool                         `xml:"IsTruncated"`
	Marker       string                       `xml:"Marker,omitempty"`
}

func (a *api) uploadSigningCertificate(ctx context.Context, c *call) (any, error) {
	name := c.in.str("UserName", shExistingUserName, false)
	body := c.in.str("CertificateBody", shCertBody, true)
	if err := c.in.err(); err != nil {
		return nil, err
	}
	name, err := c.self(name)
	if err != nil {
		return nil, err
	}
	sc, err := a.svc.UploadSigningCertificate(ctx, c.acct, name, body)
	if err != nil {
		return nil, err
	}
	return signingCertResult{Certificate: signingCert(sc)}, nil
}

func (a *api) listSigningCertificates(ctx context.Context, c *call) (any, error) {
	certs, more, next, err := ownList(ctx, a, c, "ListSigningCertificates", a.svc.SigningCertificates, signingCert)
	if err != nil {
		return nil, err
	}
	return listSigningCertsResult{Certificates: certs, IsTruncated: more, Marker: next}, nil
}

func (a *api) updateSigningCertificate(ctx context.Context, c *call) (any, error) {
	name := c.in.str("UserName", shExistingUserName, false)
	id := c.in.str("CertificateId", shCertID, true)
	status := c.in.str("Status", shStatus, true)
	if err := c.in.err(); err != nil {
		return nil, err
	}
	if status == "Expired" {
		return nil, apierr.New(iam.CodeInvalidInput, "Invalid status: Expired. A signing certificate can only be set to Active or Inactive.")
	}
	name, err := c.self(name)
	if err != nil {
		return nil, err
	}
	return nil, a.svc.UpdateSigningCertificate(ctx, c.acct, name, id, status == "Active")
}

func (a *api) deleteSigningCertificate(ctx context.Context, c *call) (any, error) {
	name := c.in.str("UserName", shExistingUserName, false)
	id := c.in.str("CertificateId", shCertID, true)
	if err := c.in.err(); err != nil {
		return nil, err
	}
	name, err := c.self(name)
	if err != nil {
		return nil, err
	}
	return nil, a.svc.DeleteSigningCertificate(ctx, c.acct, name, id)
}

// Credential report.

type generateCredentialReportResult struct {
	State       string `xml:"State"`
	Description string `xml:"Description,omitempty"`
}

type getCredentialReportResult struct {
	Content       string `xml:"Content"`
	ReportFormat  string `xml:"ReportFormat"`
	GeneratedTime string `xml:"GeneratedTime"`
}

func (a *api) generateCredentialReport(ctx context.Context, c *call) (any, error) {
	if err := c.in.err(); err != nil {
		return nil, err
	}
	state, desc, err := a.svc.GenerateCredentialReport(ctx, c.acct)
	if err != nil {
		return nil, err
	}
	return generateCredentialReportResult{State: state, Description: desc}, nil
}

func (a *api) getCredentialReport(ctx context.Context, c *call) (any, error) {
	if err := c.in.err(); err != nil {
		return nil, err
	}
	r, err := a.svc.GetCredentialReport(ctx, c.acct)
	if err != nil {
		return nil, err
	}
	return getCredentialReportResult{
		Content: base64.StdEncoding.EncodeToString(r.Content), ReportFormat: "text/csv", GeneratedTime: ts(r.GeneratedAt),
	}, nil
}

// User and role tags.

func (a *api) tagUser(ctx context.Context, c *call) (any, error) {
	name := c.in.str("UserName", shExistingUserName, true)
	tags := c.requiredTags()
	if err := c.in.err(); err != nil {
		return nil, err
	}
	return nil, a.svc.TagUser(ctx, c.acct, name, tags)
}

func (a *api) untagUser(ctx context.Context, c *call) (any, error) {
	name := c.in.str("UserName", shExistingUserName, true)
	keys := c.in.list("TagKeys", shTagKey, 50, true)
	if err := c.in.err(); err != nil {
		return nil, err
	}
	return nil, a.svc.UntagUser(ctx, c.acct, name, keys)
}

func (a *api) listUserTags(ctx context.Context, c *call) (any, error) {
	name := c.in.str("UserName", shExistingUserName, true)
	marker, maxItems := c.paging()
	if err := c.in.err(); err != nil {
		return nil, err
	}
	u, err := a.svc.User(ctx, c.acct, name)
	if err != nil {
		return nil, err
	}
	return a.tagPage(c, "ListUserTags", u.Tags, marker, maxItems, u.Name)
}

func (a *api) tagRole(ctx context.Context, c *call) (any, error) {
	name := c.in.str("RoleName", shRoleName, true)
	tags := c.requiredTags()
	if err := c.in.err(); err != nil {
		return nil, err
	}
	return nil, a.svc.TagRole(ctx, c.acct, name, tags)
}

func (a *api) untagRole(ctx context.Context, c *call) (any, error) {
	name := c.in.str("RoleName", shRoleName, true)
	keys := c.in.list("TagKeys", shTagKey, 50, true)
	if err := c.in.err(); err != nil {
		return nil, err
	}
	return nil, a.svc.UntagRole(ctx, c.acct, name, keys)
}

func (a *api) listRoleTags(ctx context.Context, c *call) (any, error) {
	name := c.in.str("RoleName", shRoleName, true)
	marker, maxItems := c.paging()
	if err := c.in.err(); err != nil {
		return nil, err
	}
	r, err := a.svc.Role(ctx, c.acct, name)
	if err != nil {
		return nil, err
	}
	return a.tagPage(c, "ListRoleTags", r.Tags, marker, maxItems, r.Name)
}

// tagKeysContext gives aws:TagKeys for the TagKeys of Untag* requests.
func tagKeysContext(p url.Values) map[string][]string {
	keys := (&input{v: p}).list("TagKeys", shAny, 0, false)
	if len(keys) == 0 {
		return nil
	}
	return map[string][]string{"aws:TagKeys": keys}
}
