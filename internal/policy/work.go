package policy

// workPerComparison is what Work counts for one comparison besides the
// characters it reads: the call, the loop, the variable lookups.
const workPerComparison = 16

// Work returns an upper bound on the work of evaluating p for req, in
// characters read: every Action pattern compared with req.Action, every
// Resource pattern with req.Resource, every Principal entry with the
// caller's identities and every condition value with each of the request's
// values for its key, each comparison counting the length of both sides
// plus a constant. Matching is linear in those lengths (see globMatch),
// except case-insensitive matching of an action that is not ASCII, which
// reads the action once per pattern character and is counted so.
//
// It is for callers that evaluate many requests against large policies and
// must bound the time that takes, such as IAM's policy simulator; Evaluate
// itself does not need it.
func (p *Policy) Work(req Request) int64 {
	ec := evalCtx{req: &req}
	asciiAction := isASCII(req.Action)
	var w int64
	for i := range p.statements {
		st := &p.statements[i]
		for j := range st.actions {
			a := &st.actions[j]
			n := int64(len(req.Action) + len(a.raw) + workPerComparison)
			if !asciiAction || !a.asciiLit {
				n += int64(len(req.Action)) * int64(len(a.raw))
			}
			w += n
		}
		if st.hasResource {
			for j := range st.resources {
				w += int64(len(req.Resource) + len(st.resources[j].raw) + workPerComparison)
			}
		}
		if pr := st.principal; pr != nil {
			entries := len(pr.aws) + len(pr.service) + len(pr.federated)
			// The account, the caller's ARN and aws:PrincipalArn, each
			// against every entry.
			w += int64(entries) * 3 * int64(2*len(req.PrincipalARN)+workPerComparison)
		}
		for j := range st.conds {
			c := &st.conds[j]
			vals := ec.values(c.key)
			var chars int64
			for _, v := range vals {
				chars += int64(len(v) + workPerComparison)
			}
			var raw int64
			for k := range c.values {
				raw += int64(len(c.values[k].raw))
			}
			w += int64(len(c.values))*(chars+workPerComparison) + raw*int64(max(1, len(vals)))
		}
	}
	return w
}
