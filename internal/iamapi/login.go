package iamapi

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"sync"
	"unicode/utf8"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/protocol/query"
)

// credentialStatus is the HTTP status of the exceptions of the credential
// operations (the model's httpStatusCode); 0 for other codes.
func credentialStatus(code string) int {
	switch code {
	case iam.CodeReportNotPresent, iam.CodeReportExpired:
		return http.StatusGone
	case iam.CodeReportInProgress:
		return http.StatusNotFound
	case iam.CodeInvalidAuthenticationCode:
		return http.StatusForbidden
	case iam.CodeDuplicateCertificate:
		return http.StatusConflict
	case iam.CodePasswordPolicyViolation, iam.CodeInvalidUserType, iam.CodeMalformedCertificate:
		return http.StatusBadRequest
	}
	return 0
}

// rePassword is the model's passwordType pattern.
var rePassword = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\t\n\r\x{20}-\x{FF}]+$`) })

// password reads a password parameter (passwordType: 1..128 characters of
// [\u0009\u000A\u000D\u0020-\u00FF]). Unlike other members, a violation's
// message never quotes the value.
func (c *call) password(name string, required bool) (string, bool) {
	vs, ok := c.in.v[name]
	if !ok || len(vs) == 0 {
		if required {
			c.in.f().Fail(name, "", true, "Member must not be null")
		}
		return "", false
	}
	pw := vs[0]
	n := utf8.RuneCountInString(pw)
	switch {
	case n < 1:
		c.in.f().Violation("Value at '" + query.Member(name) + "' failed to satisfy constraint: Member must have length greater than or equal to 1")
	case n > iam.MaxPasswordLength:
		c.in.f().Violation(fmt.Sprintf("Value at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", query.Member(name), iam.MaxPasswordLength))
	case !rePassword().MatchString(pw):
		c.in.f().Violation("Value at '" + query.Member(name) + "' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+")
	}
	return pw, true
}

// userOrSelf resolves the optional UserName of the operations whose model
// says a root user may omit it only in an AssumeRoot session
// (CreateLoginProfile, GetLoginProfile, DeleteLoginProfile,
// DeactivateMFADevice): the named user, else the calling IAM user, else
// "" for the root user in an AssumeRoot session. A root user outside one,
// or a role session, must name the user (ValidationError).
// TODO(fidelity): the code AWS answers a root user with is not pinned.
func (c *call) userOrSelf(name string) (string, error) {
	if name != "" {
		return name, nil
	}
	switch c.caller.Type {
	case identity.IAMUser:
		return c.caller.Name, nil
	case identity.Root:
		if c.caller.AssumedRoot {
			return "", nil
		}
		return "", apierr.New(iam.CodeValidation, "Must specify userName when calling with root credentials outside an AssumeRoot session")
	}
	return "", apierr.New(iam.CodeValidation, "Must specify userName when calling with non-User credentials")
}

type wLoginProfile struct {
	// UserName is empty for the root user's login profile.
	// TODO(fidelity): what AWS writes for the root user is not pinned.
	UserName              string `xml:"UserName"`
	CreateDate            string `xml:"CreateDate"`
	PasswordResetRequired bool   `xml:"PasswordResetRequired"`
}

type loginProfileResult struct {
	LoginProfile wLoginProfile `xml:"LoginProfile"`
}

func loginProfile(p *iam.LoginProfile) loginProfileResult {
	return loginProfileResult{LoginProfile: wLoginProfile{UserName: p.User, CreateDate: ts(p.CreatedAt), PasswordResetRequired: p.ResetRequired}}
}

// createLoginProfile gives a user a password; in an AssumeRoot session,
// without UserName, it allows the root user to recover its password (the
// model: Password "must be omitted when you make the request with an
// AssumeRoot session. It is required in all other cases").
func (a *api) createLoginProfile(ctx context.Context, c *call) (any, error) {
	name := c.in.str("UserName", shUserName, false)
	rootSession := c.caller.AssumedRoot && name == ""
	pw, hasPW := c.password("Password", false)
	if !hasPW && !rootSession {
		c.in.f().Fail("Password", "", true, "Member must not be null")
	}
	reset := c.in.boolean("PasswordResetRequired")
	if err := c.in.err(); err != nil {
		return nil, err
	}
	if rootSession {
		if hasPW {
			// TODO(fidelity): AWS's code and message are not pinned.
			return nil, apierr.New(iam.CodeValidation, "Password must be omitted when you make the request with an AssumeRoot session.")
		}
		p, err := a.svc.AllowRootPasswordRecovery(ctx, c.acct)
		if err != nil {
			return nil, err
		}
		return loginProfile(p), nil
	}
	name, err := c.userOrSelf(name)
	if err != nil {
		return nil, err
	}
	p, err := a.svc.CreateLoginProfile(ctx, c.acct, name, pw, reset)
	if err != nil {
		return nil, err
	}
	return loginProfile(p), nil
}

func (a *api) getLoginProfile(ctx context.Context, c *call) (any, error) {
	name := c.in.str("UserName", shUserName, false)
	if err := c.in.err(); err != nil {
		return nil, err
	}
	name, err := c.userOrSelf(name)
	if err != nil {
		return nil, err
	}
	var p *iam.LoginProfile
	if name == "" {
		p, err = a.svc.RootLoginProfile(ctx, c.acct)
	} else {
		p, err = a.svc.LoginProfile(ctx, c.acct, name)
	}
	if err != nil {
		return nil, err
	}
	return loginProfile(p), nil
}

func (a *api) updateLoginProfile(ctx context.Context, c *call) (any, error) {
	name := c.in.str("UserName", shUserName, true)
	pw, hasPW := c.password("Password", false)
	var reset *bool
	if c.in.f().Has("PasswordResetRequired") {
		b := c.in.boolean("PasswordResetRequired")
		reset = &b
	}
	if err := c.in.err(); err != nil {
		return nil, err
	}
	var pwp *string
	if hasPW {
		pwp = &pw
	}
	return nil, a.svc.UpdateLoginProfile(ctx, c.acct, name, pwp, reset)
}

func (a *api) deleteLoginProfile(ctx context.Context, c *call) (any, error) {
	name := c.in.str("UserName", shUserName, false)
	if err := c.in.err(); err != nil {
		return nil, err
	}
	name, err := c.userOrSelf(name)
	if err != nil {
		return nil, err
	}
	if name == "" {
		return nil, a.svc.DeleteRootLoginProfile(ctx, c.acct)
	}
	return nil, a.svc.DeleteLoginProfile(ctx, c.acct, name)
}

func (a *api) changePassword(ctx context.Context, c *call) (any, error) {
	old, _ := c.password("OldPassword", true)
	pw, _ := c.password("NewPassword", true)
	if err := c.in.err(); err != nil {
		return nil, err
	}
	return nil, a.svc.ChangePassword(ctx, c.caller, old, pw)
}

// Account password policy.

type wPasswordPolicy struct {
	MinimumPasswordLength      int   `xml:"MinimumPasswordLength"`
	RequireSymbols             bool  `xml:"RequireSymbols"`
	RequireNumbers             bool  `xml:"RequireNumbers"`
	RequireUppercaseCharacters bool  `xml:"RequireUppercaseCharacters"`
	RequireLowercaseCharacters bool  `xml:"RequireLowercaseCharacters"`
	AllowUsersToChangePassword bool  `xml:"AllowUsersToChangePassword"`
	ExpirePasswords            bool  `xml:"ExpirePasswords"`
	MaxPasswordAge             int   `xml:"MaxPasswordAge,omitempty"`
	PasswordReusePrevention    int   `xml:"PasswordReusePrevention,omitempty"`
	HardExpiry                 *bool `xml:"HardExpiry,omitempty"`
}

type passwordPolicyResult struct {
	PasswordPolicy wPasswordPolicy `xml:"PasswordPolicy"`
}

func (a *api) updateAccountPasswordPolicy(ctx context.Context, c *call) (any, error) {
	p := iam.PasswordPolicy{Account: c.acct}
	if n, ok := c.in.integer("MinimumPasswordLength", iam.MinPolicyLength, iam.MaxPasswordLength, false); ok {
		p.MinimumLength = n
	}
	p.RequireSymbols = c.in.boolean("RequireSymbols")
	p.RequireNumbers = c.in.boolean("RequireNumbers")
	p.RequireUppercaseCharacters = c.in.boolean("RequireUppercaseCharacters")
	p.RequireLowercaseCharacters = c.in.boolean("RequireLowercaseCharacters")
	p.AllowUsersToChangePassword = c.in.boolean("AllowUsersToChangePassword")
	if n, ok := c.in.integer("MaxPasswordAge", 1, iam.MaxPasswordAge, false); ok {
		p.MaxAge = n
	}
	if n, ok := c.in.integer("PasswordReusePrevention", 1, iam.MaxPasswordReuse, false); ok {
		p.ReusePrevention = n
	}
	p.HardExpiry = c.in.boolean("HardExpiry")
	if err := c.in.err(); err != nil {
		return nil, err
	}
	return nil, a.svc.UpdatePasswordPolicy(ctx, p)
}

func (a *api) getAccountPasswordPolicy(ctx context.Context, c *call) (any, error) {
	if err := c.in.err(); err != nil {
		return nil, err
	}
	p, err := a.svc.PasswordPolicy(ctx, c.acct)
	if err != nil {
		return nil, err
	}
	hard := p.HardExpiry
	return passwordPolicyResult{PasswordPolicy: wPasswordPolicy{
		MinimumPasswordLength: p.MinimumLength, RequireSymbols: p.RequireSymbols, RequireNumbers: p.RequireNumbers,
		RequireUppercaseCharacters: p.RequireUppercaseCharacters, RequireLowercaseCharacters: p.RequireLowercaseCharacters,
		AllowUsersToChangePassword: p.AllowUsersToChangePassword, ExpirePasswords: p.MaxAge > 0,
		MaxPasswordAge: p.MaxAge, PasswordReusePrevention: p.ReusePrevention, HardExpiry: &hard,
	}}, nil
}

func (a *api) deleteAccountPasswordPolicy(ctx context.Context, c *call) (any, error) {
	if err := c.in.err(); err != nil {
		return nil, err
	}
	return nil, a.svc.DeletePasswordPolicy(ctx, c.acct)
}
