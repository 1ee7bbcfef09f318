package orgsapi

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/accountplane/accountplane/internal/arn"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/jsonstr"
	"github.com/accountplane/accountplane/internal/organizations"
)

// The output wire shapes, with the model's member names. Optional members
// the domain has no value for are omitted; lists are never null.

// epochSeconds is a Timestamp as awsJson sends it: epoch seconds as a JSON
// number, with millisecond precision. The zero time is absent.
func epochSeconds(t time.Time) json.Number {
	if t.IsZero() {
		return ""
	}
	ms := t.UnixMilli()
	return json.Number(strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64))
}

// ARNs of Organizations resources. Every one but the AWS-managed policies'
// names the management account and the organization.
func arnOf(mgmt identity.AccountID, resource string) string {
	return arn.Organizations(string(mgmt), resource)
}

func orgARN(o *organizations.Organization) string {
	return arnOf(o.ManagementAccount, "organization/"+string(o.ID))
}

func accountARN(o *organizations.Organization, id identity.AccountID) string {
	return arnOf(o.ManagementAccount, "account/"+string(o.ID)+"/"+string(id))
}

func rootARN(o *organizations.Organization) string {
	return arnOf(o.ManagementAccount, "root/"+string(o.ID)+"/"+string(o.RootID))
}

func ouARN(o *organizations.Organization, id organizations.OUID) string {
	return arnOf(o.ManagementAccount, "ou/"+string(o.ID)+"/"+string(id))
}

func handshakeARN(mgmt identity.AccountID, h *organizations.Handshake) string {
	return arnOf(mgmt, "handshake/"+string(h.Org)+"/"+strings.ToLower(string(h.Action))+"/"+string(h.ID))
}

// policyARN is the ARN of p; mgmt is the management account of p's
// organization (unused for AWS-managed policies).
func policyARN(mgmt identity.AccountID, p *organizations.Policy) string {
	typ := strings.ToLower(string(p.Type))
	if p.AWSManaged {
		return arn.AWSOrganizationsPolicy(typ, string(p.ID))
	}
	return arnOf(mgmt, "policy/"+string(p.Org)+"/"+typ+"/"+string(p.ID))
}

type policyTypeSummary struct {
	Type   string `json:"Type"`
	Status string `json:"Status"`
}

func policyTypes(o *organizations.Organization) []policyTypeSummary {
	out := make([]policyTypeSummary, 0, len(o.EnabledPolicyTypes))
	for _, t := range append(o.EnabledPolicyTypes[:len(o.EnabledPolicyTypes):len(o.EnabledPolicyTypes)], o.PolicyTypeDisabling()...) {
		out = append(out, policyTypeSummary{Type: string(t), Status: o.PolicyTypeStatus(t)})
	}
	return out
}

type organizationWire struct {
	Id                 string `json:"Id"`
	Arn                string `json:"Arn"`
	FeatureSet         string `json:"FeatureSet"`
	MasterAccountArn   string `json:"MasterAccountArn"`
	MasterAccountId    string `json:"MasterAccountId"`
	MasterAccountEmail string `json:"MasterAccountEmail,omitempty"`
	// AvailablePolicyTypes is deprecated in favour of Root.PolicyTypes; it
	// mirrors the root's enabled types.
	AvailablePolicyTypes []policyTypeSummary `json:"AvailablePolicyTypes"`
}

func organizationOut(v *organizations.OrganizationView) organizationWire {
	o := &v.Organization
	return organizationWire{
		Id: string(o.ID), Arn: orgARN(o), FeatureSet: string(o.FeatureSet),
		MasterAccountArn: accountARN(o, o.ManagementAccount), MasterAccountId: string(o.ManagementAccount),
		MasterAccountEmail: v.ManagementEmail, AvailablePolicyTypes: policyTypes(o),
	}
}

type rootWire struct {
	Id          string              `json:"Id"`
	Arn         string              `json:"Arn"`
	Name        string              `json:"Name"`
	PolicyTypes []policyTypeSummary `json:"PolicyTypes"`
}

func rootOut(o *organizations.Organization) rootWire {
	return rootWire{Id: string(o.RootID), Arn: rootARN(o), Name: "Root", PolicyTypes: policyTypes(o)}
}

type ouWire struct {
	Id   string `json:"Id"`
	Arn  string `json:"Arn"`
	Name string `json:"Name"`
	Path string `json:"Path,omitempty"`
}

func ouOut(v *organizations.OUView) ouWire {
	return ouWire{Id: string(v.OU.ID), Arn: ouARN(v.Org, v.OU.ID), Name: v.OU.Name, Path: v.Path}
}

// accountStatus is the retiring Status member: ACTIVE, SUSPENDED or
// PENDING_CLOSURE. A closed account reads SUSPENDED, an account still
// activating ACTIVE.
func accountStatus(s organizations.AccountState) string {
	switch s {
	case organizations.StateSuspended, organizations.StateClosed:
		return "SUSPENDED"
	case organizations.StatePendingClosure:
		return "PENDING_CLOSURE"
	}
	return "ACTIVE"
}

