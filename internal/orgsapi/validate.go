package orgsapi

import (
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/organizations"
)

// strShape is a string shape of the model: length bounds (in code points),
// a pattern (matched in full) or an enum, and the InvalidInputException
// reason a mismatch reports.
type strShape struct {
	min, max int // max 0: unbounded
	// re is the pattern, compiled when first used (compiling every shape's
	// was a tenth of the server's start-up); nil: none.
	re            func() *regexp.Regexp
	patternReason string
	enum          []string
	enumReason    string
}

// shape compiles a model pattern as a full match. The model's patterns are
// not all anchored, and some anchor only one alternative
// (`^(r-...)|(ou-...)$`), so they are wrapped whole.
func shape(min, max int, pattern string) strShape {
	s := strShape{min: min, max: max, patternReason: organizations.InputReasonInvalidPattern}
	if pattern != "" {
		s.re = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?:` + pattern + `)$`) })
	}
	return s
}

func (s strShape) reason(r string) strShape { s.patternReason = r; return s }

func enumShape(reason string, values ...string) strShape {
	return strShape{enum: values, enumReason: reason}
}

// The model's id patterns (organizations-2016-11-28.service-2.json), in Go
// syntax.
const (
	patRootID = `r-[0-9a-z]{4,32}`
	patOUID   = `ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}`
	patAcct   = `\d{12}`
	patTag    = `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`
	patEmail  = `[^\s@]+@[^\s@]+\.[^\s@]+`
	patAny    = `[\s\S]*`
)

// The model's string shapes used by the implemented operations.
var (
	shapeAccountID       = shape(0, 12, patAcct)
	shapeHandshakeID     = shape(0, 34, `h-[0-9a-z]{8,32}`)
	shapePolicyID        = shape(0, 130, `p-[0-9a-zA-Z_]{8,128}`).reason(organizations.InputReasonInvalidSyntaxPolicyID)
	shapePolicyTargetID  = shape(0, 100, `(`+patRootID+`)|(`+patAcct+`)|(`+patOUID+`)`).reason(organizations.InputReasonInvalidPatternTargetID)
	shapeParentID        = shape(0, 100, `(`+patRootID+`)|(`+patOUID+`)`).reason(organizations.InputReasonInvalidPatternTargetID)
	shapeChildID         = shape(0, 100, `(`+patAcct+`)|(`+patOUID+`)`).reason(organizations.InputReasonInvalidPatternTargetID)
	shapeRootID          = shape(0, 34, patRootID)
	shapeOUID            = shape(0, 68, patOUID)
	shapeCARID           = shape(0, 36, `car-[a-z0-9]{8,32}`)
	shapeTaggableID      = shape(0, 130, `(`+patRootID+`)|(`+patAcct+`)|(`+patOUID+`)|(p-[0-9a-zA-Z_]{8,128})|(rp-[0-9a-zA-Z_]{4,128})|(rt-[0-9a-zA-Z_]{8,32})`)
	shapeEmail           = shape(6, 64, patEmail)
	shapeCreateAcctName  = shape(1, 50, `[\x{0020}-\x{007E}]+`)
	shapeRoleName        = shape(0, 64, `[\w+=,.@-]{1,64}`).reason(organizations.InputReasonInvalidRoleName)
	shapeTagKey          = shape(1, 128, patTag)
	shapeTagValue        = shape(0, 256, patTag)
	shapeOUName          = shape(1, 128, patAny)
	shapePolicyContent   = shape(1, 0, patAny)
	shapePolicyDesc      = shape(0, 512, patAny)
	shapePolicyName      = shape(1, 128, patAny)
	shapeServicePrinc    = shape(1, 128, `[\w+=,.@-]*`)
	shapePartyID         = shape(1, 64, patAny)
	shapeNotes           = shape(0, 1024, patAny)
	shapeNextToken       = shape(0, 100000, patAny)
	shapeFeatureSet      = enumShape(organizations.InputReasonInvalidEnum, "ALL", "CONSOLIDATED_BILLING")
	shapeBillingAccess   = enumShape(organizations.InputReasonInvalidEnum, "ALLOW", "DENY")
	shapePartyType       = enumShape(organizations.InputReasonInvalidEnum, "ACCOUNT", "ORGANIZATION", "EMAIL")
	shapeActionType      = enumShape(organizations.InputReasonInvalidEnum, "INVITE", "ENABLE_ALL_FEATURES", "APPROVE_ALL_FEATURES", "ADD_ORGANIZATIONS_SERVICE_LINKED_ROLE", "TRANSFER_RESPONSIBILITY")
	shapeChildType       = enumShape(organizations.InputReasonInvalidEnum, "ACCOUNT", "ORGANIZATIONAL_UNIT")
	shapeCreateAcctState = enumShape(organizations.InputReasonInvalidListMember, "IN_PROGRESS", "SUCCEEDED", "FAILED")
	shapePolicyType      = enumShape(organizations.InputReasonInvalidEnumPolicyType, policyTypeNames()...)
)

func policyTypeNames() []string {
	out := make([]string, len(organizations.PolicyTypes))
	for i, t := range organizations.PolicyTypes {
		out[i] = string(t)
	}
	return out
}

// MaxResults is 1..20 in every List* operation; absent means a full page.
const (
	minResults  = 1
	maxResults  = 20
	defaultPage = maxResults
)

// reservedRolePrefix may not begin a RoleName (INVALID_ROLE_NAME).
const reservedRolePrefix = "awsservicerolefor"

// messages are the model's descriptions of the InvalidInputException
// reasons. Messages never echo the value: emails, names and notes are
// sensitive.
//
// The other texts are the model's reason descriptions. Only INVALID_PATTERN's
// is confirmed as AWS sends it, from error output quoted in public issue
// reports (boto/boto3#4565, 2025): "You provided a value that does not match
// the required pattern."
var messages = map[string]string{
	organizations.InputReasonInputRequired:          "You must include a value for all required parameters.",
	organizations.InputReasonMinLengthExceeded:      "You provided a string parameter that is shorter than allowed.",
	organizations.InputReasonMaxLengthExceeded:      "You provided a string parameter that is longer than allowed.",
	organizations.InputReasonMinValueExceeded:       "You provided a numeric parameter that has a smaller value than allowed.",
	organizations.InputReasonMaxValueExceeded:       "You provided a numeric parameter that has a larger value than allowed.",
	organizations.InputReasonInvalidPattern:         "You provided a value that does not match the required pattern.",
	organizations.InputReasonInvalidPatternTargetID: "You specified a policy target ID that doesn't match the required pattern.",
	organizations.InputReasonInvalidSyntaxPolicyID:  "You specified an invalid policy ID.",
	organizations.InputReasonInvalidEnum:            "You specified an invalid value.",
	organizations.InputReasonInvalidEnumPolicyType:  "You specified an invalid policy type string.",
	organizations.InputReasonInvalidListMember:      "You provided a list to a parameter that contains at least one invalid value.",
	organizations.InputReasonInvalidRoleName:        "You provided a role name that isn't valid. A role name can't begin with the reserved prefix AWSServiceRoleFor.",
	organizations.InputReasonMaxLimitExceededFilter: "You can specify only one filter parameter for the operation.",
	organizations.InputReasonInvalidEmailTarget:     "You specified an invalid email address for the invited account owner.",
	organizations.InputReasonInvalidNextToken:       "Get the value for the NextToken parameter from the response to a previous call of the operation.",
}

func invalid(reason string) *apierr.Error {
	return organizations.InvalidInput(reason, messages[reason])
}

// check keeps the first constraint violation of a request, in member
// order: Organizations reports one reason per InvalidInputException.
type check struct {
	err *apierr.Error
}

func (c *check) fail(reason string) {
	if c.err == nil {
		c.err = invalid(reason)
	}
}

// required is a marker for readability at call sites.
const (
	required = true
	optional = false
)

// str checks a string member against s: presence, then enum, or length
// then pattern.
func (c *check) str(v *string, req bool, s strShape) {
	if c.err != nil {
		return
	}
	if v == nil {
		if req {
			c.fail(organizations.InputReasonInputRequired)
		}
		return
	}
	if len(s.enum) > 0 {
		for _, e := range s.enum {
			if *v == e {
				return
			}
		}
		c.fail(s.enumReason)
		return
	}
	n := utf8.RuneCountInString(*v)
	switch {
	case n < s.min:
		c.fail(organizations.InputReasonMinLengthExceeded)
	case s.max > 0 && n > s.max:
		c.fail(organizations.InputReasonMaxLengthExceeded)
	case s.re != nil && !s.re().MatchString(*v):
		c.fail(s.patternReason)
	}
}

// roleName checks CreateAccount's RoleName, which also may not use the
// prefix reserved for service-linked roles.
func (c *check) roleName(v *string) {
	c.str(v, optional, shapeRoleName)
	if c.err == nil && v != nil && strings.HasPrefix(strings.ToLower(*v), reservedRolePrefix) {
		c.fail(organizations.InputReasonInvalidRoleName)
	}
}

// paging checks NextToken and MaxResults.
func (c *check) paging(token *string, max *int32) {
	c.str(token, optional, shapeNextToken)
	if c.err != nil || max == nil {
		return
	}
	switch {
	case *max < minResults:
		c.fail(organizations.InputReasonMinValueExceeded)
	case *max > maxResults:
		c.fail(organizations.InputReasonMaxValueExceeded)
	}
}

// tags checks a Tags list (Key and Value are required in each Tag).
func (c *check) tags(tags []tagInput, req bool) {
	if c.err != nil {
		return
	}
	if tags == nil {
		if req {
			c.fail(organizations.InputReasonInputRequired)
		}
		return
	}
	for i := range tags {
		c.str(tags[i].Key, required, shapeTagKey)
		c.str(tags[i].Value, required, shapeTagValue)
	}
}

// strList checks a list of strings whose elements are required.
func (c *check) strList(list []*string, req bool, s strShape) {
	if c.err != nil {
		return
	}
	if list == nil {
		if req {
			c.fail(organizations.InputReasonInputRequired)
		}
		return
	}
	for _, v := range list {
		if v == nil {
			c.fail(organizations.InputReasonInvalidListMember)
			return
		}
		c.str(v, required, s)
	}
}

// tagInput is the wire Tag of requests.
type tagInput struct {
	Key   *string
	Value *string
}

func domainTags(in []tagInput) []organizations.Tag {
	if len(in) == 0 {
		return nil
	}
	out := make([]organizations.Tag, len(in))
	for i, t := range in {
		out[i] = organizations.Tag{Key: str(t.Key), Value: str(t.Value)}
	}
	return out
}
