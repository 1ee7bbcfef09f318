package storetest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/accountplane/accountplane/internal/iam"
)

// The records of centralized root access and root sign-ins (iam.Tx's
// RootState and OrgFeatures): one per account, one per organization; no
// delete, no list.

var rootStates = &kind[iam.Tx, iam.RootState]{
	name: "RootState", store: iamStore,
	sample: func(s, n int) iam.RootState {
		return iam.RootState{
			Account:            accountID(s*100 + n),
			FirstSignInAttempt: t0.Add(time.Duration(n) * time.Minute), LastSignIn: t0.Add(time.Duration(n) * time.Hour),
			RecoveryDisabled: n%2 == 1,
		}
	},
	key: func(r iam.RootState) any { return r.Account },
	put: func(ctx context.Context, tx iam.Tx, r iam.RootState) error { return tx.PutRootState(ctx, &r) },
	get: func(ctx context.Context, tx iam.Tx, r iam.RootState) (iam.RootState, error) {
		return value(tx.RootState(ctx, r.Account))
	},
	mutate: func(r iam.RootState) iam.RootState {
		return iam.RootState{Account: r.Account, FirstSignInAttempt: t0.Add(24 * time.Hour), LastSignIn: t0.Add(48 * time.Hour), RecoveryDisabled: !r.RecoveryDisabled}
	},
	clear: func(r iam.RootState) iam.RootState { return iam.RootState{Account: r.Account} },
	times: func(r iam.RootState, at time.Time) iam.RootState {
		r.FirstSignInAttempt, r.LastSignIn = at, at
		return r
	},
}

var orgFeatures = &kind[iam.Tx, iam.OrgFeatures]{
	name: "OrgFeatures", store: iamStore,
	sample: func(s, n int) iam.OrgFeatures {
		return iam.OrgFeatures{
			Org: fmt.Sprintf("o-root%02d%04d", s, n), RootCredentialsManagement: n%2 == 1, RootSessions: n%3 != 0,
			UpdatedAt: t0.Add(time.Duration(n) * time.Second),
		}
	},
	key: func(f iam.OrgFeatures) any { return f.Org },
	put: func(ctx context.Context, tx iam.Tx, f iam.OrgFeatures) error { return tx.PutOrgFeatures(ctx, &f) },
	get: func(ctx context.Context, tx iam.Tx, f iam.OrgFeatures) (iam.OrgFeatures, error) {
		return value(tx.OrgFeatures(ctx, f.Org))
	},
	mutate: func(f iam.OrgFeatures) iam.OrgFeatures {
		return iam.OrgFeatures{Org: f.Org, RootCredentialsManagement: !f.RootCredentialsManagement, RootSessions: !f.RootSessions, UpdatedAt: t0.Add(time.Hour)}
	},
	clear: func(f iam.OrgFeatures) iam.OrgFeatures { return iam.OrgFeatures{Org: f.Org} },
	times: func(f iam.OrgFeatures, at time.Time) iam.OrgFeatures {
		f.UpdatedAt = at
		return f
	},
	recase: func(f iam.OrgFeatures) iam.OrgFeatures { f.Org = strings.ToUpper(f.Org); return f },
}