type accountWire struct {
	Id              string      `json:"Id"`
	Arn             string      `json:"Arn"`
	Email           string      `json:"Email,omitempty"`
	Name            string      `json:"Name,omitempty"`
	Status          string      `json:"Status"`
	State           string      `json:"State"`
	Paths           []string    `json:"Paths,omitempty"`
	JoinedMethod    string      `json:"JoinedMethod"`
	JoinedTimestamp json.Number `json:"JoinedTimestamp,omitempty"`
}

// appendJSON writes a as encoding/json does (its tags' order and
// omitempty); JoinedTimestamp is a number epochSeconds made.
func (a *accountWire) appendJSON(b []byte) []byte {
	b = append(b, `{"Id":`...)
	b = jsonstr.Append(b, a.Id)
	b = append(b, `,"Arn":`...)
	b = jsonstr.Append(b, a.Arn)
	if a.Email != "" {
		b = append(b, `,"Email":`...)
		b = jsonstr.Append(b, a.Email)
	}
	if a.Name != "" {
		b = append(b, `,"Name":`...)
		b = jsonstr.Append(b, a.Name)
	}
	b = append(b, `,"Status":`...)
	b = jsonstr.Append(b, a.Status)
	b = append(b, `,"State":`...)
	b = jsonstr.Append(b, a.State)
	if len(a.Paths) > 0 {
		b = append(b, `,"Paths":[`...)
		for i, p := range a.Paths {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonstr.Append(b, p)
		}
		b = append(b, ']')
	}
	b = append(b, `,"JoinedMethod":`...)
	b = jsonstr.Append(b, a.JoinedMethod)
	if a.JoinedTimestamp != "" {
		b = append(b, `,"JoinedTimestamp":`...)
		b = append(b, a.JoinedTimestamp...)
	}
	return append(b, '}')
}

func accountOut(v *organizations.AccountView) accountWire {
	w := accountWire{
		Id: string(v.Account.ID), Arn: accountARN(v.Org, v.Account.ID), Email: v.Account.Email, Name: v.Account.Name,
		Status: accountStatus(v.State), State: string(v.State), JoinedMethod: string(v.Member.Method),
		JoinedTimestamp: epochSeconds(v.Member.JoinedAt),
	}
	if v.Path != "" {
		w.Paths = []string{v.Path}
	}
	return w
}

type delegatedAdministratorWire struct {
	Id                    string      `json:"Id"`
	Arn                   string      `json:"Arn"`
	Email                 string      `json:"Email,omitempty"`
	Name                  string      `json:"Name,omitempty"`
	Status                string      `json:"Status"`
	State                 string      `json:"State"`
	JoinedMethod          string      `json:"JoinedMethod"`
	JoinedTimestamp       json.Number `json:"JoinedTimestamp,omitempty"`
	DelegationEnabledDate json.Number `json:"DelegationEnabledDate,omitempty"`
}

func delegatedAdministratorOut(v *organizations.DelegatedAdminView) delegatedAdministratorWire {
	a := accountOut(&v.AccountView)
	return delegatedAdministratorWire{
		Id: a.Id, Arn: a.Arn, Email: a.Email, Name: a.Name, Status: a.Status, State: a.State,
		JoinedMethod: a.JoinedMethod, JoinedTimestamp: a.JoinedTimestamp,
		DelegationEnabledDate: epochSeconds(v.EnabledAt),
	}
}

type delegatedServiceWire struct {
	ServicePrincipal      string      `json:"ServicePrincipal"`
	DelegationEnabledDate json.Number `json:"DelegationEnabledDate,omitempty"`
}

type enabledServicePrincipalWire struct {
	ServicePrincipal string      `json:"ServicePrincipal"`
	DateEnabled      json.Number `json:"DateEnabled,omitempty"`
}

type createAccountStatusWire struct {
	Id                 string      `json:"Id"`
	AccountName        string      `json:"AccountName,omitempty"`
	State              string      `json:"State"`
	RequestedTimestamp json.Number `json:"RequestedTimestamp,omitempty"`
	CompletedTimestamp json.Number `json:"CompletedTimestamp,omitempty"`
	AccountId          string      `json:"AccountId,omitempty"`
	FailureReason      string      `json:"FailureReason,omitempty"`
	GovCloudAccountId  string      `json:"GovCloudAccountId,omitempty"`
}

func (a *api) createAccountStatusOut(s *organizations.CreateAccountStatus) createAccountStatusWire {
	st := s.StateAt(a.now())
	w := createAccountStatusWire{
		Id: string(s.ID), AccountName: s.AccountName, State: string(st),
		RequestedTimestamp: epochSeconds(s.RequestedAt),
	}
	if st != organizations.CreateInProgress {
		w.CompletedTimestamp = epochSeconds(s.DueAt)
	}
	switch st {
	case organizations.CreateSucceeded:
		w.AccountId, w.GovCloudAccountId = string(s.Account), string(s.GovCloudAccount)
	case organizations.CreateFailed:
		w.FailureReason = s.FailureReason
	}
	return w
}

