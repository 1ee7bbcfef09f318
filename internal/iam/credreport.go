package iam

import (
	"bytes"
	"context"
	"encoding/csv"
	"sort"
	"time"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/arn"
	"github.com/accountplane/accountplane/internal/identity"
)

// Credential report exception codes (the model's error codes) and their
// HTTP statuses: ReportNotPresent 410, ReportExpired 410, ReportInProgress
// 404. Wire contract: do not rename.
const (
	CodeReportNotPresent = "ReportNotPresent"
	CodeReportExpired    = "ReportExpired"
	CodeReportInProgress = "ReportInProgress"
)

// CredentialReportInterval is how often a new credential report may be
// generated, and how long one can be read.
const CredentialReportInterval = 4 * time.Hour

// Report states (GenerateCredentialReport's State).
const (
	ReportStarted    = "STARTED"
	ReportInProgress = "INPROGRESS"
	ReportComplete   = "COMPLETE"
)

// CredentialReportColumns are the report's columns, in AWS's order.
var CredentialReportColumns = []string{
	"user", "arn", "user_creation_time", "password_enabled", "password_last_used",
	"password_last_changed", "password_next_rotation", "mfa_active",
	"access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
	"access_key_1_last_used_region", "access_key_1_last_used_service",
	"access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
	"access_key_2_last_used_region", "access_key_2_last_used_service",
	"cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated",
}

// Values the report writes where there is no date.
const (
	reportNA            = "N/A"
	reportNotSupported  = "not_supported"
	reportNoInformation = "no_information"
)

// GenerateCredentialReport starts a credential report of acct unless one
// was started within the last four hours (domain clock). It returns the
// state (STARTED for a new report, INPROGRESS while the latest is being
// generated, COMPLETE when it is ready) and a description. The report is
// a snapshot of the moment it was started.
func (s *Service) GenerateCredentialReport(ctx context.Context, acct identity.AccountID) (state, description string, err error) {
	now := s.Now()
	err = s.update(ctx, func(tx Tx) error {
		r, err := tx.CredentialReport(ctx, acct)
		switch {
		case err == nil && now.Before(r.GeneratedAt.Add(CredentialReportInterval)):
			if now.Before(r.ReadyAt) {
				state, description = ReportInProgress, "Report generation in progress."
			} else {
				state = ReportComplete
			}
			return nil
		case err != nil && !notFound(err):
			return err
		}
		content, err := s.buildReport(ctx, tx, acct, now)
		if err != nil {
			return err
		}
		state, description = ReportStarted, "No report exists. Starting a new report generation task"
		return tx.PutCredentialReport(ctx, &CredentialReport{Account: acct, GeneratedAt: now, ReadyAt: now.Add(s.reportDelay), Content: content})
	})
	return state, description, err
}

