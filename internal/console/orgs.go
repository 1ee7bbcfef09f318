package console

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
)

// Wire shapes of Organizations, as a client reads them.
type (
	organization struct {
		ID                 string `json:"Id"`
		Arn                string `json:"Arn"`
		FeatureSet         string `json:"FeatureSet"`
		MasterAccountID    string `json:"MasterAccountId"`
		MasterAccountEmail string `json:"MasterAccountEmail"`
	}
	policyTypeSummary struct {
		Type   string `json:"Type"`
		Status string `json:"Status"`
	}
	orgRoot struct {
		ID          string              `json:"Id"`
		Name        string              `json:"Name"`
		PolicyTypes []policyTypeSummary `json:"PolicyTypes"`
	}
	orgUnit struct {
		ID   string `json:"Id"`
		Name string `json:"Name"`
	}
	orgAccount struct {
		ID              string      `json:"Id"`
		Name            string      `json:"Name"`
		Email           string      `json:"Email"`
		State           string      `json:"State"`
		Status          string      `json:"Status"`
		JoinedMethod    string      `json:"JoinedMethod"`
		JoinedTimestamp json.Number `json:"JoinedTimestamp"`
	}
	createStatus struct {
		ID                 string      `json:"Id"`
		AccountName        string      `json:"AccountName"`
		State              string      `json:"State"`
		AccountID          string      `json:"AccountId"`
		FailureReason      string      `json:"FailureReason"`
		RequestedTimestamp json.Number `json:"RequestedTimestamp"`
	}
	handshake struct {
		ID      string `json:"Id"`
		State   string `json:"State"`
		Action  string `json:"Action"`
		Parties []struct {
			ID   string `json:"Id"`
			Type string `json:"Type"`
		} `json:"Parties"`
		RequestedTimestamp  json.Number `json:"RequestedTimestamp"`
		ExpirationTimestamp json.Number `json:"ExpirationTimestamp"`
	}
)

// node is one box of the organization's tree picture.
type node struct {
	ID, Name string
	Root     bool
	OUs      []*node
	Accounts []orgAccount
	Depth    int
}

type orgsData struct {
	None       bool // the caller's account is in no organization
	NotAllowed *flash
	Org        organization
	Management bool // the caller's account manages the organization
	Tree       *node
	Parents    []parentOption // every root and OU, for the move and create forms
	Creating   []createStatus
	Self       string
}

type parentOption struct{ ID, Label string }

// describeOrg returns the caller's organization; none reports
// AWSOrganizationsNotInUseException.
func (c *Console) describeOrg(r *http.Request, s *session) (org organization, none bool, err error) {
	var out struct {
		Organization organization `json:"Organization"`
	}
	err = c.call(r, s, "organizations", "DescribeOrganization", nil, &out)
	var ce *callError
	if errors.As(err, &ce) && ce.Code == "AWSOrganizationsNotInUseException" {
		return organization{}, true, nil
	}
	return out.Organization, false, err
}

func (c *Console) orgsPage(w http.ResponseWriter, r *http.Request, s *session) error {
	d := &orgsData{Self: string(s.caller.Account)}
	v := c.newView(s, "AWS Organizations", "organizations", d)
	org, none, err := c.describeOrg(r, s)
	if err != nil {
		if d.NotAllowed, err = softFail(err); err != nil {
			return err
		}
		return c.render(w, r, http.StatusOK, "organizations", v)
	}
	d.Org, d.None = org, none
	d.Management = org.MasterAccountID == string(s.caller.Account)
	if none || !d.Management {
		return c.render(w, r, http.StatusOK, "organizations", v)
	}
	var roots struct {
		Roots []orgRoot `json:"Roots"`
	}
	if err := c.call(r, s, "organizations", "ListRoots", nil, &roots); err != nil {
		if d.NotAllowed, err = softFail(err); err != nil {
			return err
		}
		return c.render(w, r, http.StatusOK, "organizations", v)
	}
	for _, root := range roots.Roots {
		n := &node{ID: root.ID, Name: "Root", Root: true}
		d.Parents = append(d.Parents, parentOption{root.ID, "Root (" + root.ID + ")"})
		if err := c.grow(r, s, n, "Root", &d.Parents); err != nil {
			if d.NotAllowed, err = softFail(err); err != nil {
				return err
			}
			break
		}
		d.Tree = n
	}
	var st struct {
		CreateAccountStatuses []createStatus `json:"CreateAccountStatuses"`
	}
	if err := c.call(r, s, "organizations", "ListCreateAccountStatus", map[string]any{"States": []string{"IN_PROGRESS", "FAILED"}}, &st); err == nil {
		d.Creating = st.CreateAccountStatuses
	}
	return c.render(w, r, http.StatusOK, "organizations", v)
}

