package stsapi

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/accountplane/accountplane/internal/iam"
	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/operation"
	"github.com/accountplane/accountplane/internal/protocol/query"
)

// Shapes of GetSessionToken and GetAccessKeyInfo.
var fAccessKeyID = query.NewShape(16, 128, `[\w]*`, `[\w]*`)

// defaultWorldKey is the default account's root access key id, accepted
// as an AccessKeyId although it is shorter than the model's minimum (see
// iamapi.DefaultWorldKey).
const defaultWorldKey = "test"

type getSessionTokenResult struct {
	Credentials credentials `xml:"Credentials"`
}

type getAccessKeyInfoResult struct {
	Account string `xml:"Account"`
}

// parseGetSessionToken reads and validates GetSessionToken's parameters.
func parseGetSessionToken(v url.Values) (iam.GetSessionTokenInput, error) {
	p := &params{v: v}
	var in iam.GetSessionTokenInput
	if s, ok := v["DurationSeconds"]; ok && len(s) > 0 {
		n, err := strconv.Atoi(strings.TrimSpace(s[0]))
		switch {
		case err != nil:
			p.fail("DurationSeconds", s[0], false, "Member must be a number")
		case n < 900:
			p.fail("DurationSeconds", s[0], false, "Member must have value greater than or equal to 900")
		case n > 129600:
			p.fail("DurationSeconds", s[0], false, "Member must have value less than or equal to 129600")
		default:
			in.Duration = time.Duration(n) * time.Second
		}
	}
	in.SerialNumber = p.str("SerialNumber", fSerial, false)
	in.TokenCode = p.str("TokenCode", fTokenCode, false)
	return in, p.err()
}

// sessionOps are GetSessionToken (no permission needed: "You cannot use
// policies to control authentication operations", IAM User Guide) and
// GetAccessKeyInfo (sts:GetAccessKeyInfo on "*").
func sessionOps(svc *iam.Service) []operation.Operation {
	return []operation.Operation{{
		Service: ServiceName, Name: "GetSessionToken", Action: "sts:GetSessionToken",
		Prepare: func(r operation.Request, raw operation.Input) (operation.Call, error) {
			in, err := parseGetSessionToken(raw.Params)
			if err != nil {
				return operation.Call{}, err
			}
			return operation.Call{
				Access: func(context.Context) (operation.Access, error) { return operation.Access{Public: true}, nil },
				Invoke: func(ctx context.Context) (any, error) { return getSessionToken(ctx, svc, r.Caller, in) },
			}, nil
		},
	}, {
		Service: ServiceName, Name: "GetAccessKeyInfo", Action: "sts:GetAccessKeyInfo", ReadOnly: true,
		Prepare: func(r operation.Request, raw operation.Input) (operation.Call, error) {
			p := &params{v: raw.Params}
			id := raw.Params.Get("AccessKeyId")
			if id != defaultWorldKey {
				id = p.str("AccessKeyId", fAccessKeyID, true)
			}
			if err := p.err(); err != nil {
				return operation.Call{}, err
			}
			return operation.Call{
				Access: func(context.Context) (operation.Access, error) {
					return operation.Access{Resources: []string{"*"}}, nil
				},
				Invoke: func(ctx context.Context) (any, error) {
					acct, err := svc.AccessKeyAccount(ctx, id)
					if err != nil {
						return nil, err
					}
					return getAccessKeyInfoResult{Account: string(acct)}, nil
				},
			}, nil
		},
	}}
}

func getSessionToken(ctx context.Context, svc *iam.Service, caller identity.Principal, in iam.GetSessionTokenInput) (any, error) {
	s, err := svc.GetSessionToken(ctx, caller, in)
	if err != nil {
		return nil, err
	}
	return getSessionTokenResult{Credentials: credentialsOf(s)}, nil
}
