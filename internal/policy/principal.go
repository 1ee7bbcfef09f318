package policy

import "strings"

// principals is a compiled Principal or NotPrincipal element.
type principals struct {
	not       bool // NotPrincipal: the statement applies to everyone else
	any       bool // "Principal": "*"
	aws       []string
	service   []string
	federated []string
	// CanonicalUser entries are accepted by the grammar and never match.
}

// match reports whether the statement applies to the request's principal.
//
// A request carries several identities at once: its account, the caller's
// ARN, its aws:PrincipalArn (for a role session, the role's ARN), and the
// service or identity provider it comes from. Principal matches when any
// of them is listed; NotPrincipal applies unless every one of them is
// listed. That is why AWS's NotPrincipal examples list both
// arn:aws:iam::ID:root and the user: the account alone covers only the
// account identity, not every user in it.
//
// Entries are compared as follows:
//   - "*" (bare, or as an AWS or Service entry) lists every identity;
//   - an AWS account ID or arn:aws:iam::ID:root lists the account;
//   - any other AWS ARN lists that exact ARN (case-sensitive);
//   - Service and Federated entries list Request.PrincipalService (case-
//     insensitively) and Request.PrincipalFederated.
//
// Wildcards other than a lone "*" are not allowed in Principal by AWS and
// are compared literally.
func (p *principals) match(ec *evalCtx) bool {
	if p.any {
		return !p.not
	}
	r := ec.req
	anyListed, allListed, n := false, true, 0
	note := func(listed bool) {
		n++
		anyListed = anyListed || listed
		allListed = allListed && listed
	}
	if v := ec.values("aws:PrincipalAccount"); len(v) > 0 && v[0] != "" {
		note(p.listsAccount(v[0]))
	}
	if r.PrincipalARN != "" {
		note(p.listsARN(r.PrincipalARN))
	}
	for _, a := range ec.values("aws:PrincipalArn") {
		if a != "" && a != r.PrincipalARN {
			note(p.listsARN(a))
		}
	}
	if r.PrincipalService != "" {
		listed := false
		for _, s := range p.service {
			if s == "*" || strings.EqualFold(s, r.PrincipalService) {
				listed = true
				break
			}
		}
		note(listed)
	}
	if r.PrincipalFederated != "" {
		listed := false
		for _, f := range p.federated {
			if f == "*" || f == r.PrincipalFederated {
				listed = true
				break
			}
		}
		note(listed)
	}
	if p.not {
		return n == 0 || !allListed
	}
	return anyListed
}

// namesCaller reports whether the element, which matches the request,
// names the caller itself and not only its account: "*" (bare or as an AWS
// entry), the caller's ARN, its aws:PrincipalArn (for a role session, the
// role's ARN), or its service or identity provider. A NotPrincipal names
// everyone it does not list. An account ID or arn:aws:iam::ID:root names
// the account alone: it delegates to the account's identity-based
// policies.
func (p *principals) namesCaller(ec *evalCtx) bool {
	if p.any || p.not {
		return true
	}
	r := ec.req
	if r.PrincipalARN != "" && p.listsARN(r.PrincipalARN) {
		return true
	}
	for _, a := range ec.values("aws:PrincipalArn") {
		if a != "" && p.listsARN(a) {
			return true
		}
	}
	if r.PrincipalService != "" {
		for _, s := range p.service {
			if s == "*" || strings.EqualFold(s, r.PrincipalService) {
				return true
			}
		}
	}
	if r.PrincipalFederated != "" {
		for _, f := range p.federated {
			if f == "*" || f == r.PrincipalFederated {
				return true
			}
		}
	}
	return false
}

func (p *principals) listsAccount(account string) bool {
	for _, a := range p.aws {
		switch {
		case a == "*":
			return true
		case isAccountID(a):
			if a == account {
				return true
			}
		case strings.HasPrefix(a, "arn:") && strings.HasSuffix(a, ":root"):
			parts := strings.SplitN(a, ":", 6)
			if len(parts) == 6 && parts[2] == "iam" && parts[4] == account && parts[5] == "root" {
				return true
			}
		}
	}
	return false
}

func (p *principals) listsARN(arn string) bool {
	for _, a := range p.aws {
		if a == "*" || a == arn {
			return true
		}
	}
	return false
}

func isAccountID(s string) bool {
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
