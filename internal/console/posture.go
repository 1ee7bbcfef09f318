package console

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/accountplane/accountplane/internal/server"
)

type postureData struct {
	// Unavailable: the server has no posture report.
	Unavailable bool
	// Org is the organization shown (the caller's, when it is its
	// management account); "" when only the caller's account is.
	Org      string
	Accounts []server.RootPostureAccount
	Rules    []string
}

// posturePage is Root posture, the emulator's report beyond AWS: for the
// management account, every account of its organization; for any other
// principal, its own account.
func (c *Console) posturePage(w http.ResponseWriter, r *http.Request, s *session) error {
	d := &postureData{Rules: []string{server.RuleRootMFAEnabled, server.RuleRootAccessKeyCheck}}
	v := c.newView(s, "Root posture", "posture", d)
	if c.cfg.Posture == nil {
		d.Unavailable = true
		return c.render(w, r, http.StatusOK, "posture", v)
	}
	q := server.RootPostureQuery{Account: s.caller.Account}
	// Reading the organization is an Organizations call like any other: a
	// principal that may not describe it sees its own account.
	if org, none, err := c.describeOrg(r, s); err == nil && !none && org.MasterAccountID == string(s.caller.Account) {
		q = server.RootPostureQuery{Organization: org.ID}
		d.Org = org.ID
	}
	var err error
	if d.Accounts, err = c.cfg.Posture.RootPosture(r.Context(), q); err != nil {
		return err
	}
	return c.render(w, r, http.StatusOK, "posture", v)
}

type rootAccessData struct {
	Error      *flash
	None       bool
	Org        string
	Management bool
	// Read reports that the features could be read; Features are the
	// enabled ones.
	Read     bool
	Features map[string]bool
	// Prerequisite says what the organization lacks (all features,
	// trusted access for IAM).
	Prerequisite string
}

// rootAccessPage is Centralized root access (AWS Organizations → IAM):
// IAM ListOrganizationsFeatures, and the buttons that enable (the
// management account) or disable each feature.
func (c *Console) rootAccessPage(w http.ResponseWriter, r *http.Request, s *session) error {
	d := &rootAccessData{}
	v := c.newView(s, "Centralized root access", "organizations", d)
	org, none, err := c.describeOrg(r, s)
	if d.Error, err = softFail(err); err != nil {
		return err
	}
	d.None, d.Org, d.Management = none, org.ID, !none && org.MasterAccountID == string(s.caller.Account)
	if none || d.Error != nil {
		return c.render(w, r, http.StatusOK, "rootaccess", v)
	}
	var out struct {
		Features []string `xml:"EnabledFeatures>member"`
	}
	err = c.call(r, s, "iam", "ListOrganizationsFeatures", url.Values{}, &out)
	var ce *callError
	if errors.As(err, &ce) && (ce.Code == "ServiceAccessNotEnabledException" || ce.Code == "OrganizationNotInAllFeaturesModeException") {
		// Not an error of this page: what it needs first.
		d.Prerequisite = ce.Message
		return c.render(w, r, http.StatusOK, "rootaccess", v)
	}
	if d.Error, err = softFail(err); err != nil {
		return err
	}
	if d.Error == nil {
		d.Read, d.Features = true, map[string]bool{}
		for _, f := range out.Features {
			d.Features[f] = true
		}
	}
	return c.render(w, r, http.StatusOK, "rootaccess", v)
}

// rootAccessFeature enables or disables one feature (IAM's
// Enable/DisableOrganizationsRootCredentialsManagement and
// Enable/DisableOrganizationsRootSessions).
func (c *Console) rootAccessFeature(w http.ResponseWriter, r *http.Request, s *session) error {
	f := r.PostForm
	feature := f.Get("feature")
	if feature != "RootCredentialsManagement" && feature != "RootSessions" {
		s.addFlash(flash{Kind: "error", Title: "Nothing changed", Message: "Unknown feature."})
		redirect(w, r, "organizations/root-access")
		return nil
	}
	verb, done := "Enable", " is enabled."
	if f.Get("action") == "disable" {
		verb, done = "Disable", " is disabled."
	}
	err := c.call(r, s, "iam", verb+"Organizations"+feature, url.Values{}, nil)
	if err := c.act(s, err, feature+done); err != nil {
		return err
	}
	redirect(w, r, "organizations/root-access")
	return nil
}
