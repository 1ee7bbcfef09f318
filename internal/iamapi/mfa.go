package iamapi

import (
	"context"
	"encoding/base64"
	"net/url"
	"strings"

	"github.com/skip2/go-qrcode"

	"github.com/accountplane/accountplane/internal/arn"
	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/protocol/query"
)

// The model's shapes of the MFA operations.
var (
	shMFAName    = pat(1, 0, `[\w+=,.@-]+`, `[\w+=,.@-]+`)
	shSerial     = pat(9, 256, `[\w+=/:,.@-]+`, `[\w+=/:,.@-]+`)
	shAuthCode   = pat(6, 6, `[\d]+`, `[\d]+`)
	shAssignment = shape{Enum: []string{iam.AssignmentAssigned, iam.AssignmentUnassigned, iam.AssignmentAny}}
)

// authCode reads a one-time code (authenticationCodeType: six digits).
// Like passwords, a violation's message never quotes the value.
func (c *call) authCode(name string) string {
	vs, ok := c.in.v[name]
	if !ok || len(vs) == 0 {
		c.in.f().Fail(name, "", true, "Member must not be null")
		return ""
	}
	code := vs[0]
	if !shAuthCode.RE().MatchString(code) {
		c.in.f().Violation("Value at '" + query.Member(name) + "' failed to satisfy constraint: Member must have length 6 and satisfy regular expression pattern: [\\d]+")
	}
	return code
}

// mfaRes names the virtual MFA device CreateVirtualMFADevice creates:
// arn:aws:iam::ACCOUNT:mfa/PATH/NAME.
func mfaRes(c identity.Principal, p url.Values) string {
	return iamARN(c.Account, "mfa", p.Get("Path"), p.Get("VirtualMFADeviceName"))
}

// deleteDeviceRes names what DeleteVirtualMFADevice acts on: the device,
// or in an AssumeRoot session the root user whose device it deletes (the
// task policy IAMDeleteRootUserCredentials allows the action on
// arn:aws:iam::*:root only).
func deleteDeviceRes(c identity.Principal, p url.Values) string {
	if c.AssumedRoot {
		return arn.Root(string(c.Account))
	}
	return serialRes(c, p)
}

// serialRes names the device of the SerialNumber parameter (its ARN).
func serialRes(c identity.Principal, p url.Values) string {
	if s := p.Get("SerialNumber"); strings.HasPrefix(s, "arn:") {
		return s
	}
	return iamARN(c.Account, "mfa", "/", p.Get("SerialNumber"))
}

type wVirtualMFADevice struct {
	SerialNumber     string         `xml:"SerialNumber"`
	Base32StringSeed string         `xml:"Base32StringSeed,omitempty"`
	QRCodePNG        string         `xml:"QRCodePNG,omitempty"`
	User             *wUser         `xml:"User,omitempty"`
	EnableDate       string         `xml:"EnableDate,omitempty"`
	Tags             *members[wTag] `xml:"Tags,omitempty"`
}

type virtualMFADeviceResult struct {
	VirtualMFADevice wVirtualMFADevice `xml:"VirtualMFADevice"`
}

type listVirtualMFADevicesResult struct {
	VirtualMFADevices members[wVirtualMFADevice] `xml:"VirtualMFADevices"`
	IsTruncated       bool                       `xml:"IsTruncated"`
	Marker            string                     `xml:"Marker,omitempty"`
}

type wMFADevice struct {
	// UserName is left out for the root user's devices, as ListAccessKeys
	// leaves it out for root keys. TODO(fidelity): what AWS writes for
	// the root user is not pinned.
	UserName     string `xml:"UserName,omitempty"`
	SerialNumber string `xml:"SerialNumber"`
	EnableDate   string `xml:"EnableDate"`
}

type listMFADevicesResult struct {
	MFADevices  members[wMFADevice] `xml:"MFADevices"`
	IsTruncated bool                `xml:"IsTruncated"`
	Marker      string              `xml:"Marker,omitempty"`
}

