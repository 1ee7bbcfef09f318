package console

import (
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"

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
	// MFA are the root user's MFA devices; MFAError a failure to list
	// them.
	MFA      []mfaDeviceView
	MFAError *flash
	// Enrol is a virtual device being enrolled: its QR code and seed,
	// waiting for two consecutive codes.
	Enrol *mfaEnrolView
	// Certs are the root user's X.509 signing certificates; CertsError a
	// failure to list them.
	Certs      []signingCertView
	CertsError *flash
}

type signingCertView struct {
	CertificateID   string `xml:"CertificateId"`
	CertificateBody string `xml:"CertificateBody"`
	Status          string `xml:"Status"`
	UploadDate      string `xml:"UploadDate"`
}

type mfaDeviceView struct {
	SerialNumber string `xml:"SerialNumber"`
	EnableDate   string `xml:"EnableDate"`
}

type mfaEnrolView struct {
	Name, SerialNumber, Seed string
	// QR is the QR code PNG as a data: URI.
	QR template.URL
}

// securityPage is Security credentials: the account id and canonical user
// id (root: no permission; IAM users: account:GetAccountInformation, as
// the guide says), and for the root user its MFA devices (enrol a
// virtual one, remove one), its password (change it), its access keys and
// its X.509 signing certificates; and the credential report's download.
func (c *Console) securityPage(w http.ResponseWriter, r *http.Request, s *session) error {
	return c.showSecurity(w, r, s, nil)
}

func (c *Console) showSecurity(w http.ResponseWriter, r *http.Request, s *session, newKey *struct{ AccessKeyID, SecretAccessKey string }) error {
	return c.showSecurityWith(w, r, s, &securityData{NewKey: newKey})
}

func (c *Console) showSecurityWith(w http.ResponseWriter, r *http.Request, s *session, d *securityData) error {
	d.Root, d.Self = s.caller.IsRoot(), string(s.caller.Account)
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
		var mfa struct {
			Members []mfaDeviceView `xml:"MFADevices>member"`
		}
		if d.MFAError, err = softFail(c.call(r, s, "iam", "ListMFADevices", url.Values{}, &mfa)); err != nil {
			return err
		}
		d.MFA = mfa.Members
		var certs struct {
			Members []signingCertView `xml:"Certificates>member"`
		}
		if d.CertsError, err = softFail(c.call(r, s, "iam", "ListSigningCertificates", url.Values{}, &certs)); err != nil {
			return err
		}
		d.Certs = certs.Members
	}
	return c.render(w, r, http.StatusOK, "security", v)
}

// changeRootPassword changes the root password (the console-only task
// signin ChangeRootPassword, recorded as PasswordUpdated), given the
// current one and the new one twice.
func (c *Console) changeRootPassword(w http.ResponseWriter, r *http.Request, s *session) error {
	f := r.PostForm
	if f.Get("new_password") != f.Get("confirm_password") {
		s.addFlash(flash{Kind: "error", Title: "The password was not changed", Message: "The new password and its confirmation differ."})
		redirect(w, r, "security#password")
		return nil
	}
	in := url.Values{"OldPassword": {f.Get("current_password")}, "NewPassword": {f.Get("new_password")}}
	err := c.call(r, s, "signin", "ChangeRootPassword", in, nil)
	if err := c.act(s, err, "The root user's password is changed."); err != nil {
		return err
	}
	redirect(w, r, "security#password")
	return nil
}

// startRootMFA starts enrolling a virtual MFA device for the root user:
// IAM CreateVirtualMFADevice makes it (unassigned), and the page shows its
// QR code and seed, waiting for two consecutive codes.
func (c *Console) startRootMFA(w http.ResponseWriter, r *http.Request, s *session) error {
	name := strings.TrimSpace(r.PostForm.Get("device_name"))
	var out struct {
		Device struct {
			SerialNumber     string `xml:"SerialNumber"`
			Base32StringSeed string `xml:"Base32StringSeed"`
			QRCodePNG        string `xml:"QRCodePNG"`
		} `xml:"VirtualMFADevice"`
	}
	err := c.call(r, s, "iam", "CreateVirtualMFADevice", url.Values{"VirtualMFADeviceName": {name}}, &out)
	if err != nil {
		if err := c.act(s, err, ""); err != nil {
			return err
		}
		redirect(w, r, "security#mfa")
		return nil
	}
	// Both are base64 on the wire; the seed is the base64 of its Base32
	// text.
	seed, _ := base64.StdEncoding.DecodeString(out.Device.Base32StringSeed)
	enrol := &mfaEnrolView{Name: name, SerialNumber: out.Device.SerialNumber, Seed: string(seed),
		QR: template.URL("data:image/png;base64," + out.Device.QRCodePNG)}
	return c.showSecurityWith(w, r, s, &securityData{Enrol: enrol})
}

