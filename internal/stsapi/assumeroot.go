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

// The members of AssumeRoot in the STS model.
var (
	fTargetPrincipal = query.NewShape(12, 2048, ``, ``)
	fTaskPolicyARN   = query.NewShape(20, 2048, ``, ``)
)

type assumeRootResult struct {
	Credentials    credentials `xml:"Credentials"`
	SourceIdentity string      `xml:"SourceIdentity,omitempty"`
}

// parseAssumeRoot reads and validates AssumeRoot's members: the model's
// constraints (TargetPrincipal 12..2048 characters, TaskPolicyArn.arn
// 20..2048, DurationSeconds 0..900), then iam.CheckAssumeRoot's (a
// target that is an account id or root ARN, one of the five task
// policies). A DurationSeconds of 0, which the model allows, is the
// default 900. TODO(fidelity): what AWS makes of 0 is not pinned.
func parseAssumeRoot(v url.Values) (iam.AssumeRootInput, error) {
	p := &params{v: v}
	in := iam.AssumeRootInput{
		TargetPrincipal: p.str("TargetPrincipal", fTargetPrincipal, true),
		TaskPolicyARN:   p.str("TaskPolicyArn.arn", fTaskPolicyARN, true),
	}
	if s, ok := v["DurationSeconds"]; ok && len(s) > 0 {
		n, err := strconv.Atoi(strings.TrimSpace(s[0]))
		switch {
		case err != nil:
			p.fail("DurationSeconds", s[0], false, "Member must be a number")
		case n < 0:
			p.fail("DurationSeconds", s[0], false, "Member must have value greater than or equal to 0")
		case n > 900:
			p.fail("DurationSeconds", s[0], false, "Member must have value less than or equal to 900")
		default:
			in.Duration = time.Duration(n) * time.Second
		}
	}
	if err := p.err(); err != nil {
		return in, err
	}
	return in, iam.CheckAssumeRoot(in)
}

// assumeRootOp is AssumeRoot: sts:AssumeRoot on the target's root user,
// arn:aws:iam::ACCOUNT:root, with the sts:TaskPolicyArn condition key (the
// resource and key AWS's example policies use; not pinned against the
// Service Authorization Reference). Who may call, on which target, with
// which feature state is iam.Service.AssumeRoot's (AccessDenied).
func assumeRootOp(svc *iam.Service) operation.Operation {
	return operation.Operation{
		Service: ServiceName, Name: "AssumeRoot", Action: "sts:AssumeRoot",
		Prepare: func(r operation.Request, raw operation.Input) (operation.Call, error) {
			in, err := parseAssumeRoot(raw.Params)
			if err != nil {
				return operation.Call{}, err
			}
			target, _ := iam.RootTarget(in.TargetPrincipal)
			return operation.Call{
				Access: func(context.Context) (operation.Access, error) {
					return operation.Access{
						Resources:  []string{identity.RootPrincipal(target, "").ARN},
						Conditions: map[string][]string{"sts:TaskPolicyArn": {in.TaskPolicyARN}},
					}, nil
				},
				Invoke: func(ctx context.Context) (any, error) { return assumeRoot(ctx, svc, r.Caller, in) },
			}, nil
		},
	}
}

func assumeRoot(ctx context.Context, svc *iam.Service, caller identity.Principal, in iam.AssumeRootInput) (any, error) {
	s, err := svc.AssumeRoot(ctx, caller, in)
	if err != nil {
		return nil, err
	}
	return assumeRootResult{Credentials: credentialsOf(s)}, nil
}