// GetCredentialReport returns the latest credential report of acct.
// Returns ReportNotPresent (none was generated), ReportInProgress (not
// ready yet) and ReportExpired (older than four hours).
func (s *Service) GetCredentialReport(ctx context.Context, acct identity.AccountID) (*CredentialReport, error) {
	now := s.Now()
	var r *CredentialReport
	err := s.view(ctx, func(tx Tx) (err error) {
		r, err = tx.CredentialReport(ctx, acct)
		switch {
		case notFound(err):
			return reportErr(CodeReportNotPresent, "Credential report not present. Use GenerateCredentialReport to generate a report.")
		case err != nil:
			return err
		case now.Before(r.ReadyAt):
			return reportErr(CodeReportInProgress, "Credential report generation is in progress. Try again later.")
		case !now.Before(r.GeneratedAt.Add(CredentialReportInterval)):
			return reportErr(CodeReportExpired, "The credential report has expired. Use GenerateCredentialReport to generate a new report.")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

func reportErr(code, msg string) *apierr.Error {
	return &apierr.Error{Code: code, Message: msg, Fault: apierr.Client}
}

// reportTime formats a report date: ISO 8601 with a +00:00 offset, as the
// reports AWS generates write it.
func reportTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05+00:00") }

func reportBool(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// reportRow is one principal's credentials.
type reportRow struct {
	user, arn string
	created   time.Time
	root      bool
	password  *LoginProfile
	mfa       bool
	keys      []identity.AccessKey
	certs     []SigningCertificate
}

// buildReport writes the CSV report of acct as of now: the root user
// first (user <root_account>), then every IAM user by name.
func (s *Service) buildReport(ctx context.Context, tx Tx, acct identity.AccountID, now time.Time) ([]byte, error) {
	a, err := tx.Account(ctx, acct)
	var acctCreated time.Time
	if err == nil {
		acctCreated = a.CreatedAt
	} else if !notFound(err) {
		return nil, err
	}
	if acctCreated.IsZero() {
		acctCreated = now
	}
	pol, err := policyOf(ctx, tx, acct)
	if err != nil {
		return nil, err
	}
	devices, err := tx.MFADevices(ctx, acct)
	if err != nil {
		return nil, err
	}
	rows := []reportRow{{user: "<root_account>", arn: arn.Root(string(acct)), created: acctCreated, root: true}}
	users, err := tx.Users(ctx, acct)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		rows = append(rows, reportRow{user: u.Name, arn: u.ARN(), created: u.CreatedAt})
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(CredentialReportColumns); err != nil {
		return nil, err
	}
	for i := range rows {
		r := &rows[i]
		name := r.user
		if r.root {
			name = ""
		}
		if r.password, err = tx.LoginProfile(ctx, acct, name); notFound(err) {
			r.password = nil
		} else if err != nil {
			return nil, err
		}
		for _, d := range devices {
			if (r.root && d.Root) || (!r.root && !d.Root && sameName(d.User, name)) {
				r.mfa = true
			}
		}
		if r.keys, err = tx.AccessKeys(ctx, acct, name); err != nil {
			return nil, err
		}
		sort.SliceStable(r.keys, func(i, j int) bool { return r.keys[i].CreatedAt.Before(r.keys[j].CreatedAt) })
		if r.certs, err = tx.SigningCertificates(ctx, acct, name); err != nil {
			return nil, err
		}
		sort.SliceStable(r.certs, func(i, j int) bool { return r.certs[i].UploadedAt.Before(r.certs[j].UploadedAt) })
		rec, err := s.reportRecord(ctx, tx, r, pol, acctCreated)
		if err != nil {
			return nil, err
		}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// reportRecord is one line of the report.
func (s *Service) reportRecord(ctx context.Context, tx Tx, r *reportRow, pol *PasswordPolicy, acctCreated time.Time) ([]string, error) {
	rec := []string{r.user, r.arn, reportTime(r.created)}
	// password_enabled, password_last_used, password_last_changed,
	// password_next_rotation.
	lastUsed := reportNA
	if r.password != nil {
		lastUsed = reportNoInformation
		if !r.password.LastUsed.IsZero() {
			lastUsed = reportTime(r.password.LastUsed)
		}
	}
	if r.root {
		rec = append(rec, reportNotSupported, lastUsed, reportNotSupported, reportNotSupported)
	} else {
		changed, next := reportNA, reportNA
		if r.password != nil {
			changed = reportTime(r.password.ChangedAt)
			if exp := PasswordExpiry(r.password, pol); !exp.IsZero() {
				next = reportTime(exp)
			}
		}
		rec = append(rec, reportBool(r.password != nil), lastUsed, changed, next)
	}
	rec = append(rec, reportBool(r.mfa))
	for i := 0; i < 2; i++ {
		if i >= len(r.keys) {
			rec = append(rec, "false", reportNA, reportNA, reportNA, reportNA)
			continue
		}
		k := r.keys[i]
		rotated := k.CreatedAt
		if rotated.IsZero() {
			rotated = acctCreated // keys seeded before IAM kept creation times
		}
		use, err := s.lastUse(ctx, tx, k.ID)
		if err != nil {
			return nil, err
		}
		date, region, service := reportNA, reportNA, reportNA
		if use != nil {
			date, region, service = reportTime(use.At), use.Region, use.Service
		}
		rec = append(rec, reportBool(k.Active), reportTime(rotated), date, region, service)
	}
	for i := 0; i < 2; i++ {
		if i >= len(r.certs) {
			rec = append(rec, "false", reportNA)
			continue
		}
		rec = append(rec, reportBool(r.certs[i].Active), reportTime(r.certs[i].UploadedAt))
	}
	return rec, nil
}