type listTagsResult struct {
	Tags        members[wTag] `xml:"Tags"`
	IsTruncated bool          `xml:"IsTruncated"`
	Marker      string        `xml:"Marker,omitempty"`
}

// otpauthURI is the key URI an authenticator app scans: label "Amazon Web
// Services:NAME@ACCOUNT", the Base32 secret and the issuer.
func otpauthURI(d *iam.MFADevice) string {
	const issuer = "Amazon Web Services"
	label := url.PathEscape(issuer + ":" + d.Name + "@" + string(d.Account))
	q := url.Values{"secret": {d.Base32Seed()}, "issuer": {issuer}}
	return "otpauth://totp/" + label + "?" + strings.ReplaceAll(q.Encode(), "+", "%20")
}

// qrPNG draws the device's key URI as a QR code (PNG).
func qrPNG(d *iam.MFADevice) ([]byte, error) {
	return qrcode.Encode(otpauthURI(d), qrcode.Medium, 256)
}

func (a *api) createVirtualMFADevice(ctx context.Context, c *call) (any, error) {
	path := c.in.str("Path", shPath, false)
	name := c.in.str("VirtualMFADeviceName", shMFAName, true)
	tags := c.in.tags("Tags")
	if err := c.in.err(); err != nil {
		return nil, err
	}
	d, err := a.svc.CreateVirtualMFADevice(ctx, c.acct, name, path, tags)
	if err != nil {
		return nil, err
	}
	png, err := qrPNG(d)
	if err != nil {
		return nil, err
	}
	// BootstrapDatum is a blob: both values are base64 on the wire (the
	// seed is the base64 of its Base32 text).
	return virtualMFADeviceResult{VirtualMFADevice: wVirtualMFADevice{
		SerialNumber:     d.Serial(),
		Base32StringSeed: base64.StdEncoding.EncodeToString([]byte(d.Base32Seed())),
		QRCodePNG:        base64.StdEncoding.EncodeToString(png),
		Tags:             tagList(d.Tags),
	}}, nil
}

func (a *api) enableMFADevice(ctx context.Context, c *call) (any, error) {
	name := c.in.str("UserName", shExistingUserName, true)
	serial := c.in.str("SerialNumber", shSerial, true)
	code1 := c.authCode("AuthenticationCode1")
	code2 := c.authCode("AuthenticationCode2")
	if err := c.in.err(); err != nil {
		return nil, err
	}
	return nil, a.svc.EnableMFADevice(ctx, c.acct, name, serial, code1, code2)
}

func (a *api) resyncMFADevice(ctx context.Context, c *call) (any, error) {
	name := c.in.str("UserName", shExistingUserName, true)
	serial := c.in.str("SerialNumber", shSerial, true)
	code1 := c.authCode("AuthenticationCode1")
	code2 := c.authCode("AuthenticationCode2")
	if err := c.in.err(); err != nil {
		return nil, err
	}
	return nil, a.svc.ResyncMFADevice(ctx, c.acct, name, serial, code1, code2)
}

func (a *api) deactivateMFADevice(ctx context.Context, c *call) (any, error) {
	name := c.in.str("UserName", shExistingUserName, false)
	serial := c.in.str("SerialNumber", shSerial, true)
	if err := c.in.err(); err != nil {
		return nil, err
	}
	name, err := c.userOrSelf(name)
	if err != nil {
		return nil, err
	}
	if name == "" {
		return nil, a.svc.DeactivateRootMFADevice(ctx, c.acct, serial)
	}
	return nil, a.svc.DeactivateMFADevice(ctx, c.acct, name, serial)
}

func (a *api) deleteVirtualMFADevice(ctx context.Context, c *call) (any, error) {
	serial := c.in.str("SerialNumber", shSerial, true)
	if err := c.in.err(); err != nil {
		return nil, err
	}
	return nil, a.svc.DeleteVirtualMFADevice(ctx, c.acct, serial)
}

