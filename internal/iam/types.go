package iam

import (
	"time"

	"github.com/accountplane/accountplane/internal/identity"
)

// User is an IAM user.
type User struct {
	Account   identity.AccountID
	Name      string
	Path      string
	ID        string // AIDA…
	CreatedAt time.Time
	// Boundary is the ARN of the permissions boundary policy, or "".
	Boundary string
	Tags     []Tag
}

// Group is an IAM group.
type Group struct {
	Account   identity.AccountID
	Name      string
	Path      string
	ID        string // AGPA…
	CreatedAt time.Time
}

// Role is an IAM role.
type Role struct {
	Account     identity.AccountID
	Name        string
	Path        string
	ID          string // AROA…
	CreatedAt   time.Time
	Description string
	// TrustPolicy is the assume-role policy document (JSON).
	TrustPolicy string
	// MaxSessionDuration bounds AssumeRole's DurationSeconds (3600..43200).
	MaxSessionDuration time.Duration
	Boundary           string
	Tags               []Tag
	// ServiceLinked marks roles AWS creates and users may not change
	// (AWSServiceRoleForOrganizations).
	ServiceLinked bool
}

// Tag is an IAM or STS tag.
type Tag struct {
	Key   string
	Value string
}

// PrincipalKind is what an inline policy or an attachment belongs to.
type PrincipalKind string

// Principal kinds.
const (
	KindUser  PrincipalKind = "user"
	KindGroup PrincipalKind = "group"
	KindRole  PrincipalKind = "role"
)

// InlinePolicy is a policy embedded in a user, group or role.
type InlinePolicy struct {
	Account  identity.AccountID
	Kind     PrincipalKind
	Owner    string // user, group or role name
	Name     string
	Document string
}

// ManagedPolicy is a customer managed policy, or (Account "aws") an AWS
// managed one.
type ManagedPolicy struct {
	Account        identity.AccountID // "" for AWS managed policies
	Name           string
	Path           string
	ID             string // ANPA…
	ARN            string
	Description    string
	DefaultVersion string // "v1"…
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Versions       []PolicyVersion // oldest first; at most 5
	Tags           []Tag
}

// PolicyVersion is one version of a managed policy.
type PolicyVersion struct {
	ID        string // v1, v2, …
	Document  string
	CreatedAt time.Time
}

// Attachment ties a managed policy to a user, group or role.
type Attachment struct {
	Account   identity.AccountID
	Kind      PrincipalKind
	Owner     string
	PolicyARN string
}

// Session is a set of temporary credentials issued by STS AssumeRole.
type Session struct {
	AccessKeyID   string // ASIA…
	Secret        string
	Token         string
	Account       identity.AccountID // the role's account
	RoleName      string
	RoleID        string
	SessionName   string
	Expiration    time.Time
	IssuedAt      time.Time
	SessionPolicy string // inline session policy JSON, or ""
	// PolicyARNs are managed session policies.
	PolicyARNs []string
	Tags       []Tag
	// Source is the principal ARN that assumed the role.
	Source string
	// Kind is RoleSession (AssumeRole) or UserSession (GetSessionToken).
	Kind SessionKind
	// User is the IAM user a UserSession belongs to; "" for the root
	// user's.
	User string
	// MFAAt is when the session was authenticated with MFA; zero when it
	// was not.
	MFAAt time.Time
}

// SessionKind tells the STS operation that issued a session.
type SessionKind string

// Session kinds. The zero value is a role session.
const (
	RoleSession SessionKind = ""
	UserSession SessionKind = "user"
)
