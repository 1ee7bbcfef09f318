// Package identity holds the typed identifiers of callers: account IDs,
// principals and access keys. Values are parsed once at the edge; after that
// the type carries the proof of validity.
//
// It imports only the standard library.
package identity

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/accountplane/accountplane/internal/arn"
)

// AccountID is a 12-digit AWS account number. The zero value is not a valid ID.
type AccountID string

// ErrInvalidAccountID is returned by ParseAccountID.
var ErrInvalidAccountID = errors.New("identity: account id must be exactly 12 digits")

// ParseAccountID returns s as an AccountID if it is exactly twelve ASCII digits.
func ParseAccountID(s string) (AccountID, error) {
	if !IsAccountID(s) {
		return "", ErrInvalidAccountID
	}
	return AccountID(s), nil
}

// MustParseAccountID is ParseAccountID for constants; it panics on bad input.
func MustParseAccountID(s string) AccountID {
	id, err := ParseAccountID(s)
	if err != nil {
		panic(fmt.Sprintf("identity.MustParseAccountID(%q): %v", s, err))
	}
	return id
}

// IsAccountID reports whether s is exactly twelve ASCII digits.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String returns the twelve digits.
func (id AccountID) String() string { return string(id) }

// IsZero reports whether id is unset.
func (id AccountID) IsZero() bool { return id == "" }

// PrincipalType is the kind of identity that signed a request.
type PrincipalType uint8

// Principal types. The zero value is Anonymous and authorizes nothing.
const (
	Anonymous PrincipalType = iota
	Root
	IAMUser
	AssumedRole
)

// String returns the CloudTrail userIdentity type name.
func (t PrincipalType) String() string {
	switch t {
	case Root:
		return "Root"
	case IAMUser:
		return "IAMUser"
	case AssumedRole:
		return "AssumedRole"
	default:
		return "Anonymous"
	}
}

// Principal is the identity a request is made by. The zero value is anonymous
// and authorizes nothing.
type Principal struct {
	Type    PrincipalType
	Account AccountID
	// ARN is the principal's ARN, e.g. arn:aws:iam::123456789012:root.
	ARN string
	// UserID is the unique id STS GetCallerIdentity reports (for root users
	// the account id).
	UserID string
	// AccessKeyID is the key that signed the request, if any.
	AccessKeyID string
	// Name is the IAM user name, or the role name of an assumed role.
	Name string
	// SessionName is the role session name of an assumed role.
	SessionName string
	// Temporary is true when the caller signs with temporary security
	// credentials (an STS session: a role session, or a user's or root
	// user's GetSessionToken session); false for long-term access keys.
	Temporary bool
	// MFAAt is when the caller authenticated with MFA (the STS call that
	// issued its session with a valid one-time code); zero when it did
	// not. Long-term access keys never carry MFA.
	MFAAt time.Time
	// AssumedRoot is true for a privileged root session of STS AssumeRoot:
	// the member account's root user (Type Root, Temporary), limited by
	// the session's task policy; aws:AssumedRoot is "true" in its
	// requests.
	AssumedRoot bool
}

// AssumedRolePrincipal returns the principal of a role session.
func AssumedRolePrincipal(account AccountID, role, roleID, session, accessKeyID string) Principal {
	return Principal{
		Type:        AssumedRole,
		Account:     account,
		ARN:         arn.AssumedRole(string(account), role, session),
		UserID:      roleID + ":" + session,
		AccessKeyID: accessKeyID,
		Name:        role,
		SessionName: session,
		Temporary:   true,
	}
}

// RootPrincipal returns the root user of account.
func RootPrincipal(account AccountID, accessKeyID string) Principal {
	return Principal{
		Type:        Root,
		Account:     account,
		ARN:         arn.Root(string(account)),
		UserID:      string(account),
		AccessKeyID: accessKeyID,
	}
}

// MFAConditions returns the MFA condition keys of a request p makes at
// now: none for long-term access keys (AWS leaves the keys out of their
// requests), aws:MultiFactorAuthPresent "false" for temporary credentials
// without MFA, and "true" with aws:MultiFactorAuthAge (whole seconds since
// the MFA authentication) for those with MFA.
func (p Principal) MFAConditions(now time.Time) map[string][]string {
	if !p.Temporary && p.Type != AssumedRole {
		return nil
	}
	if p.MFAAt.IsZero() {
		return map[string][]string{"aws:MultiFactorAuthPresent": {"false"}}
	}
	age := max(int64(now.Sub(p.MFAAt)/time.Second), 0)
	return map[string][]string{
		"aws:MultiFactorAuthPresent": {"true"},
		"aws:MultiFactorAuthAge":     {strconv.FormatInt(age, 10)},
	}
}

// IsRoot reports whether p is the root user of its account.
func (p Principal) IsRoot() bool { return p.Type == Root }

// IsZero reports whether p is anonymous.
func (p Principal) IsZero() bool { return p.Type == Anonymous }

// AccessKey is a long-term credential: a key id and secret owned by a
// principal of an account.
type AccessKey struct {
	ID      string
	Secret  string
	Account AccountID
	// User is "" for the root user, else the IAM user name.
	User      string
	Active    bool
	CreatedAt time.Time
}

// Principal returns the principal that signs with k. userID and path are
// the IAM user's unique id and path (ignored for root keys).
func (k AccessKey) Principal() Principal {
	return k.UserPrincipal("", "/")
}

// UserPrincipal is Principal with the IAM user's unique id and path.
func (k AccessKey) UserPrincipal(userID, path string) Principal {
	if k.User == "" {
		return RootPrincipal(k.Account, k.ID)
	}
	if path == "" {
		path = "/"
	}
	if userID == "" {
		userID = k.User
	}
	return Principal{
		Type:        IAMUser,
		Account:     k.Account,
		ARN:         arn.IAM(string(k.Account), "user", path, k.User),
		UserID:      userID,
		AccessKeyID: k.ID,
		Name:        k.User,
	}
}

// Partition is the partition of the principal's account, read from its
// ARN: "aws" (commercial) unless the ARN names another.
func (p Principal) Partition() string {
	if a, err := arn.Parse(p.ARN); err == nil {
		return a.Partition
	}
	return arn.Partition
}

// InPartition returns p with its ARN in partition part ("" is the
// commercial one): an account's principals are named in its partition.
func (p Principal) InPartition(part string) Principal {
	if p.ARN != "" {
		p.ARN = arn.InPartition(p.ARN, part)
	}
	return p
}
