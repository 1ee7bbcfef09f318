package console

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

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
	// Members are the accounts a privileged root session may target
	// (RootSessions enabled, the caller may list them); Task the outcome
	// of the task just run.
	Members []parentOption
	Task    *rootTaskView
}

// rootTasks are the IAM task policies of AssumeRoot the console runs.
var rootTasks = []struct{ Name, Label string }{
	{"IAMAuditRootUserCredentials", "Audit the root user's credentials"},
	{"IAMDeleteRootUserCredentials", "Delete the root user's credentials"},
	{"IAMCreateRootUserPassword", "Allow password recovery of the root user"},
}

// rootTaskView is a privileged root task run in a member account: the
// session's principal and each call's outcome.
type rootTaskView struct {
	Account, Task, Session string
	Steps                  []rootTaskStep
}

type rootTaskStep struct {
	Call, Result string
	Error        *flash
}

// rootAccessPage is Centralized root access (AWS Organizations → IAM):
// IAM ListOrganizationsFeatures, and the buttons that enable (the
// management account) or disable each feature.
func (c *Console) rootAccessPage(w http.ResponseWriter, r *http.Request, s *session) error {
	return c.showRootAccess(w, r, s, nil)
}

func (c *Console) showRootAccess(w http.ResponseWriter, r *http.Request, s *session, task *rootTaskView) error {
	d := &rootAccessData{Task: task}
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
	if d.Features["RootSessions"] {
		token := ""
		for {
			var accts struct {
				Accounts []struct {
					ID   string `json:"Id"`
					Name string `json:"Name"`
				} `json:"Accounts"`
				NextToken string `json:"NextToken"`
			}
			in := map[string]any{}
			if token != "" {
				in["NextToken"] = token
			}
			if err := c.call(r, s, "organizations", "ListAccounts", in, &accts); err != nil {
				break // the caller may not list them: no form
			}
			for _, a := range accts.Accounts {
				if a.ID != org.MasterAccountID {
					d.Members = append(d.Members, parentOption{a.ID, a.Name + " (" + a.ID + ")"})
				}
			}
			if token = accts.NextToken; token == "" {
				break
			}
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

// rootTask runs a privileged root task in a member account: STS
// AssumeRoot as the signed-in principal with the task's policy, the
// session's credential resolved to its principal as SigV4 resolves it,
// then the task's IAM calls as that principal, all through the pipeline.
func (c *Console) rootTask(w http.ResponseWriter, r *http.Request, s *session) error {
	f := r.PostForm
	acct, task := f.Get("account"), f.Get("task")
	known := false
	for _, t := range rootTasks {
		known = known || t.Name == task
	}
	if !known {
		s.addFlash(flash{Kind: "error", Title: "Nothing was run", Message: "Unknown task."})
		redirect(w, r, "organizations/root-access#root-task")
		return nil
	}
	var out struct {
		Credentials struct {
			AccessKeyID string `xml:"AccessKeyId"`
		} `xml:"Credentials"`
	}
	in := url.Values{"TargetPrincipal": {acct}, "TaskPolicyArn.arn": {"arn:aws:iam::aws:policy/root-task/" + task}}
	if err := c.call(r, s, "sts", "AssumeRoot", in, &out); err != nil {
		if err := c.act(s, err, ""); err != nil {
			return err
		}
		redirect(w, r, "organizations/root-access#root-task")
		return nil
	}
	cred, err := c.cfg.Keys.Credential(r.Context(), out.Credentials.AccessKeyID)
	if err != nil {
		return err
	}
	root := cred.Principal
	tv := &rootTaskView{Account: acct, Task: task, Session: root.ARN}
	step := func(op string, in url.Values, out any, result func() string) bool {
		st := rootTaskStep{Call: op}
		err := c.callAs(r, root, "iam", op, in, out)
		if st.Error, err = softFail(err); err != nil {
			st.Error = &flash{Kind: "error", Message: err.Error()}
		}
		if st.Error == nil && result != nil {
			st.Result = result()
		}
		tv.Steps = append(tv.Steps, st)
		return st.Error == nil
	}
	var login struct {
		CreateDate string `xml:"LoginProfile>CreateDate"`
	}
	var keys struct {
		Members []accessKeyView `xml:"AccessKeyMetadata>member"`
	}
	var certs struct {
		Members []signingCertView `xml:"Certificates>member"`
	}
	var mfa struct {
		Members []mfaDeviceView `xml:"MFADevices>member"`
	}
	switch task {
	case "IAMCreateRootUserPassword":
		step("CreateLoginProfile", url.Values{}, nil, func() string {
			return "The root user may recover its password (\"Forgot password\")."
		})
	default:
		hasLogin := false
		loginStep := rootTaskStep{Call: "GetLoginProfile"}
		err := c.callAs(r, root, "iam", "GetLoginProfile", url.Values{}, &login)
		var ce *callError
		switch {
		case errors.As(err, &ce) && ce.Code == "NoSuchEntity":
			loginStep.Result = "No password."
		case err != nil:
			if loginStep.Error, err = softFail(err); err != nil {
				return err
			}
		default:
			hasLogin, loginStep.Result = true, "A password, created "+fmtTime(login.CreateDate)+"."
		}
		tv.Steps = append(tv.Steps, loginStep)
		step("ListAccessKeys", url.Values{}, &keys, func() string { return count(len(keys.Members), "access key", keyIDs(keys.Members)) })
		step("ListSigningCertificates", url.Values{}, &certs, func() string { return count(len(certs.Members), "signing certificate", certIDs(certs.Members)) })
		step("ListMFADevices", url.Values{}, &mfa, func() string { return count(len(mfa.Members), "MFA device", mfaSerials(mfa.Members)) })
		if task != "IAMDeleteRootUserCredentials" {
			break
		}
		if hasLogin {
			step("DeleteLoginProfile", url.Values{}, nil, func() string { return "The password is deleted." })
		}
		for _, k := range keys.Members {
			step("DeleteAccessKey", url.Values{"AccessKeyId": {k.AccessKeyID}}, nil, func() string { return k.AccessKeyID + " is deleted." })
		}
		for _, sc := range certs.Members {
			step("DeleteSigningCertificate", url.Values{"CertificateId": {sc.CertificateID}}, nil, func() string { return sc.CertificateID + " is deleted." })
		}
		for _, m := range mfa.Members {
			if step("DeactivateMFADevice", url.Values{"SerialNumber": {m.SerialNumber}}, nil, func() string { return m.SerialNumber + " is deactivated." }) {
				step("DeleteVirtualMFADevice", url.Values{"SerialNumber": {m.SerialNumber}}, nil, func() string { return m.SerialNumber + " is deleted." })
			}
		}
	}
	return c.showRootAccess(w, r, s, tv)
}

func count(n int, what string, ids []string) string {
	switch n {
	case 0:
		return "No " + what + "s."
	case 1:
		return "1 " + what + ": " + strings.Join(ids, ", ") + "."
	}
	return strconv.Itoa(n) + " " + what + "s: " + strings.Join(ids, ", ") + "."
}

func keyIDs(ks []accessKeyView) (out []string) {
	for _, k := range ks {
		out = append(out, k.AccessKeyID+" ("+k.Status+")")
	}
	return out
}

func certIDs(cs []signingCertView) (out []string) {
	for _, c := range cs {
		out = append(out, c.CertificateID+" ("+c.Status+")")
	}
	return out
}

func mfaSerials(ms []mfaDeviceView) (out []string) {
	for _, m := range ms {
		out = append(out, m.SerialNumber)
	}
	return out
}