// grow fills n with its OUs (recursively) and accounts.
func (c *Console) grow(r *http.Request, s *session, n *node, path string, parents *[]parentOption) error {
	token := ""
	for {
		in := map[string]any{"ParentId": n.ID}
		if token != "" {
			in["NextToken"] = token
		}
		var out struct {
			Accounts  []orgAccount `json:"Accounts"`
			NextToken string       `json:"NextToken"`
		}
		if err := c.call(r, s, "organizations", "ListAccountsForParent", in, &out); err != nil {
			return err
		}
		n.Accounts = append(n.Accounts, out.Accounts...)
		if token = out.NextToken; token == "" {
			break
		}
	}
	for {
		in := map[string]any{"ParentId": n.ID}
		if token != "" {
			in["NextToken"] = token
		}
		var out struct {
			OrganizationalUnits []orgUnit `json:"OrganizationalUnits"`
			NextToken           string    `json:"NextToken"`
		}
		if err := c.call(r, s, "organizations", "ListOrganizationalUnitsForParent", in, &out); err != nil {
			return err
		}
		for _, ou := range out.OrganizationalUnits {
			child := &node{ID: ou.ID, Name: ou.Name, Depth: n.Depth + 1}
			*parents = append(*parents, parentOption{ou.ID, path + " / " + ou.Name})
			if err := c.grow(r, s, child, path+" / "+ou.Name, parents); err != nil {
				return err
			}
			n.OUs = append(n.OUs, child)
		}
		if token = out.NextToken; token == "" {
			break
		}
	}
	return nil
}

// orgAction runs one Organizations change for a form and returns to page.
func (c *Console) orgAction(w http.ResponseWriter, r *http.Request, s *session, op string, in map[string]any, success, page string) error {
	err := c.call(r, s, "organizations", op, in, nil)
	if err := c.act(s, err, success); err != nil {
		return err
	}
	redirect(w, r, page)
	return nil
}

func (c *Console) createOrganization(w http.ResponseWriter, r *http.Request, s *session) error {
	fs := "ALL"
	if r.PostForm.Get("feature_set") == "CONSOLIDATED_BILLING" {
		fs = "CONSOLIDATED_BILLING"
	}
	return c.orgAction(w, r, s, "CreateOrganization", map[string]any{"FeatureSet": fs}, "Your organization is created. This account is its management account.", "organizations")
}

func (c *Console) createOU(w http.ResponseWriter, r *http.Request, s *session) error {
	name := strings.TrimSpace(r.PostForm.Get("name"))
	return c.orgAction(w, r, s, "CreateOrganizationalUnit", map[string]any{"ParentId": r.PostForm.Get("parent"), "Name": name},
		"The organizational unit “"+name+"” is created.", "organizations")
}

func (c *Console) renameOU(w http.ResponseWriter, r *http.Request, s *session) error {
	name := strings.TrimSpace(r.PostForm.Get("name"))
	return c.orgAction(w, r, s, "UpdateOrganizationalUnit", map[string]any{"OrganizationalUnitId": r.PostForm.Get("ou"), "Name": name},
		"The organizational unit is renamed “"+name+"”.", "organizations")
}

func (c *Console) deleteOU(w http.ResponseWriter, r *http.Request, s *session) error {
	return c.orgAction(w, r, s, "DeleteOrganizationalUnit", map[string]any{"OrganizationalUnitId": r.PostForm.Get("ou")},
		"The organizational unit is deleted.", "organizations")
}

func (c *Console) moveAccount(w http.ResponseWriter, r *http.Request, s *session) error {
	f := r.PostForm
	return c.orgAction(w, r, s, "MoveAccount", map[string]any{"AccountId": f.Get("account"), "SourceParentId": f.Get("source"), "DestinationParentId": f.Get("destination")},
		"Account "+f.Get("account")+" is moved.", "organizations")
}

