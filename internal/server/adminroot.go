package server

import (
	"context"
	"errors"
	"net/http"
	"regexp"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/identity"
)

// RootCredentials is what the admin API does for the root user's password
// and MFA devices, which AWS offers in the console only. An Admin that
// implements it gets the routes of routeRootCredentials. Errors that are
// *apierr.Error answer with their code ({"__type": code, "message": ...}).
type RootCredentials interface {
	// CheckRootPassword applies AWS's root password rules for an account
	// about to be created (sign-up with a password).
	CheckRootPassword(name, email, password string) error
	// SetRootPassword sets (or replaces) the root user's password.
	SetRootPassword(ctx context.Context, id identity.AccountID, password string) error
	// DeleteRootPassword removes it.
	DeleteRootPassword(ctx context.Context, id identity.AccountID) error
	// AddRootMFADevice registers and activates a virtual MFA device for the
	// root user and returns its serial number and Base32 seed.
	AddRootMFADevice(ctx context.Context, id identity.AccountID, name string) (serial, seed string, err error)
	// DeleteRootMFADevice deactivates and deletes one.
	DeleteRootMFADevice(ctx context.Context, id identity.AccountID, name string) error
}

func (s *Server) routeRootCredentials() {
	if _, ok := s.cfg.Admin.(RootCredentials); !ok {
		return
	}
	s.mux.HandleFunc("PUT /_accountplane/accounts/{id}/root/password", s.admin(s.setRootPassword))
	s.mux.HandleFunc("DELETE /_accountplane/accounts/{id}/root/password", s.admin(s.deleteRootPassword))
	s.mux.HandleFunc("POST /_accountplane/accounts/{id}/root/mfa-devices", s.admin(s.addRootMFADevice))
	s.mux.HandleFunc("DELETE /_accountplane/accounts/{id}/root/mfa-devices/{name}", s.admin(s.deleteRootMFADevice))
}

// rootStatus is the HTTP status of the exceptions the root credential
// routes answer with.
func rootStatus(code string) int {
	switch code {
	case "NoSuchEntity":
		return http.StatusNotFound
	case "EntityAlreadyExists", "LimitExceeded", "RootCredentialsRemoved":
		return http.StatusConflict
	}
	return http.StatusBadRequest
}

// rootFailure answers an *apierr.Error as {"__type": code, "message": msg}
// with its status; anything else as the admin API's internal error. The
// body never carries a password.
func (s *Server) rootFailure(w http.ResponseWriter, r *http.Request, err error) {
	if e, ok := apierr.As(err); ok {
		writeJSON(w, rootStatus(e.Code), map[string]string{"__type": e.Code, "message": e.Message})
		return
	}
	s.adminFailure(w, r, err)
}

var errNoPassword = apierr.New("ValidationError", `the body must be {"Password": "..."}`)

func (s *Server) setRootPassword(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathAccount(w, r)
	if !ok {
		return
	}
	var in struct {
		Password *string `json:"Password"`
	}
	if err := decodeAdmin(r, &in); err != nil {
		s.adminFailure(w, r, err)
		return
	}
	if in.Password == nil {
		s.rootFailure(w, r, errNoPassword)
		return
	}
	if err := s.cfg.Admin.(RootCredentials).SetRootPassword(r.Context(), id, *in.Password); err != nil {
		s.rootFailure(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"AccountId": id, "PasswordPresent": true})
}

func (s *Server) deleteRootPassword(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathAccount(w, r)
	if !ok {
		return
	}
	if err := s.cfg.Admin.(RootCredentials).DeleteRootPassword(r.Context(), id); err != nil {
		s.rootFailure(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"AccountId": id, "PasswordPresent": false})
}

// reDeviceName is IAM's virtualMFADeviceName pattern.
var reDeviceName = regexp.MustCompile(`^[\w+=,.@-]+$`)

func (s *Server) addRootMFADevice(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathAccount(w, r)
	if !ok {
		return
	}
	var in struct {
		DeviceName string `json:"DeviceName"`
	}
	if err := decodeAdmin(r, &in); err != nil {
		s.adminFailure(w, r, err)
		return
	}
	if !reDeviceName.MatchString(in.DeviceName) || len(in.DeviceName) > 226 {
		s.rootFailure(w, r, apierr.New("ValidationError", `"DeviceName" must be 1 to 226 characters of letters, digits and +=,.@_-`))
		return
	}
	serial, seed, err := s.cfg.Admin.(RootCredentials).AddRootMFADevice(r.Context(), id, in.DeviceName)
	if err != nil {
		s.rootFailure(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"SerialNumber": serial, "Base32StringSeed": seed})
}

func (s *Server) deleteRootMFADevice(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathAccount(w, r)
	if !ok {
		return
	}
	name := r.PathValue("name")
	if err := s.cfg.Admin.(RootCredentials).DeleteRootMFADevice(r.Context(), id, name); err != nil {
		s.rootFailure(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"AccountId": id, "DeviceName": name, "Deleted": true})
}

// checkSignUpPassword applies the root password rules to a sign-up's
// password ("" for none) before the account exists.
func (s *Server) checkSignUpPassword(name, email, password string) error {
	if password == "" {
		return nil
	}
	rc, ok := s.cfg.Admin.(RootCredentials)
	if !ok {
		return errors.New("server: sign-up with a password needs root credential support")
	}
	return rc.CheckRootPassword(name, email, password)
}

// setSignUpPassword gives a signed-up account its root password.
func (s *Server) setSignUpPassword(ctx context.Context, id identity.AccountID, password string) error {
	if password == "" {
		return nil
	}
	return s.cfg.Admin.(RootCredentials).SetRootPassword(ctx, id, password)
}
