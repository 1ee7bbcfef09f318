package iam

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/accountplane/accountplane/internal/arn"

	"github.com/accountplane/accountplane/internal/generation"
	"github.com/accountplane/accountplane/internal/identity"
)

// Options configure a Service. The zero value is usable.
type Options struct {
	// Now is the domain clock (default time.Now).
	Now func() time.Time
	// Rand is the source of ids, keys and tokens (default crypto/rand).
	Rand io.Reader
	// PasswordHashRounds is the PBKDF2 round count of new password hashes
	// (default 100,000; tests may lower it).
	PasswordHashRounds int
	// CredentialReportDelay is how long a credential report stays in
	// progress after GenerateCredentialReport (default 0: ready at once).
	CredentialReportDelay time.Duration
	// Orgs answers what centralized root access and the root MFA rule
	// need to know of organizations (nil: every account is standalone).
	Orgs OrgDirectory
	// KeyUses is the store the access key uses are flushed to (default:
	// the service's store). A store may offer one whose writes do not end
	// the generation of what readers cached: no cached fact depends on
	// when a key was last used.
	KeyUses Store
	// KnownPasswordHashes are hashes made ahead of time (password → hash,
	// as hashPassword writes them) of passwords every store is given,
	// such as the default world's root password, which is public: setting
	// one then costs no key stretching (about 20 ms at 100,000 rounds, most
	// of a new store's start-up). A hash of another round count than
	// PasswordHashRounds is not used.
	KnownPasswordHashes map[string]string
}

// Service holds every IAM and STS rule; the Store only persists.
type Service struct {
	store Store
	now   func() time.Time

	randMu sync.Mutex
	rand   io.Reader
	gen    generation.Counter

	// raw is the store without the generation count, for writes no cached
	// fact depends on (access key last use).
	raw         Store
	pwRounds    int
	reportDelay time.Duration
	uses        keyUses
	orgs        OrgDirectory
	knownHashes map[string]string
}

// NewService returns the IAM service over store.
func NewService(store Store, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	if opts.PasswordHashRounds <= 0 {
		opts.PasswordHashRounds = defaultPBKDF2Rounds
	}
	if opts.KeyUses == nil {
		opts.KeyUses = store
	}
	sv := &Service{now: opts.Now, rand: opts.Rand, raw: opts.KeyUses, pwRounds: opts.PasswordHashRounds, reportDelay: opts.CredentialReportDelay, orgs: opts.Orgs,
		knownHashes: opts.KnownPasswordHashes}
	sv.store = generation.Wrap[Tx](store, &sv.gen)
	return sv
}

// Invalidate changes the generation, for writes that bypass the service
// (the emulator's reset).
func (s *Service) Invalidate() { s.gen.Bump() }

// Generation changes after every write through the service.
func (s *Service) Generation() uint64 { return s.gen.Load() }

// Now returns the service clock in UTC, truncated to the second as IAM
// reports times.
func (s *Service) Now() time.Time { return s.now().UTC().Truncate(time.Second) }

// Default quotas (IAM and STS quotas, as GetAccountSummary reports them).
const (
	QuotaUsers                    = 5000
	QuotaGroups                   = 300
	QuotaRoles                    = 1000
	QuotaPolicies                 = 1500
	QuotaGroupsPerUser            = 10
	QuotaAccessKeysPerUser        = 2
	QuotaAttachedPoliciesPerUser  = 10
	QuotaAttachedPoliciesPerGroup = 10
	QuotaAttachedPoliciesPerRole  = 10
	QuotaVersionsPerPolicy        = 5
	QuotaUserPolicySize           = 2048
	QuotaGroupPolicySize          = 5120
	QuotaRolePolicySize           = 10240
	QuotaPolicySize               = 6144
	QuotaAssumeRolePolicySize     = 2048
	QuotaSessionPolicySize        = 2048
	QuotaSessionPolicyARNs        = 10
	QuotaSessionTags              = 50
	QuotaPolicyVersionsInUse      = 10000
	QuotaServerCertificates       = 20
	QuotaSigningCertsPerUser      = 2
	QuotaInstanceProfiles         = 1000
)

const (
	upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	// Unique ids of IAM entities: a 4-character prefix and 17 characters.
	idLen = 21
)

// randomString returns n characters of alphabet drawn from s.rand without
// modulo bias.
func (s *Service) randomString(alphabet string, n int) (string, error) {
	s.randMu.Lock()
	defer s.randMu.Unlock()
	out := make([]byte, 0, n)
	buf := make([]byte, n*2)
	limit := 256 - 256%len(alphabet)
	for len(out) < n {
		if _, err := io.ReadFull(s.rand, buf); err != nil {
			return "", fmt.Errorf("read random: %w", err)
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out), nil
}

func (s *Service) randomBytes(n int) ([]byte, error) {
	s.randMu.Lock()
	defer s.randMu.Unlock()
	b := make([]byte, n)
	if _, err := io.ReadFull(s.rand, b); err != nil {
		return nil, fmt.Errorf("read random: %w", err)
	}
	return b, nil
}

// newID returns a unique id with prefix (AIDA, AGPA, AROA, ANPA).
func (s *Service) newID(prefix string) (string, error) {
	r, err := s.randomString(upperAlnum, idLen-len(prefix))
	return prefix + r, err
}

// newKeyPair returns an access key id with prefix (AKIA, ASIA) and a
// 40-character secret.
func (s *Service) newKeyPair(prefix string) (id, secret string, err error) {
	r, err := s.randomString(upperAlnum, 16)
	if err != nil {
		return "", "", err
	}
	b, err := s.randomBytes(30)
	if err != nil {
		return "", "", err
	}
	return prefix + r, base64.StdEncoding.EncodeToString(b), nil
}

// ARN helpers.

// UserARN returns the ARN of an IAM user.
func UserARN(acct identity.AccountID, path, name string) string {
	return arn.IAM(string(acct), "user", path, name)
}

// GroupARN returns the ARN of an IAM group.
func GroupARN(acct identity.AccountID, path, name string) string {
	return arn.IAM(string(acct), "group", path, name)
}

// RoleARN returns the ARN of an IAM role.
func RoleARN(acct identity.AccountID, path, name string) string {
	return arn.IAM(string(acct), "role", path, name)
}

// PolicyARN returns the ARN of a customer managed policy.
func PolicyARN(acct identity.AccountID, path, name string) string {
	return arn.IAM(string(acct), "policy", path, name)
}

func orRoot(path string) string {
	if path == "" {
		return "/"
	}
	return path
}

// ARN returns the user's ARN.
func (u *User) ARN() string { return UserARN(u.Account, u.Path, u.Name) }

// ARN returns the group's ARN.
func (g *Group) ARN() string { return GroupARN(g.Account, g.Path, g.Name) }

// ARN returns the role's ARN.
func (r *Role) ARN() string { return RoleARN(r.Account, r.Path, r.Name) }

// policySize is the size IAM counts against its quotas: characters, not
// counting white space.
func policySize(doc string) int {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// notFound reports whether err is the store's ErrNotFound.
func notFound(err error) bool { return errors.Is(err, ErrNotFound) }

// sameName compares IAM names as IAM does: case-insensitively.
func sameName(a, b string) bool { return strings.EqualFold(a, b) }

func (s *Service) view(ctx context.Context, fn func(Tx) error) error {
	return s.store.View(ctx, fn)
}

func (s *Service) update(ctx context.Context, fn func(Tx) error) error {
	return s.store.Update(ctx, fn)
}