func (c *Console) createAccount(w http.ResponseWriter, r *http.Request, s *session) error {
	f := r.PostForm
	in := map[string]any{"AccountName": strings.TrimSpace(f.Get("name")), "Email": strings.TrimSpace(f.Get("email"))}
	if role := strings.TrimSpace(f.Get("role")); role != "" {
		in["RoleName"] = role
	}
	return c.orgAction(w, r, s, "CreateAccount", in, "Creating account “"+strings.TrimSpace(f.Get("name"))+"”. It appears in the tree when it is ready.", "organizations")
}

// closeMember closes a member account from the management account, after
// the guide's confirmations (every acknowledgement, the account id typed).
func (c *Console) closeMember(w http.ResponseWriter, r *http.Request, s *session) error {
	f := r.PostForm
	id := f.Get("account")
	if f.Get("ack") == "" || strings.TrimSpace(f.Get("confirm")) != id {
		s.addFlash(flash{Kind: "error", Title: "The account was not closed", Message: "Tick the acknowledgement and type the member account ID to confirm."})
		redirect(w, r, "organizations")
		return nil
	}
	return c.orgAction(w, r, s, "CloseAccount", map[string]any{"AccountId": id}, "Account "+id+" is closing; it shows SUSPENDED when done.", "organizations")
}

func (c *Console) removeMember(w http.ResponseWriter, r *http.Request, s *session) error {
	id := r.PostForm.Get("account")
	return c.orgAction(w, r, s, "RemoveAccountFromOrganization", map[string]any{"AccountId": id}, "Account "+id+" is removed from the organization.", "organizations")
}

func (c *Console) leaveOrganization(w http.ResponseWriter, r *http.Request, s *session) error {
	return c.orgAction(w, r, s, "LeaveOrganization", nil, "This account left its organization.", "organizations")
}

type invitationsData struct {
	None       bool
	Management bool
	Org        organization
	Sent       []handshake
	SentError  *flash
	Received   []handshake
	RecvError  *flash
	Self       string
}

func (c *Console) invitationsPage(w http.ResponseWriter, r *http.Request, s *session) error {
	d := &invitationsData{Self: string(s.caller.Account)}
	v := c.newView(s, "Invitations", "organizations", d)
	org, none, err := c.describeOrg(r, s)
	if f, err := softFail(err); err != nil {
		return err
	} else if f != nil {
		v.Flashes = append(v.Flashes, *f)
	}
	d.Org, d.None = org, none
	d.Management = !none && org.MasterAccountID == string(s.caller.Account)
	if d.Management {
		var out struct {
			Handshakes []handshake `json:"Handshakes"`
		}
		if d.SentError, err = softFail(c.call(r, s, "organizations", "ListHandshakesForOrganization", nil, &out)); err != nil {
			return err
		}
		d.Sent = out.Handshakes
	}
	var out struct {
		Handshakes []handshake `json:"Handshakes"`
	}
	if d.RecvError, err = softFail(c.call(r, s, "organizations", "ListHandshakesForAccount", nil, &out)); err != nil {
		return err
	}
	for _, h := range out.Handshakes {
		if !d.Management || h.Action != "INVITE" {
			d.Received = append(d.Received, h)
		}
	}
	return c.render(w, r, http.StatusOK, "invitations", v)
}

func (c *Console) invite(w http.ResponseWriter, r *http.Request, s *session) error {
	f := r.PostForm
	typ := "ACCOUNT"
	if strings.Contains(f.Get("target"), "@") {
		typ = "EMAIL"
	}
	in := map[string]any{"Target": map[string]any{"Id": strings.TrimSpace(f.Get("target")), "Type": typ}}
	if notes := strings.TrimSpace(f.Get("notes")); notes != "" {
		in["Notes"] = notes
	}
	return c.orgAction(w, r, s, "InviteAccountToOrganization", in, "The invitation is sent.", "organizations/invitations")
}

func (c *Console) handshake(w http.ResponseWriter, r *http.Request, s *session) error {
	f := r.PostForm
	ops := map[string]string{"accept": "AcceptHandshake", "decline": "DeclineHandshake", "cancel": "CancelHandshake"}
	op, ok := ops[f.Get("action")]
	if !ok {
		c.forbidden(w, r, "Unknown invitation action.")
		return nil
	}
	return c.orgAction(w, r, s, op, map[string]any{"HandshakeId": f.Get("handshake")}, "Invitation "+f.Get("handshake")+": "+f.Get("action")+"ed.", "organizations/invitations")
}