// enableRootMFA assigns the device being enrolled to the root user with
// two consecutive codes (the console-only task iam EnableRootMFADevice,
// recorded as EnableMFADevice).
func (c *Console) enableRootMFA(w http.ResponseWriter, r *http.Request, s *session) error {
	f := r.PostForm
	in := url.Values{"SerialNumber": {f.Get("serial")}, "AuthenticationCode1": {strings.TrimSpace(f.Get("code1"))}, "AuthenticationCode2": {strings.TrimSpace(f.Get("code2"))}}
	err := c.call(r, s, "iam", "EnableRootMFADevice", in, nil)
	if err := c.act(s, err, "The MFA device "+f.Get("serial")+" is assigned to the root user. Sign-ins now ask for its code."); err != nil {
		return err
	}
	redirect(w, r, "security#mfa")
	return nil
}

// removeRootMFA removes one of the root user's MFA devices: the
// console-only task iam DeactivateRootMFADevice (recorded as
// DeactivateMFADevice), then IAM DeleteVirtualMFADevice.
func (c *Console) removeRootMFA(w http.ResponseWriter, r *http.Request, s *session) error {
	serial := r.PostForm.Get("serial")
	err := c.call(r, s, "iam", "DeactivateRootMFADevice", url.Values{"SerialNumber": {serial}}, nil)
	if err == nil {
		err = c.call(r, s, "iam", "DeleteVirtualMFADevice", url.Values{"SerialNumber": {serial}}, nil)
	}
	if err := c.act(s, err, "The MFA device "+serial+" is removed."); err != nil {
		return err
	}
	redirect(w, r, "security#mfa")
	return nil
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

// uploadRootCert uploads an X.509 signing certificate for the root user
// (IAM UploadSigningCertificate without a user name).
func (c *Console) uploadRootCert(w http.ResponseWriter, r *http.Request, s *session) error {
	body := strings.TrimSpace(r.PostForm.Get("certificate"))
	err := c.call(r, s, "iam", "UploadSigningCertificate", url.Values{"CertificateBody": {body}}, nil)
	if err := c.act(s, err, "The signing certificate is uploaded."); err != nil {
		return err
	}
	redirect(w, r, "security#certs")
	return nil
}

// updateRootCert activates or deactivates one of the root user's signing
// certificates (IAM UpdateSigningCertificate).
func (c *Console) updateRootCert(w http.ResponseWriter, r *http.Request, s *session) error {
	status := "Inactive"
	if r.PostForm.Get("status") == "Active" {
		status = "Active"
	}
	id := r.PostForm.Get("certificate_id")
	err := c.call(r, s, "iam", "UpdateSigningCertificate", url.Values{"CertificateId": {id}, "Status": {status}}, nil)
	if err := c.act(s, err, "The signing certificate "+id+" is now "+status+"."); err != nil {
		return err
	}
	redirect(w, r, "security#certs")
	return nil
}

// deleteRootCert deletes one of the root user's signing certificates (IAM
// DeleteSigningCertificate).
func (c *Console) deleteRootCert(w http.ResponseWriter, r *http.Request, s *session) error {
	id := r.PostForm.Get("certificate_id")
	err := c.call(r, s, "iam", "DeleteSigningCertificate", url.Values{"CertificateId": {id}}, nil)
	if err := c.act(s, err, "The signing certificate "+id+" is deleted."); err != nil {
		return err
	}
	redirect(w, r, "security#certs")
	return nil
}

// credentialReport is the credential report's download: IAM
// GenerateCredentialReport (a new report at most every four hours), then
// GetCredentialReport, sent as credential-report.csv. While the report is
// being generated the page says so.
func (c *Console) credentialReport(w http.ResponseWriter, r *http.Request, s *session) error {
	var gen struct {
		State string `xml:"State"`
	}
	err := c.call(r, s, "iam", "GenerateCredentialReport", url.Values{}, &gen)
	var rep struct {
		Content string `xml:"Content"`
	}
	if err == nil {
		err = c.call(r, s, "iam", "GetCredentialReport", url.Values{}, &rep)
	}
	var ce *callError
	if errors.As(err, &ce) && ce.Code == "ReportInProgress" || err == nil && gen.State == "INPROGRESS" && rep.Content == "" {
		s.addFlash(flash{Kind: "info", Title: "IN_PROGRESS", Message: "The credential report is being generated. Download it again in a moment."})
		redirect(w, r, "security#report")
		return nil
	}
	if err != nil {
		if err := c.act(s, err, ""); err != nil {
			return err
		}
		redirect(w, r, "security#report")
		return nil
	}
	csv, err := base64.StdEncoding.DecodeString(rep.Content)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv")
	h.Set("Content-Disposition", "attachment; filename=credential-report.csv")
	h.Set("Cache-Control", "no-store")
	_, err = w.Write(csv)
	return err
}
