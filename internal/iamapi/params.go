package iamapi

import (
	"net/url"
	"strconv"

	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/protocol/query"
)

// shape is a string shape of the model (see [query.Shape]).
type shape = query.Shape

// pat is the shape of length min..max matching goRE, written model in the
// model.
func pat(min, max int, goRE, model string) shape { return query.NewShape(min, max, goRE, model) }

// The model's string shapes (iam-2010-05-08.service-2.json).
var (
	shUserName         = pat(1, 64, `[\w+=,.@-]+`, `[\w+=,.@-]+`)
	shExistingUserName = pat(1, 128, `[\w+=,.@-]+`, `[\w+=,.@-]+`)
	shGroupName        = pat(1, 128, `[\w+=,.@-]+`, `[\w+=,.@-]+`)
	shRoleName         = pat(1, 64, `[\w+=,.@-]+`, `[\w+=,.@-]+`)
	shPolicyName       = pat(1, 128, `[\w+=,.@-]+`, `[\w+=,.@-]+`)
	shPath             = pat(1, 512, `/|/[\x21-\x7E]+/`, `(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`)
	shPathPrefix       = pat(1, 512, `/[\x21-\x7F]*`, `\u002F[\u0021-\u007F]*`)
	shPolicyPath       = pat(1, 512, `(/[A-Za-z0-9\.,\+@=_-]+)*/`, `((/[A-Za-z0-9\.,\+@=_-]+)*)/`)
	shARN              = pat(20, 2048, ``, ``)
	shPolicyDocument   = pat(1, 131072, `[\t\n\r\x{20}-\x{FF}]+`, `[\u0009\u000A\u000D\u0020-\u00FF]+`)
	shRoleDescription  = pat(0, 1000, `[\t\n\r\x{20}-\x{7E}\x{A1}-\x{FF}]*`, `[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*`)
	shPolicyDesc       = pat(0, 1000, ``, ``)
	shAccessKeyID      = pat(16, 128, `[\w]+`, `[\w]+`)
	shMarker           = pat(1, 320, `[\x{20}-\x{FF}]+`, `[\u0020-\u00FF]+`)
	shVersionID        = pat(0, 0, `v[1-9][0-9]*(\.[A-Za-z0-9-]*)?`, `v[1-9][0-9]*(\.[A-Za-z0-9-]*)?`)
	shTagKey           = pat(1, 128, `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`, `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`)
	shTagValue         = pat(0, 256, `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`, `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`)
	shActionName       = pat(3, 128, ``, ``)
	shResourceName     = pat(1, 2048, ``, ``)
	shContextKeyName   = pat(5, 256, ``, ``)
	shAny              = pat(0, 0, ``, ``)
	shAccountAlias     = shape{Min: 3, Max: 63, Pattern: `^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$`, Check: iam.ValidAlias}
	shStatus           = shape{Enum: []string{"Active", "Inactive", "Expired"}}
	shScope            = shape{Enum: []string{"All", "AWS", "Local"}}
	shUsage            = shape{Enum: []string{"PermissionsPolicy", "PermissionsBoundary"}}
	shContextKeyType   = shape{Enum: []string{"string", "stringList", "numeric", "numericList", "boolean", "booleanList", "ip", "ipList", "binary", "binaryList", "date", "dateList"}}
)

// input reads the form parameters of one request with the query
// protocol's shared reader ([query.Form]), which collects constraint
// violations in member order, as IAM reports them. The methods keep the
// names the operation handlers use.
type input struct {
	v    url.Values
	form *query.Form
	// checkOnly ends the handler at its input check (see op.describe).
	checkOnly bool
}

func (in *input) f() *query.Form {
	if in.form == nil {
		in.form = &query.Form{Values: in.v}
	}
	return in.form
}

func (in *input) str(name string, sh shape, required bool) string {
	return in.f().Str(name, sh, required)
}

func (in *input) integer(name string, min, max int, required bool) (int, bool) {
	return in.f().Int(name, min, max, required)
}

func (in *input) boolean(name string) bool { return in.f().Bool(name) }

func (in *input) indexes(prefix string) []int { return in.f().Indexes(prefix) }

func (in *input) list(prefix string, sh shape, max int, required bool) []string {
	return in.f().List(prefix, sh, max, required)
}

// err returns the collected violations as IAM's ValidationError (in
// check-only mode, errChecked when there are none).
func (in *input) err() error {
	if err := in.f().Err(); err != nil || !in.checkOnly {
		return err
	}
	return errChecked
}

// tags returns prefix.member.N.Key/Value.
func (in *input) tags(prefix string) []iam.Tag {
	idx := in.indexes(prefix)
	out := make([]iam.Tag, 0, len(idx))
	for _, n := range idx {
		base := prefix + ".member." + strconv.Itoa(n)
		k := in.str(base+".Key", shTagKey, true)
		v := in.str(base+".Value", shTagValue, true)
		out = append(out, iam.Tag{Key: k, Value: v})
	}
	if len(out) > 50 {
		in.f().Violation("Value at '" + query.Member(prefix) + "' failed to satisfy constraint: Member must have length less than or equal to 50")
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