// knownServices are the service principals the trusted-access page offers.
var knownServices = []string{
	"account.amazonaws.com", "cloudtrail.amazonaws.com", "config.amazonaws.com", "guardduty.amazonaws.com",
	"iam.amazonaws.com", "securityhub.amazonaws.com", "sso.amazonaws.com", "member.org.stacksets.cloudformation.amazonaws.com",
}

type servicesData struct {
	Management bool
	None       bool
	Enabled    []struct {
		ServicePrincipal string      `json:"ServicePrincipal"`
		DateEnabled      json.Number `json:"DateEnabled"`
	}
	Known     []string
	Delegated []delegatedView
	Error     *flash
	Accounts  []orgAccount
}

type delegatedView struct {
	ID, Name, Email string
	Services        []string
}

func (c *Console) servicesPage(w http.ResponseWriter, r *http.Request, s *session) error {
	d := &servicesData{Known: knownServices}
	v := c.newView(s, "Services and delegated administrators", "organizations", d)
	org, none, err := c.describeOrg(r, s)
	if d.Error, err = softFail(err); err != nil {
		return err
	}
	d.None, d.Management = none, !none && org.MasterAccountID == string(s.caller.Account)
	if !d.Management {
		return c.render(w, r, http.StatusOK, "services", v)
	}
	if d.Error, err = softFail(c.call(r, s, "organizations", "ListAWSServiceAccessForOrganization", nil, d)); err != nil {
		return err
	}
	var das struct {
		DelegatedAdministrators []orgAccount `json:"DelegatedAdministrators"`
	}
	if f, err := softFail(c.call(r, s, "organizations", "ListDelegatedAdministrators", nil, &das)); err != nil {
		return err
	} else if f != nil {
		d.Error = f
	}
	for _, a := range das.DelegatedAdministrators {
		dv := delegatedView{ID: a.ID, Name: a.Name, Email: a.Email}
		var ds struct {
			DelegatedServices []struct {
				ServicePrincipal string `json:"ServicePrincipal"`
			} `json:"DelegatedServices"`
		}
		if err := c.call(r, s, "organizations", "ListDelegatedServicesForAccount", map[string]any{"AccountId": a.ID}, &ds); err == nil {
			for _, x := range ds.DelegatedServices {
				dv.Services = append(dv.Services, x.ServicePrincipal)
			}
		}
		d.Delegated = append(d.Delegated, dv)
	}
	var accts struct {
		Accounts []orgAccount `json:"Accounts"`
	}
	if err := c.call(r, s, "organizations", "ListAccounts", nil, &accts); err == nil {
		d.Accounts = accts.Accounts
	}
	return c.render(w, r, http.StatusOK, "services", v)
}

func (c *Console) serviceAccess(w http.ResponseWriter, r *http.Request, s *session) error {
	f := r.PostForm
	sp := f.Get("service")
	if f.Get("action") == "disable" {
		return c.orgAction(w, r, s, "DisableAWSServiceAccess", map[string]any{"ServicePrincipal": sp}, "Trusted access for "+sp+" is disabled.", "organizations/services")
	}
	if strings.TrimSpace(f.Get("confirm")) != "enable" {
		s.addFlash(flash{Kind: "error", Title: "Trusted access was not enabled", Message: "Type enable to confirm."})
		redirect(w, r, "organizations/services")
		return nil
	}
	return c.orgAction(w, r, s, "EnableAWSServiceAccess", map[string]any{"ServicePrincipal": sp}, "Trusted access for "+sp+" is enabled.", "organizations/services")
}

func (c *Console) delegatedAdmin(w http.ResponseWriter, r *http.Request, s *session) error {
	f := r.PostForm
	in := map[string]any{"AccountId": f.Get("account"), "ServicePrincipal": f.Get("service")}
	if f.Get("action") == "deregister" {
		return c.orgAction(w, r, s, "DeregisterDelegatedAdministrator", in, "Account "+f.Get("account")+" is no longer a delegated administrator for "+f.Get("service")+".", "organizations/services")
	}
	return c.orgAction(w, r, s, "RegisterDelegatedAdministrator", in, "Account "+f.Get("account")+" is a delegated administrator for "+f.Get("service")+".", "organizations/services")
}

