package accountapi

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/accountplane/accountplane/internal/account"
	"github.com/accountplane/accountplane/internal/apierr"
)

// strShape is a string shape of the model: length bounds, a pattern
// (matched in full) and an enum.
type strShape struct {
	min, max int // max 0: unbounded
	pattern  string
	re       func() *regexp.Regexp // compiled when first used
	enum     []string
}

func shape(min, max int, pattern string) strShape {
	s := strShape{min: min, max: max, pattern: pattern}
	if pattern != "" {
		s.re = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile("^(?:" + pattern + ")$") })
	}
	return s
}

func enumShape(values ...string) strShape { return strShape{enum: values} }

// The model's string shapes (account-2021-02-01.service-2.json).
var (
	shapeAccountID            = shape(0, 0, `\d{12}`)
	shapeAccountName          = shape(1, 50, `[ -;=?-~]+`)
	shapeAddressLine          = shape(1, 60, "")
	shapeAlternateContactType = enumShape("BILLING", "OPERATIONS", "SECURITY")
	// shapeAuthorizedContactType is what validation checks of an
	// AlternateContactType: presence only. Its enum is checked by the
	// authorizer, as AWS's is (see access.go).
	shapeAuthorizedContactType = strShape{}
	shapeCity                  = shape(1, 50, "")
	shapeCompanyName           = shape(1, 50, "")
	shapeContactPhoneNumber    = shape(1, 20, `[+][\s0-9()-]+`)
	shapeCountryCode           = shape(2, 2, "")
	shapeDistrictOrCounty      = shape(1, 50, "")
	shapeEmailAddress          = shape(1, 254, `[\s]*[\w+=.#|!&-]+@[\w.-]+\.[\w]+[\s]*`)
	shapeFullName              = shape(1, 50, "")
	shapeName                  = shape(1, 64, "")
	shapeOtp                   = shape(0, 0, `[a-zA-Z0-9]{6}`)
	shapePhoneNumber           = shape(1, 25, `[\s0-9()+-]+`)
	shapePostalCode            = shape(1, 20, "")
	shapePrimaryEmailAddress   = shape(5, 64, "")
	shapeRegionName            = shape(1, 50, "")
	shapeRegionOptStatus       = enumShape("ENABLED", "ENABLING", "DISABLING", "DISABLED", "ENABLED_BY_DEFAULT")
	shapeStateOrRegion         = shape(1, 50, "")
	shapeTitle                 = shape(1, 50, "")
	shapeWebsiteURL            = shape(1, 256, "")
	shapeListRegionsNextToken  = shape(0, 1000, "")
	listRegionsMaxResultsRange = [2]int{1, 50}
)

// check collects constraint violations in AWS's ValidationException form.
// Messages never echo the value: most members are sensitive.
type check struct {
	fields []apierr.Field
}

func (c *check) fail(name, constraint string, null bool) {
	v := "Value"
	if null {
		v = "Value null"
	}
	c.fields = append(c.fields, apierr.Field{
		Name:    name,
		Message: fmt.Sprintf("%s at '%s' failed to satisfy constraint: %s", v, name, constraint),
	})
}

// required is a marker for readability at call sites.
const (
	required = true
	optional = false
)

// str checks a string member against s.
func (c *check) str(name string, v *string, req bool, s strShape) {
	if v == nil {
		if req {
			c.fail(name, "Member must not be null", true)
		}
		return
	}
	if len(s.enum) > 0 {
		for _, e := range s.enum {
			if *v == e {
				return
			}
		}
		c.fail(name, "Member must satisfy enum value set: ["+strings.Join(s.enum, ", ")+"]", false)
		return
	}
	n := utf8.RuneCountInString(*v)
	if n < s.min {
		c.fail(name, "Member must have length greater than or equal to "+strconv.Itoa(s.min), false)
	}
	if s.max > 0 && n > s.max {
		c.fail(name, "Member must have length less than or equal to "+strconv.Itoa(s.max), false)
	}
	if s.re != nil && !s.re().MatchString(*v) {
		c.fail(name, "Member must satisfy regular expression pattern: "+s.pattern, false)
	}
}

// accountID checks an AccountId member. An empty string in an optional one
// is treated as absent (Terraform sends "AccountId": "").
func (c *check) accountID(name string, v *string, req bool) {
	if !req && v != nil && *v == "" {
		return
	}
	c.str(name, v, req, shapeAccountID)
}

// intRange checks an integer member.
func (c *check) intRange(name string, v *int32, lo, hi int) {
	if v == nil {
		return
	}
	if int(*v) < lo {
		c.fail(name, "Member must have value greater than or equal to "+strconv.Itoa(lo), false)
	}
	if int(*v) > hi {
		c.fail(name, "Member must have value less than or equal to "+strconv.Itoa(hi), false)
	}
}

// err returns the ValidationException for the collected failures, or nil.
func (c *check) err() error {
	if len(c.fields) == 0 {
		return nil
	}
	parts := make([]string, len(c.fields))
	for i, f := range c.fields {
		parts[i] = f.Message
	}
	noun := "error"
	if len(c.fields) > 1 {
		noun = "errors"
	}
	e := apierr.New(account.CodeValidation, fmt.Sprintf("%d validation %s detected: %s", len(c.fields), noun, strings.Join(parts, "; ")))
	e.Reason = account.ReasonFieldValidationFailed
	e.Fields = c.fields
	return e
}
