package bench

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"
)

// The measured operations, in report order. Mix is 90% GetAlternateContact
// and 10% PutAlternateContact, every tenth request of each client a write.
const (
	OpGetAlternateContact = "GetAlternateContact"
	OpPutAlternateContact = "PutAlternateContact"
	OpListRegions         = "ListRegions"
	OpGetRegionOptStatus  = "GetRegionOptStatus"
	OpDescribeAccount     = "DescribeAccount"
	OpListAccounts        = "ListAccounts"
	OpAssumeRole          = "AssumeRole"
	OpMix                 = "Mix"
)

// Ops lists every operation the benchmark knows.
var Ops = []string{OpGetAlternateContact, OpPutAlternateContact, OpListRegions, OpGetRegionOptStatus,
	OpDescribeAccount, OpListAccounts, OpAssumeRole, OpMix}

// opDescriptions say what each operation's requests are, for the report.
var opDescriptions = map[string]string{
	OpGetAlternateContact: "Account `POST /getAlternateContact` BILLING of a member (AccountId), by the management account's root",
	OpPutAlternateContact: "Account `POST /putAlternateContact` OPERATIONS of a member, a durable write",
	OpListRegions:         "Account `POST /listRegions` of a member, first page",
	OpGetRegionOptStatus:  "Account `POST /getRegionOptStatus` af-south-1 of a member",
	OpDescribeAccount:     "Organizations `DescribeAccount` of a member",
	OpListAccounts:        "Organizations `ListAccounts`, one page of 20, NextToken cycling over every page of the organization",
	OpAssumeRole:          "STS `AssumeRole` into a member's OrganizationAccountAccessRole, by an IAM user of the management account",
	OpMix:                 "90% GetAlternateContact, 10% PutAlternateContact",
}

// knownOp reports whether name is one of Ops.
func knownOp(name string) bool {
	for _, o := range Ops {
		if o == name {
			return true
		}
	}
	return false
}

func contactBody(account, kind string, n int) []byte {
	return fmt.Appendf(nil, `{"AccountId":%q,"AlternateContactType":%q,"EmailAddress":"contact-%d@example.com","Name":"Contact %d","PhoneNumber":"+12065550100","Title":"On call"}`,
		account, kind, n, n)
}

func listAccountsBody(token string) []byte {
	if token == "" {
		return []byte(`{"MaxResults":20}`)
	}
	return fmt.Appendf(nil, `{"MaxResults":20,"NextToken":%q}`, token)
}

// workloadFor returns the workload of the operation name over w.
func workloadFor(name string, w *world) (workload, error) {
	pick := func(rng *rand.Rand) string { return w.targets[rng.IntN(len(w.targets))] }
	get := func(rng *rand.Rand) call {
		return restJSON(w.root, "/getAlternateContact", fmt.Appendf(nil, `{"AccountId":%q,"AlternateContactType":"BILLING"}`, pick(rng)))
	}
	put := func(rng *rand.Rand) call {
		return restJSON(w.root, "/putAlternateContact", contactBody(pick(rng), "OPERATIONS", rng.IntN(1_000_000)))
	}
	wl := workload{name: name}
	switch name {
	case OpGetAlternateContact:
		wl.next = func(rng *rand.Rand, _ uint64) call { return get(rng) }
	case OpPutAlternateContact:
		wl.next = func(rng *rand.Rand, _ uint64) call { return put(rng) }
	case OpMix:
		wl.next = func(rng *rand.Rand, n uint64) call {
			if n%10 == 9 {
				return put(rng)
			}
			return get(rng)
		}
	case OpListRegions:
		wl.next = func(rng *rand.Rand, _ uint64) call {
			return restJSON(w.root, "/listRegions", fmt.Appendf(nil, `{"AccountId":%q}`, pick(rng)))
		}
	case OpGetRegionOptStatus:
		wl.next = func(rng *rand.Rand, _ uint64) call {
			return restJSON(w.root, "/getRegionOptStatus", fmt.Appendf(nil, `{"AccountId":%q,"RegionName":"af-south-1"}`, pick(rng)))
		}
	case OpDescribeAccount:
		wl.next = func(rng *rand.Rand, _ uint64) call {
			return orgs(w.root, "DescribeAccount", fmt.Appendf(nil, `{"AccountId":%q}`, pick(rng)))
		}
	case OpListAccounts:
		wl.next = func(rng *rand.Rand, _ uint64) call {
			return orgs(w.root, "ListAccounts", listAccountsBody(w.pages[rng.IntN(len(w.pages))]))
		}
	case OpAssumeRole:
		wl.next = func(rng *rand.Rand, n uint64) call {
			return query(w.user, "sts", "2011-06-15", "AssumeRole", url.Values{
				"RoleArn":         {"arn:aws:iam::" + pick(rng) + ":role/OrganizationAccountAccessRole"},
				"RoleSessionName": {"bench-" + strconv.FormatUint(n, 10)},
			})
		}
	default:
		return workload{}, fmt.Errorf("unknown operation %q (known: %v)", name, Ops)
	}
	return wl, nil
}
