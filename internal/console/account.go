package console

import (
	"errors"
	"net/http"
	"strings"

	"github.com/accountplane/accountplane/internal/identity"
)

// Wire shapes of the Account API, as a client reads them.
type (
	accountInfo struct {
		AccountID          string `json:"AccountId"`
		AccountName        string `json:"AccountName"`
		AccountCreatedDate string `json:"AccountCreatedDate"`
		AccountState       string `json:"AccountState"`
	}
	contactInfo struct {
		FullName         string `json:"FullName,omitempty"`
		CompanyName      string `json:"CompanyName,omitempty"`
		AddressLine1     string `json:"AddressLine1,omitempty"`
		AddressLine2     string `json:"AddressLine2,omitempty"`
		AddressLine3     string `json:"AddressLine3,omitempty"`
		City             string `json:"City,omitempty"`
		StateOrRegion    string `json:"StateOrRegion,omitempty"`
		DistrictOrCounty string `json:"DistrictOrCounty,omitempty"`
		PostalCode       string `json:"PostalCode,omitempty"`
		CountryCode      string `json:"CountryCode,omitempty"`
		PhoneNumber      string `json:"PhoneNumber,omitempty"`
		WebsiteURL       string `json:"WebsiteUrl,omitempty"`
	}
	alternateContact struct {
		AlternateContactType string `json:"AlternateContactType"`
		Name                 string `json:"Name"`
		Title                string `json:"Title"`
		EmailAddress         string `json:"EmailAddress"`
		PhoneNumber          string `json:"PhoneNumber"`
	}
	region struct {
		RegionName      string `json:"RegionName"`
		RegionOptStatus string `json:"RegionOptStatus"`
	}
)

// contactFields are the contact form's fields: wire name, label, and
// whether the API requires it.
var contactFields = []struct {
	Name, Label  string
	Required     bool
	Autocomplete string
}{
	{"FullName", "Full name", true, "name"},
	{"CompanyName", "Company name", false, "organization"},
	{"AddressLine1", "Address line 1", true, "address-line1"},
	{"AddressLine2", "Address line 2", false, "address-line2"},
	{"AddressLine3", "Address line 3", false, "address-line3"},
	{"City", "City", true, "address-level2"},
	{"StateOrRegion", "State, province or region", false, "address-level1"},
	{"DistrictOrCounty", "District or county", false, "off"},
	{"PostalCode", "Postal code", true, "postal-code"},
	{"CountryCode", "Country code (ISO 3166, two letters)", true, "country"},
	{"PhoneNumber", "Phone number (+ country code)", true, "tel"},
	{"WebsiteUrl", "Website URL", false, "url"},
}

var alternateTypes = []struct{ Type, Label string }{
	{"BILLING", "Billing contact"},
	{"OPERATIONS", "Operations contact"},
	{"SECURITY", "Security contact"},
}

type accountData struct {
	Denied       bool // no account:GetAccountInformation: "You Need Permissions"
	Info         accountInfo
	Contact      map[string]string
	ContactError *flash
	// ContactForm holds the values and per-field errors of a refused
	// contact form.
	ContactErrors map[string]string
	ContactFields any
	Verification  string
	Alternates    []alternateView
	AltError      *flash
	Regions       regionsData
	Email         emailView
	OrgMode       bool // acting on another account through AccountId
	Canonical     string
	Root          bool
}

type alternateView struct {
	Type, Label string
	Contact     *alternateContact
	Denied      bool
}

type regionsData struct {
	Regions []region
	Pending bool // a Region is ENABLING or DISABLING: the page polls
	Error   *flash
	CSRF    string
	Target  string
}

type emailView struct {
	Shown   bool
	Email   string
	Status  string
	Error   *flash
	Pending bool
}

// targetIn adds the session's AccountId (organization mode) to in.
func targetIn(s *session, in map[string]any) map[string]any {
	if in == nil {
		in = map[string]any{}
	}
	if t := s.getTarget(); t != "" {
		in["AccountId"] = string(t)
	}
	return in
}

// softFail returns the flash of a read's failure, or the error if it is
// not an AWS one.
func softFail(err error) (*flash, error) {
	if err == nil {
		return nil, nil
	}
	f, err := failure(err)
	if err != nil {
		return nil, err
	}
	return &f, nil
}