// listMFADevices lists the devices of UserName, or of the caller (an IAM
// user's own, or the root user's).
func (a *api) listMFADevices(ctx context.Context, c *call) (any, error) {
	devices, more, next, err := ownList(ctx, a, c, "ListMFADevices", a.svc.MFADevices, func(d *iam.MFADevice) wMFADevice {
		return wMFADevice{UserName: d.User, SerialNumber: d.Serial(), EnableDate: ts(d.EnabledAt)}
	})
	if err != nil {
		return nil, err
	}
	return listMFADevicesResult{MFADevices: devices, IsTruncated: more, Marker: next}, nil
}

func (a *api) listVirtualMFADevices(ctx context.Context, c *call) (any, error) {
	status := c.in.str("AssignmentStatus", shAssignment, false)
	marker, maxItems := c.paging()
	if err := c.in.err(); err != nil {
		return nil, err
	}
	all, err := a.svc.VirtualMFADevices(ctx, c.acct, status)
	if err != nil {
		return nil, err
	}
	pg, more, next, err := page(a, c, "ListVirtualMFADevices", all, marker, maxItems, status)
	if err != nil {
		return nil, err
	}
	out := make([]wVirtualMFADevice, len(pg))
	for i := range pg {
		d := &pg[i]
		w := wVirtualMFADevice{SerialNumber: d.Serial(), EnableDate: ts(d.EnabledAt), Tags: tagList(d.Tags)}
		switch {
		case d.Root:
			r, err := a.svc.RootUser(ctx, c.acct)
			if err != nil {
				return nil, err
			}
			u := rootUser(r)
			w.User = &u
		case d.User != "":
			u, err := a.svc.User(ctx, c.acct, d.User)
			if err != nil {
				return nil, err
			}
			wu := user(u, false)
			w.User = &wu
		}
		out[i] = w
	}
	return listVirtualMFADevicesResult{VirtualMFADevices: list(out), IsTruncated: more, Marker: next}, nil
}

// MFA device tags.

func (a *api) tagMFADevice(ctx context.Context, c *call) (any, error) {
	serial := c.in.str("SerialNumber", shSerial, true)
	tags := c.requiredTags()
	if err := c.in.err(); err != nil {
		return nil, err
	}
	return nil, a.svc.TagMFADevice(ctx, c.acct, serial, tags)
}

func (a *api) untagMFADevice(ctx context.Context, c *call) (any, error) {
	serial := c.in.str("SerialNumber", shSerial, true)
	keys := c.in.list("TagKeys", shTagKey, 50, true)
	if err := c.in.err(); err != nil {
		return nil, err
	}
	return nil, a.svc.UntagMFADevice(ctx, c.acct, serial, keys)
}

func (a *api) listMFADeviceTags(ctx context.Context, c *call) (any, error) {
	serial := c.in.str("SerialNumber", shSerial, true)
	marker, maxItems := c.paging()
	if err := c.in.err(); err != nil {
		return nil, err
	}
	d, err := a.svc.MFADevice(ctx, c.acct, serial)
	if err != nil {
		return nil, err
	}
	return a.tagPage(c, "ListMFADeviceTags", d.Tags, marker, maxItems, d.Serial())
}

// tagPage is one page of a List*Tags answer.
func (a *api) tagPage(c *call, op string, tags []iam.Tag, marker string, maxItems int, scope string) (any, error) {
	pg, more, next, err := page(a, c, op, tags, marker, maxItems, scope)
	if err != nil {
		return nil, err
	}
	out := make([]wTag, len(pg))
	for i, t := range pg {
		out[i] = wTag{Key: t.Key, Value: t.Value}
	}
	return listTagsResult{Tags: list(out), IsTruncated: more, Marker: next}, nil
}

// requiredTags reads the required Tags list of the Tag* operations.
func (c *call) requiredTags() []iam.Tag {
	tags := c.in.tags("Tags")
	if len(tags) == 0 && !c.in.f().Has("Tags") {
		c.in.f().Fail("Tags", "", true, "Member must not be null")
	}
	return tags
}