type handshakePartyWire struct {
	Id   string `json:"Id"`
	Type string `json:"Type"`
}

type handshakeResourceWire struct {
	Value     string                  `json:"Value,omitempty"`
	Type      string                  `json:"Type"`
	Resources []handshakeResourceWire `json:"Resources,omitempty"`
}

type handshakeWire struct {
	Id                  string                  `json:"Id"`
	Arn                 string                  `json:"Arn,omitempty"`
	Parties             []handshakePartyWire    `json:"Parties"`
	State               string                  `json:"State"`
	RequestedTimestamp  json.Number             `json:"RequestedTimestamp,omitempty"`
	ExpirationTimestamp json.Number             `json:"ExpirationTimestamp,omitempty"`
	Action              string                  `json:"Action"`
	Resources           []handshakeResourceWire `json:"Resources"`
}

// handshakeOut renders h. mgmt is the management account of h's
// organization, "" when the caller can't know it.
//
// TODO(fidelity): AWS always sends Arn. The domain's Handshake does not
// carry its organization's management account, so the Arn is left out
// when the caller is outside that organization (an invitee before it
// accepts).
func (a *api) handshakeOut(h *organizations.Handshake, mgmt identity.AccountID) handshakeWire {
	w := handshakeWire{
		Id: string(h.ID), State: string(h.StateAt(a.now())), Action: string(h.Action),
		RequestedTimestamp: epochSeconds(h.RequestedAt), ExpirationTimestamp: epochSeconds(h.ExpiresAt),
		Parties: []handshakePartyWire{{Id: string(h.Org), Type: string(organizations.PartyOrganization)}},
	}
	if mgmt == "" {
		mgmt = h.ManagementAccount
	}
	if mgmt != "" {
		w.Arn = handshakeARN(mgmt, h)
	}
	org := handshakeResourceWire{Type: "ORGANIZATION", Value: string(h.Org)}
	for _, r := range []handshakeResourceWire{
		{Type: "MASTER_EMAIL", Value: h.ManagementEmail},
		{Type: "MASTER_NAME", Value: h.ManagementName},
		{Type: "ORGANIZATION_FEATURE_SET", Value: string(h.FeatureSet)},
	} {
		if r.Value != "" {
			org.Resources = append(org.Resources, r)
		}
	}
	w.Resources = []handshakeResourceWire{org}
	if h.TargetType != organizations.PartyOrganization && h.Target != "" {
		w.Parties = append(w.Parties, handshakePartyWire{Id: h.Target, Type: string(h.TargetType)})
		w.Resources = append(w.Resources, handshakeResourceWire{Type: string(h.TargetType), Value: h.Target})
	}
	if h.Notes != "" {
		w.Resources = append(w.Resources, handshakeResourceWire{Type: "NOTES", Value: h.Notes})
	}
	if h.Parent != "" {
		w.Resources = append(w.Resources, handshakeResourceWire{Type: "PARENT_HANDSHAKE", Value: string(h.Parent)})
	}
	w.Resources = append(w.Resources, transferResources(h)...)
	return w
}

type policySummaryWire struct {
	Id          string `json:"Id"`
	Arn         string `json:"Arn"`
	Name        string `json:"Name"`
	Description string `json:"Description"`
	Type        string `json:"Type"`
	AwsManaged  bool   `json:"AwsManaged"`
}

func policySummaryOut(mgmt identity.AccountID, p *organizations.Policy) policySummaryWire {
	return policySummaryWire{
		Id: string(p.ID), Arn: policyARN(mgmt, p), Name: p.Name, Description: p.Description,
		Type: string(p.Type), AwsManaged: p.AWSManaged,
	}
}

type policyWire struct {
	PolicySummary policySummaryWire `json:"PolicySummary"`
	Content       string            `json:"Content"`
}

func policyOut(mgmt identity.AccountID, p *organizations.Policy) policyWire {
	return policyWire{PolicySummary: policySummaryOut(mgmt, p), Content: p.Content}
}

type policyTargetWire struct {
	TargetId string `json:"TargetId"`
	Arn      string `json:"Arn"`
	Name     string `json:"Name"`
	Type     string `json:"Type"`
}

func targetARN(o *organizations.Organization, t *organizations.Target) string {
	switch t.Type {
	case organizations.TargetRoot:
		return rootARN(o)
	case organizations.TargetOU:
		return ouARN(o, organizations.OUID(t.ID))
	}
	return accountARN(o, identity.AccountID(t.ID))
}

type idTypeWire struct {
	Id   string `json:"Id"`
	Type string `json:"Type"`
}

type tagWire struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}