func (c *Console) accountPage(w http.ResponseWriter, r *http.Request, s *session) error {
	return c.showAccount(w, r, s, http.StatusOK, nil, nil)
}

// showAccount renders the Account page; contactForm and contactErrs,
// when set, are a refused contact form to show again.
func (c *Console) showAccount(w http.ResponseWriter, r *http.Request, s *session, status int, contactForm, contactErrs map[string]string) error {
	d := &accountData{OrgMode: s.getTarget() != "", Root: s.caller.IsRoot(), ContactFields: contactFields}
	v := c.newView(s, "Account", "account", d)
	v.Switch = c.switchOptions(r, s)
	err := c.call(r, s, "account", "GetAccountInformation", targetIn(s, nil), &d.Info)
	var ce *callError
	if errors.As(err, &ce) && isAccessDenied(ce.Code) {
		d.Denied = true
		return c.render(w, r, http.StatusOK, "account", v)
	} else if err != nil {
		f, err := softFail(err)
		if err != nil {
			return err
		}
		v.Flashes = append(v.Flashes, *f)
		return c.render(w, r, http.StatusOK, "account", v)
	}
	d.Canonical = c.cfg.CanonicalUserID(identity.AccountID(d.Info.AccountID))

	var ci struct {
		ContactInformation *contactInfo `json:"ContactInformation"`
		VerificationStatus string       `json:"VerificationStatus"`
	}
	if d.ContactError, err = softFail(c.call(r, s, "account", "GetContactInformation", targetIn(s, nil), &ci)); err != nil {
		return err
	}
	d.Contact, d.Verification = contactMap(ci.ContactInformation), ci.VerificationStatus
	if contactForm != nil {
		d.Contact, d.ContactErrors = contactForm, contactErrs
	}

	for _, t := range alternateTypes {
		av := alternateView{Type: t.Type, Label: t.Label}
		var out struct {
			AlternateContact *alternateContact `json:"AlternateContact"`
		}
		err := c.call(r, s, "account", "GetAlternateContact", targetIn(s, map[string]any{"AlternateContactType": t.Type}), &out)
		switch {
		case errors.As(err, &ce) && ce.Code == "ResourceNotFoundException":
		case errors.As(err, &ce) && isAccessDenied(ce.Code):
			av.Denied = true
		case err != nil:
			if d.AltError, err = softFail(err); err != nil {
				return err
			}
		default:
			av.Contact = out.AlternateContact
		}
		d.Alternates = append(d.Alternates, av)
	}

	if d.Regions, err = c.regions(r, s); err != nil {
		return err
	}
	if d.OrgMode {
		d.Email.Shown = true
		var pe struct {
			PrimaryEmail string `json:"PrimaryEmail"`
		}
		if d.Email.Error, err = softFail(c.call(r, s, "account", "GetPrimaryEmail", targetIn(s, nil), &pe)); err != nil {
			return err
		}
		d.Email.Email = pe.PrimaryEmail
		var st struct {
			Status string `json:"Status"`
		}
		if err := c.call(r, s, "account", "GetPrimaryEmailUpdateStatus", targetIn(s, nil), &st); err == nil {
			d.Email.Status, d.Email.Pending = st.Status, st.Status == "PENDING"
		}
	}
	return c.render(w, r, status, "account", v)
}

func contactMap(ci *contactInfo) map[string]string {
	m := map[string]string{}
	if ci == nil {
		return m
	}
	m["FullName"], m["CompanyName"], m["AddressLine1"] = ci.FullName, ci.CompanyName, ci.AddressLine1
	m["AddressLine2"], m["AddressLine3"], m["City"] = ci.AddressLine2, ci.AddressLine3, ci.City
	m["StateOrRegion"], m["DistrictOrCounty"], m["PostalCode"] = ci.StateOrRegion, ci.DistrictOrCounty, ci.PostalCode
	m["CountryCode"], m["PhoneNumber"], m["WebsiteUrl"] = ci.CountryCode, ci.PhoneNumber, ci.WebsiteURL
	return m
}

