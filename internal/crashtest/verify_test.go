package crashtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/account"
	atypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// settleTimeout bounds the wait for Region transitions, account creations
// and their events to complete after a restart.
const settleTimeout = 60 * time.Second

// trailRecord is what the checks read of a CloudTrail record.
type trailRecord struct {
	RequestID         string         `json:"requestID"`
	ErrorCode         string         `json:"errorCode"`
	RequestParameters map[string]any `json:"requestParameters"`
}

// param returns the string request parameter name of r.
func (r trailRecord) param(name string) string {
	s, _ := r.RequestParameters[name].(string)
	return s
}

// verification is one check of the server's whole state against the
// ledger.
type verification struct {
	*checker
	w      *workload
	ctx    context.Context
	writes []*write
	// allRoles checks the roles of every member, not only of those no
	// earlier verification checked.
	allRoles bool
	trails   map[[2]string][]trailRecord
}

// verify checks the running server against every write of the ledger:
// each acknowledged write is present with its CloudTrail record (and, for
// Regions, its events); nothing is present that no write sent could have
// made; and nothing is half done.
func (w *workload) verify(ctx context.Context, t *testing.T, label string, allRoles bool) tally {
	t.Helper()
	v := &verification{checker: &checker{t: t, label: label, expected: w.planted}, w: w, ctx: ctx, writes: w.l.all(), allRoles: allRoles,
		trails: map[[2]string][]trailRecord{}}
	events, err := v.settle()
	if err != nil {
		t.Fatalf("%s: the server did not settle: %v\n%s", label, err, w.srv.logs())
	}
	for _, step := range []func() error{v.users, v.ous, v.contacts, func() error { return v.regions(events) }, v.organization} {
		if err := step(); err != nil {
			t.Fatalf("%s: %v\n%s", label, err, w.srv.logs())
		}
	}
	v.trailOfAcknowledged()
	return v.tally
}

func (v *verification) mgmt() aws.Config { return v.w.srv.config(rootKey, rootSecret) }

