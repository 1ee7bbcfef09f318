package policy

import "strconv"

// Kind is the role a policy document plays. It decides what Parse accepts
// (only resource-based and trust policies name a principal) and, in a
// [Decision], which kind of policy denied a request.
type Kind uint8

// The kinds of policy. The zero value, NoKind, names no policy: it is the
// DeniedBy of an allowed request.
const (
	NoKind   Kind = iota
	Identity      // identity-based policy attached to a user, group or role
	Resource      // resource-based policy; names a Principal
	Trust         // role trust (assume-role) policy; names a Principal and no Resource
	SCP           // service control policy of AWS Organizations
	Boundary      // permissions boundary
	Session       // session policy passed to AssumeRole and friends
	RCP           // resource control policy of AWS Organizations; names a Principal
)

// String returns the phrase AWS uses for the kind in AccessDenied messages,
// such as "identity-based policy" or "service control policy", or "" for
// NoKind.
func (k Kind) String() string {
	switch k {
	case NoKind:
		return ""
	case Identity:
		return "identity-based policy"
	case Resource:
		return "resource-based policy"
	case Trust:
		return "role trust policy"
	case SCP:
		return "service control policy"
	case Boundary:
		return "permissions boundary"
	case Session:
		return "session policy"
	case RCP:
		return "resource control policy"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Effect is the outcome of an evaluation, and the effect of a statement
// (Allow or ExplicitDeny, which is how a "Deny" statement is written here).
// The zero value is ImplicitDeny, so a zero [Decision] fails closed.
type Effect uint8

// The effects.
const (
	ImplicitDeny Effect = iota // nothing allowed the request
	Allow
	ExplicitDeny // a Deny statement matched
)

// String returns "ImplicitDeny", "Allow" or "ExplicitDeny".
func (e Effect) String() string {
	switch e {
	case ImplicitDeny:
		return "ImplicitDeny"
	case Allow:
		return "Allow"
	case ExplicitDeny:
		return "ExplicitDeny"
	}
	return "Effect(" + strconv.Itoa(int(e)) + ")"
}

// Policy is a parsed, validated policy document, ready for [Evaluate]. It is
// immutable after Parse apart from Name, and safe for concurrent use.
type Policy struct {
	// Name labels the policy in a Decision's Reasons, for example a managed
	// policy's ARN or an inline policy's name. Parse leaves it empty.
	Name string

	kind       Kind
	version    string
	id         string
	statements []statement
}

// Kind returns the kind the policy was parsed as.
func (p *Policy) Kind() Kind { return p.kind }

// Version returns the document's Version element, or "" if it had none
// (which IAM reads as "2008-10-17").
func (p *Policy) Version() string { return p.version }

// ID returns the document's optional Id element.
func (p *Policy) ID() string { return p.id }

// Sids returns the Sid of each statement in document order ("" for a
// statement without one).
func (p *Policy) Sids() []string {
	s := make([]string, len(p.statements))
	for i := range p.statements {
		s[i] = p.statements[i].sid
	}
	return s
}

// ParseError reports a policy document that IAM would reject. Message is
// the text IAM puts in its MalformedPolicyDocument error, such as
// "Syntax errors in policy." or "Policy statement must contain actions.";
// callers send it to the client as is.
type ParseError struct {
	Message string
}

func (e *ParseError) Error() string { return "malformed policy document: " + e.Message }

// IAM's MalformedPolicyDocument messages. The wording follows moto's and
// LocalStack's IAM validators, whose test tables were recorded against IAM.
//
// TODO(fidelity): msgSidAlnum, msgNoPrincipal, msgNeedPrincipal,
// msgNeedResource and the order of the per-kind checks are from memory of
// IAM and S3 responses, not from a recorded table; verify them with
// internal/awscheck. Organizations words SCP errors differently
// (MalformedPolicyDocumentException); orgsapi should map them.
const (
	msgSyntax          = "Syntax errors in policy."
	msgVersion         = "Policy document must be version 2012-10-17 or greater."
	msgLegacy          = "The policy failed legacy parsing"
	msgSidUnique       = "Statement IDs (SID) in a single policy must be unique."
	msgSidAlnum        = "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"
	msgNoActions       = "Policy statement must contain actions."
	msgNoResources     = "Policy statement must contain resources."
	msgNoVendor        = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
	msgOneColon        = "Actions/Condition can contain only one colon."
	msgVendorQualified = "Resource vendor must be fully qualified and cannot contain regexes."
	msgNoPrincipal     = "Policy document should not specify a principal."
	msgNeedPrincipal   = "Missing required field Principal"
	msgNeedResource    = "Missing required field Resource"
	msgTrustResource   = "Has prohibited field Resource."
	msgTrustActions    = "Trust Policy statement actions can only be sts:AssumeRole, sts:AssumeRoleWithSAML,  and sts:AssumeRoleWithWebIdentity"
)

// MustParse is like [Parse] but panics on error. It is meant for policies
// compiled into the program, such as AWS managed policies.
func MustParse(doc string, kind Kind) *Policy {
	p, err := Parse([]byte(doc), kind)
	if err != nil {
		panic("policy.MustParse: " + err.Error())
	}
	return p
}
