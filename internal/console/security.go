package console

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/accountplane/accountplane/internal/identity"
)

type accessKeyView struct {
	AccessKeyID string `xml:"AccessKeyId"`
	Status      string `xml:"Status"`
	CreateDate  string `xml:"CreateDate"`
}

type securityData struct {
	Denied    bool
	Root      bool
	AccountID string
	Canonical string
	Keys      []accessKeyView
	KeysError *flash
	// NewKey is a key pair just created, shown once.
	NewKey *struct {
		AccessKeyID     string
		SecretAccessKey string
	}
	Self string
}

// securityPage is Security credentials: the account id and canonical user
// id (root: no permission; IAM users: account:GetAccountInformation, as
// the guide says), and for the root user its access keys. The root
// password, root MFA, signing certificates and the credential report
// arrive with the credentials issue.
func (c *Console) securityPage(w http.ResponseWriter, r *http.Request, s *session) error {
	return c.showSecurity(w, r, s, nil)
}

func (c *Console) showSecurity(w http.ResponseWriter, r *http.Request, s *session, newKey *struct{ AccessKeyID, SecretAccessKey string }) error {
	d := &securityData{Root: s.caller.IsRoot(), Self: string(s.caller.Account), NewKey: newKey}
	v := c.newView(s, "Security credentials", "security", d)
	if !d.Root {
		// Shown to IAM users only with account:GetAccountInformation.
		var info accountInfo
		err := c.call(r, s, "account", "GetAccountInformation", nil, &info)
		var ce *callError
		if errors.As(err, &ce) && isAccessDenied(ce.Code) {
			d.Denied = true
			return c.render(w, r, http.StatusOK, "security", v)
		} else if err != nil {
			return err
		}
	}
	d.AccountID = string(s.caller.Account)
	d.Canonical = c.cfg.CanonicalUserID(identity.AccountID(d.AccountID))
	if d.Root {
		var out struct {
			Members []accessKeyView `xml:"AccessKeyMetadata>member"`
		}
		var err error
		if d.KeysError, err = softFail(c.call(r, s, "iam", "ListAccessKeys", url.Values{}, &out)); err != nil {
			return err
		}
		d.Keys = out.Members
	}
	return c.render(w, r, http.StatusOK, "security", v)
}

// createRootKey creates a root access key (IAM CreateAccessKey without a
// user name, as the root user) and shows its secret once.
func (c *Console) createRootKey(w http.ResponseWriter, r *http.Request, s *session) error {
	if r.PostForm.Get("ack") == "" {
		s.addFlash(flash{Kind: "error", Title: "No key was created", Message: "Tick the box to confirm that you understand why root access keys are discouraged."})
		redirect(w, r, "security#keys")
		return nil
	}
	var out struct {
		Key struct {
			AccessKeyID     string `xml:"AccessKeyId"`
			SecretAccessKey string `xml:"SecretAccessKey"`
		} `xml:"AccessKey"`
	}
	err := c.call(r, s, "iam", "CreateAccessKey", url.Values{}, &out)
	if err != nil {
		if err := c.act(s, err, ""); err != nil {
			return err
		}
		redirect(w, r, "security#keys")
		return nil
	}
	s.addFlash(flash{Kind: "success", Message: "The access key is created. Copy its secret now: it is never shown again."})
	return c.showSecurity(w, r, s, &struct{ AccessKeyID, SecretAccessKey string }{out.Key.AccessKeyID, out.Key.SecretAccessKey})
}

func (c *Console) updateRootKey(w http.ResponseWriter, r *http.Request, s *session) error {
	status := "Inactive"
	if r.PostForm.Get("status") == "Active" {
		status = "Active"
	}
	err := c.call(r, s, "iam", "UpdateAccessKey", url.Values{"AccessKeyId": {r.PostForm.Get("key")}, "Status": {status}}, nil)
	if err := c.act(s, err, "The access key is now "+status+"."); err != nil {
		return err
	}
	redirect(w, r, "security#keys")
	return nil
}

func (c *Console) deleteRootKey(w http.ResponseWriter, r *http.Request, s *session) error {
	key := r.PostForm.Get("key")
	if r.PostForm.Get("confirm") != key {
		s.addFlash(flash{Kind: "error", Title: "The key was not deleted", Message: "Type the access key ID to confirm."})
		redirect(w, r, "security#keys")
		return nil
	}
	err := c.call(r, s, "iam", "DeleteAccessKey", url.Values{"AccessKeyId": {key}}, nil)
	if err := c.act(s, err, "The access key "+key+" is deleted."); err != nil {
		return err
	}
	redirect(w, r, "security#keys")
	return nil
}