// policyTypes are the Organizations policy types, in the console's order.
var policyTypes = []struct{ Type, Label string }{
	{"SERVICE_CONTROL_POLICY", "Service control policies"},
	{"RESOURCE_CONTROL_POLICY", "Resource control policies"},
	{"DECLARATIVE_POLICY_EC2", "Declarative policies"},
	{"BACKUP_POLICY", "Backup policies"},
	{"TAG_POLICY", "Tag policies"},
	{"CHATBOT_POLICY", "Chat applications policies"},
	{"AISERVICES_OPT_OUT_POLICY", "AI services opt-out policies"},
}

type policiesData struct {
	Management bool
	None       bool
	Error      *flash
	Root       string
	Types      []policyTypeView
	Parents    []parentOption
	// Effective is the effective policy section (any account of an
	// organization).
	Effective *effectiveView
}

// effectiveView is an account's effective policy of one management
// policy type (Organizations DescribeEffectivePolicy), chosen by the
// section's GET form (?account=&type=).
type effectiveView struct {
	Accounts []parentOption
	Types    []struct{ Type, Label string }
	// Account and Type are the choice; Asked reports that one was made.
	Account, Type string
	Asked         bool
	// Content is the policy pretty-printed, Updated when it last changed;
	// Notice the API's refusal (EffectivePolicyNotFoundException...).
	Content, Updated string
	Notice           *flash
}

// effectiveTypes are the management policy types, the ones with an
// effective policy.
func effectiveTypes() []struct{ Type, Label string } {
	var out []struct{ Type, Label string }
	for _, pt := range policyTypes {
		if pt.Type != "SERVICE_CONTROL_POLICY" && pt.Type != "RESOURCE_CONTROL_POLICY" {
			out = append(out, pt)
		}
	}
	return out
}

// effectivePolicy fills e with the effective policy the request asks for
// (?account=&type=), if it asks.
func (c *Console) effectivePolicy(r *http.Request, s *session, e *effectiveView) error {
	q := r.URL.Query()
	e.Account, e.Type = q.Get("account"), q.Get("type")
	if e.Account == "" || e.Type == "" {
		if e.Type == "" && len(e.Types) > 0 {
			e.Type = e.Types[0].Type
		}
		return nil
	}
	e.Asked = true
	var out struct {
		EffectivePolicy struct {
			PolicyContent        string      `json:"PolicyContent"`
			LastUpdatedTimestamp json.Number `json:"LastUpdatedTimestamp"`
		} `json:"EffectivePolicy"`
	}
	err := c.call(r, s, "organizations", "DescribeEffectivePolicy", map[string]any{"PolicyType": e.Type, "TargetId": e.Account}, &out)
	if e.Notice, err = softFail(err); err != nil || e.Notice != nil {
		if e.Notice != nil && e.Notice.Title == "EffectivePolicyNotFoundException" {
			e.Notice.Kind = "info"
		}
		return err
	}
	e.Content = indentJSON(out.EffectivePolicy.PolicyContent)
	e.Updated = fmtEpoch(out.EffectivePolicy.LastUpdatedTimestamp)
	return nil
}

type policyTypeView struct {
	Type, Label string
	Status      string // ENABLED, PENDING_*, or "" (disabled)
	Policies    []policyView
	Error       *flash
}

type policyView struct {
	ID, Name, Description string
	AwsManaged            bool
	Targets               []struct {
		TargetID string `json:"TargetId"`
		Name     string `json:"Name"`
		Type     string `json:"Type"`
	}
}

