package server

import (
	"context"
	"net/http"

	"github.com/accountplane/accountplane/internal/identity"
)

// GovCloudAdmin is the optional capability of an Admin that pairs
// commercial accounts with GovCloud (US) accounts: POST
// /_accountplane/accounts/{id}/govcloud marks account id "GovCloud-enabled"
// (a management account that may call CreateGovCloudAccount), creating its
// GovCloud account when it has none.
type GovCloudAdmin interface {
	// PairGovCloud returns the GovCloud account paired with id, and
	// whether it was created now.
	PairGovCloud(ctx context.Context, id identity.AccountID) (identity.AccountID, bool, error)
}

type govCloudAnswer struct {
	AccountID         string `json:"AccountId"`
	GovCloudAccountID string `json:"GovCloudAccountId"`
}

func (s *Server) pairGovCloud(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathAccount(w, r)
	if !ok {
		return
	}
	g, ok := s.cfg.Admin.(GovCloudAdmin)
	if !ok {
		writeAdminError(w, http.StatusNotFound, "this server pairs no GovCloud accounts")
		return
	}
	gov, created, err := g.PairGovCloud(r.Context(), id)
	if err != nil {
		s.adminFailure(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, govCloudAnswer{AccountID: string(id), GovCloudAccountID: string(gov)})
}