// regions lists every Region with its status.
func (c *Console) regions(r *http.Request, s *session) (regionsData, error) {
	d := regionsData{CSRF: s.csrf, Target: string(s.getTarget())}
	token := ""
	for {
		in := targetIn(s, map[string]any{"MaxResults": 50})
		if token != "" {
			in["NextToken"] = token
		}
		var out struct {
			Regions   []region `json:"Regions"`
			NextToken string   `json:"NextToken"`
		}
		err := c.call(r, s, "account", "ListRegions", in, &out)
		if err != nil {
			f, err := softFail(err)
			d.Error = f
			return d, err
		}
		d.Regions = append(d.Regions, out.Regions...)
		if token = out.NextToken; token == "" {
			break
		}
	}
	for _, rg := range d.Regions {
		if rg.RegionOptStatus == "ENABLING" || rg.RegionOptStatus == "DISABLING" {
			d.Pending = true
		}
	}
	return d, nil
}

// regionsFragment is the Regions table alone, which the page's script
// fetches again while a Region is ENABLING or DISABLING.
func (c *Console) regionsFragment(w http.ResponseWriter, r *http.Request, s *session) error {
	d, err := c.regions(r, s)
	if err != nil {
		return err
	}
	return c.render(w, r, http.StatusOK, "regions_fragment", c.newViewQuiet(s, d))
}

// newViewQuiet is a view that leaves the session's flashes for the next
// full page.
func (c *Console) newViewQuiet(s *session, data any) *view {
	return &view{CSRF: s.csrf, Data: data, Target: string(s.getTarget())}
}

func (c *Console) putAccountName(w http.ResponseWriter, r *http.Request, s *session) error {
	name := strings.TrimSpace(r.PostForm.Get("name"))
	err := c.call(r, s, "account", "PutAccountName", targetIn(s, map[string]any{"AccountName": name}), nil)
	if err := c.act(s, err, "The account name is now “"+name+"”."); err != nil {
		return err
	}
	redirect(w, r, "account#settings")
	return nil
}

func (c *Console) putContact(w http.ResponseWriter, r *http.Request, s *session) error {
	ci := map[string]any{}
	form := map[string]string{}
	for _, f := range contactFields {
		v := strings.TrimSpace(r.PostForm.Get(f.Name))
		form[f.Name] = v
		if v != "" {
			ci[f.Name] = v
		}
	}
	err := c.call(r, s, "account", "PutContactInformation", targetIn(s, map[string]any{"ContactInformation": ci}), nil)
	var ce *callError
	if errors.As(err, &ce) && ce.Code == "ValidationException" {
		// The form is shown again with the API's messages by its fields.
		errs := map[string]string{}
		for _, fe := range ce.Fields {
			errs[strings.TrimPrefix(fe.Name, "ContactInformation.")] = fe.Message
		}
		s.addFlash(flash{Kind: "error", Title: "The contact information was not saved", Message: ce.Message, RequestID: ce.RequestID})
		return c.showAccount(w, r, s, http.StatusBadRequest, form, errs)
	}
	if err := c.act(s, err, "The contact information is saved."); err != nil {
		return err
	}
	redirect(w, r, "account#contact")
	return nil
}

func (c *Console) putAlternate(w http.ResponseWriter, r *http.Request, s *session) error {
	f := r.PostForm
	in := targetIn(s, map[string]any{
		"AlternateContactType": f.Get("type"), "Name": strings.TrimSpace(f.Get("name")), "Title": strings.TrimSpace(f.Get("title")),
		"EmailAddress": strings.TrimSpace(f.Get("email")), "PhoneNumber": strings.TrimSpace(f.Get("phone")),
	})
	err := c.call(r, s, "account", "PutAlternateContact", in, nil)
	if err := c.act(s, err, "The "+strings.ToLower(f.Get("type"))+" contact is saved."); err != nil {
		return err
	}
	redirect(w, r, "account#alternate")
	return nil
}

func (c *Console) deleteAlternate(w http.ResponseWriter, r *http.Request, s *session) error {
	typ := r.PostForm.Get("type")
	err := c.call(r, s, "account", "DeleteAlternateContact", targetIn(s, map[string]any{"AlternateContactType": typ}), nil)
	if err := c.act(s, err, "The "+strings.ToLower(typ)+" contact is removed."); err != nil {
		return err
	}
	redirect(w, r, "account#alternate")
	return nil
}