func (c *Console) policiesPage(w http.ResponseWriter, r *http.Request, s *session) error {
	d := &policiesData{}
	v := c.newView(s, "Policies", "organizations", d)
	org, none, err := c.describeOrg(r, s)
	if d.Error, err = softFail(err); err != nil {
		return err
	}
	d.None, d.Management = none, !none && org.MasterAccountID == string(s.caller.Account)
	if !none && d.Error == nil {
		d.Effective = &effectiveView{Types: effectiveTypes(),
			Accounts: []parentOption{{string(s.caller.Account), "This account (" + string(s.caller.Account) + ")"}}}
	}
	if !d.Management {
		if d.Effective != nil {
			if err := c.effectivePolicy(r, s, d.Effective); err != nil {
				return err
			}
		}
		return c.render(w, r, http.StatusOK, "policies", v)
	}
	var roots struct {
		Roots []orgRoot `json:"Roots"`
	}
	if d.Error, err = softFail(c.call(r, s, "organizations", "ListRoots", nil, &roots)); err != nil || d.Error != nil || len(roots.Roots) == 0 {
		if err == nil {
			err = c.render(w, r, http.StatusOK, "policies", v)
		}
		return err
	}
	root := roots.Roots[0]
	d.Root = root.ID
	tree := &node{ID: root.ID}
	d.Parents = []parentOption{{root.ID, "Root (" + root.ID + ")"}}
	if err := c.grow(r, s, tree, "Root", &d.Parents); err == nil {
		addAccounts(tree, &d.Parents)
		d.Effective.Accounts = nil
		addAccounts(tree, &d.Effective.Accounts)
	}
	if err := c.effectivePolicy(r, s, d.Effective); err != nil {
		return err
	}
	status := map[string]string{}
	for _, pt := range root.PolicyTypes {
		status[pt.Type] = pt.Status
	}
	for _, pt := range policyTypes {
		tv := policyTypeView{Type: pt.Type, Label: pt.Label, Status: status[pt.Type]}
		if tv.Status == "ENABLED" {
			var out struct {
				Policies []struct {
					ID          string `json:"Id"`
					Name        string `json:"Name"`
					Description string `json:"Description"`
					AwsManaged  bool   `json:"AwsManaged"`
				} `json:"Policies"`
			}
			if tv.Error, err = softFail(c.call(r, s, "organizations", "ListPolicies", map[string]any{"Filter": pt.Type}, &out)); err != nil {
				return err
			}
			for _, p := range out.Policies {
				pv := policyView{ID: p.ID, Name: p.Name, Description: p.Description, AwsManaged: p.AwsManaged}
				var tg struct {
					Targets []struct {
						TargetID string `json:"TargetId"`
						Name     string `json:"Name"`
						Type     string `json:"Type"`
					} `json:"Targets"`
				}
				if err := c.call(r, s, "organizations", "ListTargetsForPolicy", map[string]any{"PolicyId": p.ID}, &tg); err == nil {
					pv.Targets = tg.Targets
				}
				tv.Policies = append(tv.Policies, pv)
			}
		}
		d.Types = append(d.Types, tv)
	}
	return c.render(w, r, http.StatusOK, "policies", v)
}

// addAccounts adds the tree's accounts to the attach form's targets.
func addAccounts(n *node, out *[]parentOption) {
	for _, a := range n.Accounts {
		*out = append(*out, parentOption{a.ID, "Account " + a.Name + " (" + a.ID + ")"})
	}
	for _, ou := range n.OUs {
		addAccounts(ou, out)
	}
}

func (c *Console) policyType(w http.ResponseWriter, r *http.Request, s *session) error {
	f := r.PostForm
	in := map[string]any{"RootId": f.Get("root"), "PolicyType": f.Get("type")}
	if f.Get("action") == "disable" {
		return c.orgAction(w, r, s, "DisablePolicyType", in, f.Get("type")+" is disabled.", "organizations/policies")
	}
	return c.orgAction(w, r, s, "EnablePolicyType", in, f.Get("type")+" is enabled.", "organizations/policies")
}

func (c *Console) createPolicy(w http.ResponseWriter, r *http.Request, s *session) error {
	f := r.PostForm
	in := map[string]any{"Name": strings.TrimSpace(f.Get("name")), "Type": f.Get("type"), "Content": f.Get("content"),
		"Description": strings.TrimSpace(f.Get("description"))}
	return c.orgAction(w, r, s, "CreatePolicy", in, "The policy “"+strings.TrimSpace(f.Get("name"))+"” is created.", "organizations/policies")
}

func (c *Console) attachPolicy(w http.ResponseWriter, r *http.Request, s *session) error {
	f := r.PostForm
	in := map[string]any{"PolicyId": f.Get("policy"), "TargetId": f.Get("target")}
	if f.Get("action") == "detach" {
		return c.orgAction(w, r, s, "DetachPolicy", in, "The policy is detached from "+f.Get("target")+".", "organizations/policies")
	}
	return c.orgAction(w, r, s, "AttachPolicy", in, "The policy is attached to "+f.Get("target")+".", "organizations/policies")
}
