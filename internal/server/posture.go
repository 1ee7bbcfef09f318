package server

import (
	"context"
	"net/http"
	"time"

	"github.com/accountplane/accountplane/internal/identity"
)

// RootPostureReport is the root posture report (beyond AWS): per account,
// what its root user leaves open. An Admin that implements it gets
// GET /_accountplane/root-posture[?organization=o-...].
type RootPostureReport interface {
	// RootPosture returns the posture of the accounts q selects, by
	// account id. An unknown organization is an *AdminError (404).
	RootPosture(ctx context.Context, q RootPostureQuery) ([]RootPostureAccount, error)
}

// RootPostureQuery selects accounts: every account, those of one
// organization, or one account.
type RootPostureQuery struct {
	Organization string
	Account      identity.AccountID
}

// RootPostureAccount is one account of the report, as the admin API
// answers it.
type RootPostureAccount struct {
	AccountID    string `json:"AccountId"`
	Name         string `json:"Name"`
	Email        string `json:"Email"`
	State        string `json:"State"`
	Organization string `json:"Organization,omitempty"`
	// Management marks an organization's management account; a member is
	// in an organization without it.
	Management bool `json:"Management,omitempty"`
	// MFADevices are the root user's MFA devices.
	MFADevices []RootMFADevice `json:"MFADevices"`
	// AccessKeys are the root user's access keys with their last use.
	AccessKeys []RootAccessKey `json:"AccessKeys"`
	// PasswordPresent reports a root password.
	PasswordPresent bool `json:"PasswordPresent"`
	// SigningCertificates are the root user's signing certificates.
	SigningCertificates []RootSigningCertificate `json:"SigningCertificates"`
	// CredentialsRemovedCentrally reports that centralized root access
	// removed the root credentials and none is left.
	CredentialsRemovedCentrally bool `json:"CredentialsRemovedCentrally"`
	// LastRootSignIn and LastRootAPICall are the root user's last
	// successful sign-in and its last API call (its own or a privileged
	// root session's, from the CloudTrail event history); nil: none.
	LastRootSignIn  *time.Time `json:"LastRootSignIn"`
	LastRootAPICall *time.Time `json:"LastRootApiCall"`
	// Rules are the verdicts of the AWS Config managed rules, by rule
	// name: root-account-mfa-enabled and iam-root-access-key-check
	// (COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE).
	Rules map[string]string `json:"Rules"`
}

// RootMFADevice is a root MFA device of the report.
type RootMFADevice struct {
	SerialNumber string    `json:"SerialNumber"`
	EnableDate   time.Time `json:"EnableDate"`
}

// RootAccessKey is a root access key of the report.
type RootAccessKey struct {
	AccessKeyID string     `json:"AccessKeyId"`
	Status      string     `json:"Status"`
	CreateDate  time.Time  `json:"CreateDate"`
	LastUsed    *time.Time `json:"LastUsedDate"`
	// LastUsedService and LastUsedRegion are N/A for a key never used.
	LastUsedService string `json:"LastUsedService"`
	LastUsedRegion  string `json:"LastUsedRegion"`
}

// RootSigningCertificate is a root signing certificate of the report.
type RootSigningCertificate struct {
	CertificateID string    `json:"CertificateId"`
	Status        string    `json:"Status"`
	UploadDate    time.Time `json:"UploadDate"`
}

// The AWS Config managed rules the report evaluates.
const (
	RuleRootMFAEnabled     = "root-account-mfa-enabled"
	RuleRootAccessKeyCheck = "iam-root-access-key-check"
)

func (s *Server) routeRootPosture() {
	if _, ok := s.cfg.Admin.(RootPostureReport); !ok {
		return
	}
	s.mux.HandleFunc("GET /_accountplane/root-posture", s.admin(s.rootPosture))
}

func (s *Server) rootPosture(w http.ResponseWriter, r *http.Request) {
	q := RootPostureQuery{Organization: r.URL.Query().Get("organization")}
	out, err := s.cfg.Admin.(RootPostureReport).RootPosture(r.Context(), q)
	if err != nil {
		s.adminFailure(w, r, err)
		return
	}
	if out == nil {
		out = []RootPostureAccount{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"Accounts": out})
}

// HandleSignIn serves h at POST /_accountplane/signin, the password
// sign-in (the console edge authenticates by password, so the admin API's
// loopback and token rule does not apply). It must be called before the
// server serves.
func (s *Server) HandleSignIn(h http.Handler) {
	s.mux.Handle(AdminPrefix+"signin", h)
}