func (c *Console) optRegion(w http.ResponseWriter, r *http.Request, s *session) error {
	name, action := r.PostForm.Get("region"), r.PostForm.Get("action")
	op, verb := "EnableRegion", "is being enabled"
	if action == "disable" {
		op, verb = "DisableRegion", "is being disabled"
	}
	err := c.call(r, s, "account", op, targetIn(s, map[string]any{"RegionName": name}), nil)
	if err := c.act(s, err, name+" "+verb+"."); err != nil {
		return err
	}
	redirect(w, r, "account#regions")
	return nil
}

func (c *Console) startEmailUpdate(w http.ResponseWriter, r *http.Request, s *session) error {
	email, confirm := strings.TrimSpace(r.PostForm.Get("email")), strings.TrimSpace(r.PostForm.Get("confirm"))
	if email != confirm {
		s.addFlash(flash{Kind: "error", Title: "The addresses differ", Message: "Type the new email address twice, the same both times."})
		redirect(w, r, "account#email")
		return nil
	}
	err := c.call(r, s, "account", "StartPrimaryEmailUpdate", targetIn(s, map[string]any{"PrimaryEmail": email}), nil)
	if err := c.act(s, err, "A verification code was sent to "+email+". Type it below to finish."); err != nil {
		return err
	}
	redirect(w, r, "account#email")
	return nil
}

func (c *Console) acceptEmailUpdate(w http.ResponseWriter, r *http.Request, s *session) error {
	in := targetIn(s, map[string]any{"PrimaryEmail": strings.TrimSpace(r.PostForm.Get("email")), "Otp": strings.TrimSpace(r.PostForm.Get("otp"))})
	err := c.call(r, s, "account", "AcceptPrimaryEmailUpdate", in, nil)
	if err := c.act(s, err, "The primary email address is changed."); err != nil {
		return err
	}
	redirect(w, r, "account#email")
	return nil
}

// closeAccount closes the signed-in account (console-only: the
// account service's in-process CloseAccount operation), after the
// guide's confirmations.
func (c *Console) closeAccount(w http.ResponseWriter, r *http.Request, s *session) error {
	f := r.PostForm
	if f.Get("ack_terms") == "" || f.Get("ack_resources") == "" || f.Get("ack_email") == "" || strings.TrimSpace(f.Get("confirm")) != string(s.caller.Account) {
		s.addFlash(flash{Kind: "error", Title: "The account was not closed", Message: "Tick every acknowledgement and type the account ID to confirm."})
		redirect(w, r, "account#close")
		return nil
	}
	err := c.call(r, s, "account", "CloseAccount", map[string]any{}, nil)
	if err := c.act(s, err, "Account "+string(s.caller.Account)+" is closed. A confirmation was sent to the root email address."); err != nil {
		return err
	}
	redirect(w, r, "account#close")
	return nil
}

// switchAccount sets the account the Account page acts on (organization
// mode: the management account or the delegated administrator acting on
// a member through AccountId, as the API allows).
func (c *Console) switchAccount(w http.ResponseWriter, r *http.Request, s *session) error {
	id := r.PostForm.Get("account")
	if id == "" || id == string(s.caller.Account) {
		s.setTarget("")
	} else if acct, err := identity.ParseAccountID(id); err == nil {
		s.setTarget(acct)
	}
	redirect(w, r, "account")
	return nil
}

// switchOptions lists the accounts of the caller's organization for the
// switcher, when the caller may list them (nil otherwise).
func (c *Console) switchOptions(r *http.Request, s *session) []switchOption {
	var out struct {
		Accounts []struct {
			ID   string `json:"Id"`
			Name string `json:"Name"`
		} `json:"Accounts"`
	}
	if err := c.call(r, s, "organizations", "ListAccounts", nil, &out); err != nil || len(out.Accounts) < 2 {
		return nil
	}
	cur := string(s.getTarget())
	if cur == "" {
		cur = string(s.caller.Account)
	}
	opts := make([]switchOption, 0, len(out.Accounts))
	for _, a := range out.Accounts {
		opts = append(opts, switchOption{ID: a.ID, Name: a.Name, Current: a.ID == cur})
	}
	return opts
}