// settle waits until no Region is in transition, no account creation is in
// progress and every transition's events are in the log, which it returns.
func (v *verification) settle() (map[string][]regionEvent, error) {
	c := account.NewFromConfig(v.mgmt())
	err := eventually(v.ctx, settleTimeout, 100*time.Millisecond, func() error {
		for _, r := range v.w.regions {
			out, err := c.GetRegionOptStatus(v.ctx, &account.GetRegionOptStatusInput{RegionName: aws.String(r)})
			if err != nil {
				return err
			}
			if s := out.RegionOptStatus; s != atypes.RegionOptStatusEnabled && s != atypes.RegionOptStatusDisabled {
				return fmt.Errorf("%s is %s", r, s)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	orgs := organizations.NewFromConfig(v.mgmt())
	err = eventually(v.ctx, settleTimeout, 100*time.Millisecond, func() error {
		out, err := orgs.ListCreateAccountStatus(v.ctx, &organizations.ListCreateAccountStatusInput{
			States: []otypes.CreateAccountState{otypes.CreateAccountStateInProgress}})
		if err != nil {
			return err
		}
		if n := len(out.CreateAccountStatuses); n > 0 {
			return fmt.Errorf("%d account creations in progress", n)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var log map[string][]regionEvent
	err = eventually(v.ctx, settleTimeout, 200*time.Millisecond, func() (err error) {
		if log, err = eventLog(v.ctx, v.w.srv); err != nil {
			return err
		}
		for _, r := range v.w.regions {
			if err := settled(log[r]); err != nil {
				return err
			}
		}
		return nil
	})
	return log, err
}

// sent returns the writes of kind, in the order they were sent.
func (v *verification) sent(kind string) []*write {
	var out []*write
	for _, w := range v.writes {
		if w.kind == kind {
			out = append(out, w)
		}
	}
	return out
}

// trail returns the CloudTrail records of event in acct's event history
// (read with cfg, a key of acct), successful and failed.
func (v *verification) trail(cfg aws.Config, acct, event string) ([]trailRecord, error) {
	key := [2]string{acct, event}
	if recs, ok := v.trails[key]; ok {
		return recs, nil
	}
	c := cloudtrail.NewFromConfig(cfg)
	p := cloudtrail.NewLookupEventsPaginator(c, &cloudtrail.LookupEventsInput{
		MaxResults:       aws.Int32(trailPage),
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String(event)}},
	})
	var recs []trailRecord
	for p.HasMorePages() {
		page, err := p.NextPage(v.ctx)
		if err != nil {
			return nil, fmt.Errorf("LookupEvents %s in %s: %w", event, acct, err)
		}
		for _, e := range page.Events {
			var r trailRecord
			if err := json.Unmarshal([]byte(aws.ToString(e.CloudTrailEvent)), &r); err != nil {
				return nil, fmt.Errorf("CloudTrail record of %s: %w", event, err)
			}
			recs = append(recs, r)
		}
	}
	v.trails[key] = recs
	return recs, nil
}

// recordCounts counts the records of event in the management account's
// event history by the value of their request parameter param: all of
// them, and the successful ones.
func (v *verification) recordCounts(event, param string) (all, ok map[string]int, err error) {
	recs, err := v.trail(v.mgmt(), mgmtAccount, event)
	if err != nil {
		return nil, nil, err
	}
	all, ok = map[string]int{}, map[string]int{}
	for _, r := range recs {
		all[r.param(param)]++
		if r.ErrorCode == "" {
			ok[r.param(param)]++
		}
	}
	return all, ok, nil
}

// committed checks the records of a change against its presence (a
// change and its record commit together): present changes made by n
// requests need n records, n of them successful, but a request whose
// change committed may still have been answered with an error (its record
// then says so, and the answer was no acknowledgement): such records are
// counted, not failed. what describes the change.
func (v *verification) committed(what string, n, all, ok int) {
	v.t.Helper()
	switch {
	case ok > n:
		v.partial("%s: %d successful records for %d changes", what, ok, n)
	case all < n:
		v.partial("%s: %d changes but %d records", what, n, all)
	case ok < n:
		v.failedAfterCommit(what, n-ok)
	}
}

// names checks a set of names the server holds against the writes of
// kind (acknowledged ones must be there, unknown ones must not) and
// against the records of event, whose request parameter param holds the
// name.
func (v *verification) names(kind, what string, present map[string]bool, event, param string) error {
	sent := map[string]bool{}
	for _, w := range v.writes {
		if w.kind == kind || (w.kind == kindSetup && kind == kindUser) {
			sent[w.key] = true
			if w.acked && !present[w.key] {
				v.lost("%s %s was acknowledged (round %d, request %s) but is missing", what, w.key, w.round, w.requestID)
			}
		}
	}
	for name := range present {
		if !sent[name] {
			v.invented("%s %s exists but no request created it", what, name)
		}
	}
	all, ok, err := v.recordCounts(event, param)
	if err != nil {
		return err
	}
	for name := range present {
		v.committed(fmt.Sprintf("%s %s", what, name), 1, all[name], ok[name])
	}
	for name, n := range ok {
		if !present[name] {
			v.committed(fmt.Sprintf("%s %s", what, name), 0, all[name], n)
		}
	}
	return nil
}

func (v *verification) users() error {
	present := map[string]bool{}
	p := iam.NewListUsersPaginator(iam.NewFromConfig(v.mgmt()), &iam.ListUsersInput{MaxItems: aws.Int32(1000)})
	for p.HasMorePages() {
		page, err := p.NextPage(v.ctx)
		if err != nil {
			return fmt.Errorf("ListUsers: %w", err)
		}
		for _, u := range page.Users {
			present[aws.ToString(u.UserName)] = true
		}
	}
	return v.names(kindUser, "IAM user", present, "CreateUser", "userName")
}

func (v *verification) ous() error {
	present := map[string]bool{}
	p := organizations.NewListOrganizationalUnitsForParentPaginator(organizations.NewFromConfig(v.mgmt()),
		&organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(v.w.rootID)})
	for p.HasMorePages() {
		page, err := p.NextPage(v.ctx)
		if err != nil {
			return fmt.Errorf("ListOrganizationalUnitsForParent: %w", err)
		}
		for _, ou := range page.OrganizationalUnits {
			present[aws.ToString(ou.Name)] = true
		}
	}
	return v.names(kindOU, "OU", present, "CreateOrganizationalUnit", "name")
}

// acceptable returns the values a sequence of writes to one thing (sent
// one at a time, in order) may have left: the last acknowledged one's or
// any sent after it; before any acknowledgement, also initial.
func acceptable(seq []*write, initial string) map[string]bool {
	ok := map[string]bool{initial: true}
	for _, w := range seq {
		if w.acked {
			ok = map[string]bool{}
		}
		ok[w.value] = true
	}
	return ok
}

func (v *verification) contacts() error {
	c := account.NewFromConfig(v.mgmt())
	byType := map[string][]*write{}
	for _, w := range v.sent(kindContact) {
		byType[w.key] = append(byType[w.key], w)
	}
	for typ, seq := range byType {
		got := noSuchValue
		out, err := c.GetAlternateContact(v.ctx, &account.GetAlternateContactInput{AlternateContactType: atypes.AlternateContactType(typ)})
		var nf *atypes.ResourceNotFoundException
		switch {
		case errors.As(err, &nf):
		case err != nil:
			return fmt.Errorf("GetAlternateContact %s: %w", typ, err)
		default:
			got = aws.ToString(out.AlternateContact.Name)
		}
		if acceptable(seq, noSuchValue)[got] {
			continue
		}
		known := false
		for _, w := range seq {
			known = known || w.value == got
		}
		if got == noSuchValue {
			v.lost("the %s contact does not exist, yet a put was acknowledged", typ)
		} else if known {
			v.lost("the %s contact is %q, older than the last acknowledged write", typ, got)
		} else {
			v.invented("the %s contact is %q, a name never sent", typ, got)
		}
	}
	return nil
}

// regions checks each Region's status against its writes, its events
// against its transitions (one start and one end each, in turn) and its
// CloudTrail records against its events.
func (v *verification) regions(events map[string][]regionEvent) error {
	c := account.NewFromConfig(v.mgmt())
	enablesAll, enablesOK, err := v.recordCounts("EnableRegion", "regionName")
	if err != nil {
		return err
	}
	disablesAll, disablesOK, err := v.recordCounts("DisableRegion", "regionName")
	if err != nil {
		return err
	}
	for _, r := range v.w.regions {
		out, err := c.GetRegionOptStatus(v.ctx, &account.GetRegionOptStatusInput{RegionName: aws.String(r)})
		if err != nil {
			return fmt.Errorf("GetRegionOptStatus %s: %w", r, err)
		}
		status := string(out.RegionOptStatus)
		var seq []*write
		acked := 0
		for _, w := range v.sent(kindRegion) {
			if w.key == r {
				seq = append(seq, w)
				if w.acked {
					acked++
				}
			}
		}
		if !acceptable(seq, "DISABLED")[status] {
			v.lost("%s is %s, which is not the target of its last acknowledged request or a later one", r, status)
		}
		// The events must run ENABLING, ENABLED, DISABLING, DISABLED, ...
		evs := events[r]
		cycle := []string{"ENABLING", "ENABLED", "DISABLING", "DISABLED"}
		starts := map[string]int{}
		for i, e := range evs {
			if want := cycle[i%4]; e.Status != want {
				v.invented("event %d of %s is %s (id %s), want %s: the transitions' events are not each emitted once", i, r, e.Status, e.ID, want)
				break
			}
			if e.Account != mgmtAccount {
				v.invented("event %s of %s names account %s", e.ID, r, e.Account)
			}
			if i%2 == 0 {
				starts[e.Status]++
			}
		}
		n := starts["ENABLING"] + starts["DISABLING"]
		if n < acked {
			v.lost("%s: %d acknowledged requests but %d transitions in the event log", r, acked, n)
		}
		if n > len(seq) {
			v.invented("%s: %d transitions in the event log but only %d requests sent", r, n, len(seq))
		}
		last := "DISABLED"
		if len(evs) > 0 {
			last = evs[len(evs)-1].Status
		}
		if last != status {
			v.partial("%s is %s but its last event says %s", r, status, last)
		}
		v.committed("EnableRegion of "+r+" (ENABLING events)", starts["ENABLING"], enablesAll[r], enablesOK[r])
		v.committed("DisableRegion of "+r+" (DISABLING events)", starts["DISABLING"], disablesAll[r], disablesOK[r])
	}
	return nil
}

// organization checks invitations, handshakes, created accounts and the
// members they made, with the roles every member must have.
func (v *verification) organization() error {
	orgs := organizations.NewFromConfig(v.mgmt())
	members := map[string]otypes.Account{}
	pa := organizations.NewListAccountsPaginator(orgs, &organizations.ListAccountsInput{})
	for pa.HasMorePages() {
		page, err := pa.NextPage(v.ctx)
		if err != nil {
			return fmt.Errorf("ListAccounts: %w", err)
		}
		for _, a := range page.Accounts {
			members[aws.ToString(a.Id)] = a
		}
	}
	handshakes := map[string]otypes.Handshake{}
	ph := organizations.NewListHandshakesForOrganizationPaginator(orgs, &organizations.ListHandshakesForOrganizationInput{})
	for ph.HasMorePages() {
		page, err := ph.NextPage(v.ctx)
		if err != nil {
			return fmt.Errorf("ListHandshakesForOrganization: %w", err)
		}
		for _, h := range page.Handshakes {
			handshakes[aws.ToString(h.Id)] = h
		}
	}
	statuses := map[string]otypes.CreateAccountStatus{}
	ps := organizations.NewListCreateAccountStatusPaginator(orgs, &organizations.ListCreateAccountStatusInput{})
	for ps.HasMorePages() {
		page, err := ps.NextPage(v.ctx)
		if err != nil {
			return fmt.Errorf("ListCreateAccountStatus: %w", err)
		}
		for _, s := range page.CreateAccountStatuses {
			statuses[aws.ToString(s.Id)] = s
		}
	}

	invited, created := map[string]bool{}, map[string]bool{}
	for _, w := range v.sent(kindInvite) {
		invited[w.key] = true
		if w.acked {
			if _, ok := handshakes[w.result]; !ok {
				v.lost("invitation %s of %s was acknowledged but is missing", w.result, w.key)
			}
		}
	}
	for _, w := range v.sent(kindAccept) {
		if !w.acked {
			continue
		}
		if _, ok := members[w.key]; !ok {
			v.lost("%s accepted %s (acknowledged) but is no member", w.key, w.value)
		}
		if h := handshakes[w.value]; h.State != otypes.HandshakeStateAccepted {
			v.lost("handshake %s was accepted (acknowledged) but is %q", w.value, h.State)
		}
	}
	accepted := map[string]bool{}
	for id, h := range handshakes {
		target := ""
		for _, p := range h.Parties {
			if p.Type == otypes.HandshakePartyTypeAccount && aws.ToString(p.Id) != mgmtAccount {
				target = aws.ToString(p.Id)
			}
		}
		if h.Action != otypes.ActionTypeInviteAccountToOrganization {
			continue
		}
		if !invited[target] {
			v.invented("handshake %s invites %s, which no request invited", id, target)
		}
		if h.State == otypes.HandshakeStateAccepted {
			accepted[target] = true
			if _, ok := members[target]; !ok {
				v.partial("handshake %s is ACCEPTED but %s is no member", id, target)
			}
		}
	}

	for _, w := range v.sent(kindAccount) {
		created[w.key] = true
		if !w.acked {
			continue
		}
		s, ok := statuses[w.result]
		switch {
		case !ok:
			v.lost("CreateAccount %s (%s) was acknowledged but its request is missing", w.key, w.result)
		case s.State != otypes.CreateAccountStateSucceeded:
			v.lost("CreateAccount %s (%s) is %s (%s)", w.key, w.result, s.State, s.FailureReason)
		default:
			if _, ok := members[aws.ToString(s.AccountId)]; !ok {
				v.lost("CreateAccount %s succeeded but account %s is no member", w.key, aws.ToString(s.AccountId))
			}
		}
	}
	names := map[string]int{}
	for id, s := range statuses {
		if !created[aws.ToString(s.AccountName)] {
			v.invented("create-account request %s names %s, which no request sent", id, aws.ToString(s.AccountName))
		}
		names[aws.ToString(s.AccountName)]++
		if s.State == otypes.CreateAccountStateSucceeded {
			if _, ok := members[aws.ToString(s.AccountId)]; !ok {
				v.partial("create-account request %s SUCCEEDED but account %s is no member", id, aws.ToString(s.AccountId))
			}
		}
	}
	for name, n := range names {
		if n > 1 {
			v.invented("%d create-account requests for %s", n, name)
		}
	}
	all, ok, err := v.recordCounts("CreateAccount", "accountName")
	if err != nil {
		return err
	}
	for name, n := range names {
		v.committed("create-account requests for "+name, n, all[name], ok[name])
	}
	for name, n := range ok {
		if names[name] == 0 {
			v.committed("create-account requests for "+name, 0, all[name], n)
		}
	}

	seenNames := map[string]string{}
	for id, a := range members {
		if id == mgmtAccount {
			continue
		}
		switch a.JoinedMethod {
		case otypes.AccountJoinedMethodCreated:
			name := aws.ToString(a.Name)
			if !created[name] {
				v.invented("member %s (%s) was created but no request named it", id, name)
			}
			if other, dup := seenNames[name]; dup {
				v.invented("members %s and %s are both %s", id, other, name)
			}
			seenNames[name] = id
			if err := v.roles(id, true); err != nil {
				v.partial("created member %s (%s): %v", id, name, err)
			}
		case otypes.AccountJoinedMethodInvited:
			if !invited[id] {
				v.invented("member %s was invited by no request", id)
			}
			if !accepted[id] {
				v.partial("member %s joined without an ACCEPTED handshake", id)
			}
			if err := v.roles(id, false); err != nil {
				v.partial("invited member %s: %v", id, err)
			}
		}
	}
	return nil
}

// roles checks the roles Organizations makes in member acct: for a
// created account, OrganizationAccountAccessRole (assumed from the
// management account) and AWSServiceRoleForOrganizations; for an invited
// one (read with its root key), AWSServiceRoleForOrganizations.
func (v *verification) roles(acct string, created bool) error {
	if v.w.rolesOK[acct] && !v.allRoles {
		return nil
	}
	var cfg aws.Config
	want := []string{roleLinked}
	if created {
		var err error
		if cfg, err = assumeAccessRole(v.ctx, v.w.srv, v.w.admin, acct); err != nil {
			return err
		}
		want = append(want, roleAccess)
	} else {
		m, ok := v.w.members[acct]
		if !ok {
			return fmt.Errorf("no key of %s", acct)
		}
		cfg = v.w.srv.config(m.key, m.secret)
	}
	c := iam.NewFromConfig(cfg)
	for _, name := range want {
		if _, err := c.GetRole(v.ctx, &iam.GetRoleInput{RoleName: aws.String(name)}); err != nil {
			return fmt.Errorf("GetRole %s: %w", name, err)
		}
	}
	v.w.rolesOK[acct] = true
	return nil
}

// trailOfAcknowledged checks that the event history of each acknowledged
// write's account holds its record (the record commits with the write).
func (v *verification) trailOfAcknowledged() {
	for _, w := range v.writes {
		if !w.acked || w.kind == kindSetup {
			continue
		}
		cfg := v.mgmt()
		if w.trailAcct != mgmtAccount {
			m := v.w.members[w.trailAcct]
			cfg = v.w.srv.config(m.key, m.secret)
		}
		recs, err := v.trail(cfg, w.trailAcct, w.event)
		if err != nil {
			v.t.Fatalf("%s: %v", v.label, err)
		}
		found := false
		for _, r := range recs {
			if r.RequestID == w.requestID {
				found = r.ErrorCode == ""
				break
			}
		}
		if !found {
			v.lost("%s (request %s) was acknowledged but %s's event history has no successful record of it",
				strings.TrimSpace(w.kind+" "+w.key+" "+w.value), w.requestID, w.trailAcct)
		}
	}
}

// assumeAccessRole assumes OrganizationAccountAccessRole of member acct as
// admin (a user of the management account) and returns a config signing
// with the session.
func assumeAccessRole(ctx context.Context, srv *server, admin cred, acct string) (aws.Config, error) {
	out, err := sts.NewFromConfig(srv.config(admin.key, admin.secret)).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn:         aws.String("arn:aws:iam::" + acct + ":role/" + roleAccess),
		RoleSessionName: aws.String("crashtest"),
	})
	if err != nil {
		return aws.Config{}, fmt.Errorf("assume %s of %s: %w", roleAccess, acct, err)
	}
	cfg := srv.config("", "")
	cfg.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(out.Credentials.AccessKeyId),
		aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken))
	return cfg, nil
}
