package e2e_test

import (
	"encoding/base64"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	"github.com/aws/aws-sdk-go-v2/service/account/types"

	"github.com/accountplane/accountplane/accountplanetest"
)

// The 17 Regions enabled by default and the 12 opt-in Regions of
// spec/behaviour.md §8.2.
var (
	defaultRegions = []string{
		"us-east-1", "us-east-2", "us-west-1", "us-west-2", "ap-south-1", "ap-northeast-1", "ap-northeast-2",
		"ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "ca-central-1", "eu-central-1", "eu-west-1",
		"eu-west-2", "eu-west-3", "eu-north-1", "sa-east-1",
	}
	optInRegions = []string{
		"af-south-1", "ap-east-1", "ap-south-2", "ap-southeast-3", "ap-southeast-4", "ca-west-1", "eu-south-1",
		"eu-south-2", "eu-central-2", "il-central-1", "me-south-1", "me-central-1",
	}
)

const regionOptMessage = "Unable to switch region status because of its current opt-in status."

func listAll(t *testing.T, client *account.Client, in *account.ListRegionsInput) []types.Region {
	t.Helper()
	var all []types.Region
	p := account.NewListRegionsPaginator(client, in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if in.MaxResults != nil && len(out.Regions) > int(*in.MaxResults) {
			t.Errorf("page of %d Regions, MaxResults %d", len(out.Regions), *in.MaxResults)
		}
		all = append(all, out.Regions...)
	}
	return all
}

func statusMap(t *testing.T, regions []types.Region) map[string]types.RegionOptStatus {
	t.Helper()
	m := make(map[string]types.RegionOptStatus, len(regions))
	for _, r := range regions {
		name := aws.ToString(r.RegionName)
		if _, dup := m[name]; dup {
			t.Errorf("Region %s listed twice", name)
		}
		m[name] = r.RegionOptStatus
	}
	return m
}

func regionStatus(t *testing.T, client *account.Client, region string) types.RegionOptStatus {
	t.Helper()
	out, err := client.GetRegionOptStatus(ctx, &account.GetRegionOptStatusInput{RegionName: aws.String(region)})
	if err != nil {
		t.Fatalf("GetRegionOptStatus %s: %v", region, err)
	}
	if got := aws.ToString(out.RegionName); got != region {
		t.Errorf("RegionName = %q, want %q", got, region)
	}
	return out.RegionOptStatus
}

func wantStatus(t *testing.T, client *account.Client, region string, want types.RegionOptStatus) {
	t.Helper()
	if got := regionStatus(t, client, region); got != want {
		t.Errorf("%s is %s, want %s", region, got, want)
	}
}

func enable(t *testing.T, client *account.Client, region string) error {
	t.Helper()
	_, err := client.EnableRegion(ctx, &account.EnableRegionInput{RegionName: aws.String(region)})
	return err
}

func disable(t *testing.T, client *account.Client, region string) error {
	t.Helper()
	_, err := client.DisableRegion(ctx, &account.DisableRegionInput{RegionName: aws.String(region)})
	return err
}

func wantRegionOptTarget(t *testing.T, err error) {
	t.Helper()
	ve := wantValidation(t, err, types.ValidationExceptionReasonInvalidRegionOptTarget)
	if got := aws.ToString(ve.Message); got != regionOptMessage {
		t.Errorf("message = %q, want %q", got, regionOptMessage)
	}
}

func TestListRegions(t *testing.T) {
	t.Parallel()
	_, client := start(t)

	var full []types.Region
	t.Run("All", func(t *testing.T) {
		out, err := client.ListRegions(ctx, &account.ListRegionsInput{})
		if err != nil {
			t.Fatal(err)
		}
		if out.NextToken != nil {
			t.Errorf("NextToken %q without MaxResults", *out.NextToken)
		}
		full = out.Regions
		names := make([]string, len(full))
		for i, r := range full {
			names[i] = aws.ToString(r.RegionName)
		}
		if !sort.StringsAreSorted(names) {
			t.Errorf("Regions not sorted by name: %v", names)
		}
		m := statusMap(t, full)
		for _, r := range defaultRegions {
			if m[r] != types.RegionOptStatusEnabledByDefault {
				t.Errorf("%s is %q, want ENABLED_BY_DEFAULT", r, m[r])
			}
		}
		for _, r := range optInRegions {
			if m[r] != types.RegionOptStatusDisabled {
				t.Errorf("%s is %q, want DISABLED", r, m[r])
			}
		}
		byDefault := 0
		for name, st := range m {
			switch st {
			case types.RegionOptStatusEnabledByDefault:
				byDefault++
			case types.RegionOptStatusDisabled:
			default:
				t.Errorf("fresh account: %s is %s", name, st)
			}
		}
		if byDefault != len(defaultRegions) {
			t.Errorf("%d Regions ENABLED_BY_DEFAULT, want %d", byDefault, len(defaultRegions))
		}
	})

	t.Run("Paginator", func(t *testing.T) {
		paged := listAll(t, client, &account.ListRegionsInput{MaxResults: aws.Int32(5)})
		if len(paged) != len(full) {
			t.Fatalf("paged %d Regions, want %d", len(paged), len(full))
		}
		for i := range full {
			if aws.ToString(paged[i].RegionName) != aws.ToString(full[i].RegionName) || paged[i].RegionOptStatus != full[i].RegionOptStatus {
				t.Errorf("paged[%d] = %s/%s, want %s/%s", i, aws.ToString(paged[i].RegionName), paged[i].RegionOptStatus,
					aws.ToString(full[i].RegionName), full[i].RegionOptStatus)
			}
		}
	})

	t.Run("MaxResults50", func(t *testing.T) {
		if got := listAll(t, client, &account.ListRegionsInput{MaxResults: aws.Int32(50)}); len(got) != len(full) {
			t.Errorf("%d Regions, want %d", len(got), len(full))
		}
	})

	t.Run("Filter", func(t *testing.T) {
		got := listAll(t, client, &account.ListRegionsInput{
			MaxResults: aws.Int32(5), RegionOptStatusContains: []types.RegionOptStatus{types.RegionOptStatusEnabledByDefault},
		})
		if len(got) != len(defaultRegions) {
			t.Errorf("%d ENABLED_BY_DEFAULT Regions, want %d", len(got), len(defaultRegions))
		}
		for _, r := range got {
			if r.RegionOptStatus != types.RegionOptStatusEnabledByDefault {
				t.Errorf("filter returned %s/%s", aws.ToString(r.RegionName), r.RegionOptStatus)
			}
		}
		got = listAll(t, client, &account.ListRegionsInput{
			RegionOptStatusContains: []types.RegionOptStatus{types.RegionOptStatusEnabled, types.RegionOptStatusEnabling},
		})
		if len(got) != 0 {
			t.Errorf("fresh account: ENABLED/ENABLING filter returned %v", statusMap(t, got))
		}
	})

	t.Run("MaxResultsOutOfRange", func(t *testing.T) {
		for _, n := range []int32{0, 51, -1} {
			_, err := client.ListRegions(ctx, &account.ListRegionsInput{MaxResults: aws.Int32(n)})
			wantValidation(t, err, types.ValidationExceptionReasonFieldValidationFailed, "MaxResults")
		}
	})

	t.Run("BadFilterValue", func(t *testing.T) {
		_, err := client.ListRegions(ctx, &account.ListRegionsInput{RegionOptStatusContains: []types.RegionOptStatus{"OPTED_IN"}})
		wantValidation(t, err, types.ValidationExceptionReasonFieldValidationFailed)
	})

	firstPage := func(t *testing.T, filter []types.RegionOptStatus) string {
		t.Helper()
		out, err := client.ListRegions(ctx, &account.ListRegionsInput{MaxResults: aws.Int32(5), RegionOptStatusContains: filter})
		if err != nil {
			t.Fatal(err)
		}
		if out.NextToken == nil {
			t.Fatal("no NextToken on a partial page")
		}
		return *out.NextToken
	}

	t.Run("ForgedNextToken", func(t *testing.T) {
		tok := firstPage(t, nil)
		enc, mac, _ := strings.Cut(tok, ".")
		forged := []string{
			"garbage",
			base64.RawURLEncoding.EncodeToString([]byte("10")),
			base64.RawURLEncoding.EncodeToString([]byte("10")) + "." + mac, // offset changed, MAC kept
			enc + "." + flip(mac),
			flip(tok),
			tok + "x",
		}
		for _, f := range forged {
			_, err := client.ListRegions(ctx, &account.ListRegionsInput{MaxResults: aws.Int32(5), NextToken: aws.String(f)})
			wantValidation(t, err, types.ValidationExceptionReasonFieldValidationFailed)
		}
		// The genuine token still works.
		if _, err := client.ListRegions(ctx, &account.ListRegionsInput{MaxResults: aws.Int32(5), NextToken: aws.String(tok)}); err != nil {
			t.Errorf("genuine token: %v", err)
		}
	})

	t.Run("NextTokenTooLong", func(t *testing.T) {
		_, err := client.ListRegions(ctx, &account.ListRegionsInput{NextToken: aws.String(strings.Repeat("a", 1001))})
		wantValidation(t, err, types.ValidationExceptionReasonFieldValidationFailed, "NextToken")
	})

	t.Run("NextTokenWithOtherFilter", func(t *testing.T) {
		tok := firstPage(t, []types.RegionOptStatus{types.RegionOptStatusEnabledByDefault})
		for _, filter := range [][]types.RegionOptStatus{nil, {types.RegionOptStatusDisabled}} {
			_, err := client.ListRegions(ctx, &account.ListRegionsInput{
				MaxResults: aws.Int32(5), NextToken: aws.String(tok), RegionOptStatusContains: filter,
			})
			wantValidation(t, err, types.ValidationExceptionReasonFieldValidationFailed)
		}
	})

	t.Run("NextTokenWithEmptyAccountId", func(t *testing.T) {
		// AccountId "" is the same as no AccountId, so the token continues.
		// (A token used by another caller is covered in TestSeed.)
		tok := firstPage(t, nil)
		_, err := client.ListRegions(ctx, &account.ListRegionsInput{
			AccountId: aws.String(""), MaxResults: aws.Int32(5), NextToken: aws.String(tok),
		})
		if err != nil {
			t.Errorf("AccountId \"\" with a token minted without AccountId: %v", err)
		}
	})
}

// flip changes the last character of s.
func flip(s string) string {
	if s == "" {
		return "x"
	}
	last := s[len(s)-1]
	repl := byte('A')
	if last == 'A' {
		repl = 'B'
	}
	return s[:len(s)-1] + string(repl)
}

func TestRegionsInstant(t *testing.T) {
	t.Parallel()
	_, client := start(t, accountplanetest.Options{RegionTransitionDelay: 0})
	const region = "af-south-1"

	t.Run("Enable", func(t *testing.T) {
		wantStatus(t, client, region, types.RegionOptStatusDisabled)
		if err := enable(t, client, region); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, client, region, types.RegionOptStatusEnabled)
		got := listAll(t, client, &account.ListRegionsInput{RegionOptStatusContains: []types.RegionOptStatus{types.RegionOptStatusEnabled}})
		if len(got) != 1 || aws.ToString(got[0].RegionName) != region {
			t.Errorf("ENABLED filter returned %v, want only %s", statusMap(t, got), region)
		}
	})
	t.Run("EnableEnabled", func(t *testing.T) {
		wantRegionOptTarget(t, enable(t, client, region))
	})
	t.Run("Disable", func(t *testing.T) {
		if err := disable(t, client, region); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, client, region, types.RegionOptStatusDisabled)
	})
	t.Run("DisableDisabled", func(t *testing.T) {
		wantRegionOptTarget(t, disable(t, client, region))
		wantRegionOptTarget(t, disable(t, client, "me-south-1")) // never touched
	})
	t.Run("Reenable", func(t *testing.T) {
		if err := enable(t, client, region); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, client, region, types.RegionOptStatusEnabled)
	})
	t.Run("DefaultRegion", func(t *testing.T) {
		wantRegionOptTarget(t, enable(t, client, "us-east-1"))
		wantRegionOptTarget(t, disable(t, client, "us-east-1"))
		wantStatus(t, client, "us-east-1", types.RegionOptStatusEnabledByDefault)
	})
	t.Run("UnknownRegion", func(t *testing.T) {
		wantValidation(t, enable(t, client, "xx-nowhere-1"), types.ValidationExceptionReasonFieldValidationFailed)
		wantValidation(t, disable(t, client, "xx-nowhere-1"), types.ValidationExceptionReasonFieldValidationFailed)
		_, err := client.GetRegionOptStatus(ctx, &account.GetRegionOptStatusInput{RegionName: aws.String("xx-nowhere-1")})
		wantValidation(t, err, types.ValidationExceptionReasonFieldValidationFailed)
	})
	t.Run("RegionNameTooLong", func(t *testing.T) {
		wantValidation(t, enable(t, client, strings.Repeat("r", 51)), types.ValidationExceptionReasonFieldValidationFailed, "RegionName")
	})
}

func TestRegionsWithClock(t *testing.T) {
	t.Parallel()
	clk := newClock()
	_, client := start(t, accountplanetest.Options{RegionTransitionDelay: time.Hour, Now: clk.Now})
	const region = "eu-south-2"

	t.Run("CreatedDateFromClock", func(t *testing.T) {
		info, err := client.GetAccountInformation(ctx, &account.GetAccountInformationInput{})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToTime(info.AccountCreatedDate); !got.Equal(clk.Now()) {
			t.Errorf("AccountCreatedDate = %v, want the domain clock's %v", got, clk.Now())
		}
	})

	t.Run("Enabling", func(t *testing.T) {
		wantStatus(t, client, region, types.RegionOptStatusDisabled)
		if err := enable(t, client, region); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, client, region, types.RegionOptStatusEnabling)
		got := listAll(t, client, &account.ListRegionsInput{RegionOptStatusContains: []types.RegionOptStatus{types.RegionOptStatusEnabling}})
		if len(got) != 1 || aws.ToString(got[0].RegionName) != region {
			t.Errorf("ENABLING filter returned %v, want only %s", statusMap(t, got), region)
		}
	})
	t.Run("ConflictWhileEnabling", func(t *testing.T) {
		wantAPIError[*types.ConflictException](t, enable(t, client, region), "ConflictException", http.StatusConflict)
		wantAPIError[*types.ConflictException](t, disable(t, client, region), "ConflictException", http.StatusConflict)
		clk.Advance(59 * time.Minute)
		wantStatus(t, client, region, types.RegionOptStatusEnabling)
	})
	t.Run("Enabled", func(t *testing.T) {
		clk.Advance(time.Minute)
		wantStatus(t, client, region, types.RegionOptStatusEnabled)
	})
	t.Run("Disabling", func(t *testing.T) {
		if err := disable(t, client, region); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, client, region, types.RegionOptStatusDisabling)
	})
	t.Run("ConflictWhileDisabling", func(t *testing.T) {
		wantAPIError[*types.ConflictException](t, enable(t, client, region), "ConflictException", http.StatusConflict)
		wantAPIError[*types.ConflictException](t, disable(t, client, region), "ConflictException", http.StatusConflict)
	})
	t.Run("Disabled", func(t *testing.T) {
		clk.Advance(time.Hour)
		wantStatus(t, client, region, types.RegionOptStatusDisabled)
	})

	t.Run("SeventhConcurrentRequest", func(t *testing.T) {
		// region is DISABLED again; make it ENABLED so it can be disabled below.
		if err := enable(t, client, region); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Hour)
		wantStatus(t, client, region, types.RegionOptStatusEnabled)
		for _, r := range optInRegions[:6] {
			if err := enable(t, client, r); err != nil {
				t.Fatalf("enable %s: %v", r, err)
			}
		}
		err := enable(t, client, optInRegions[6])
		wantAPIError[*types.TooManyRequestsException](t, err, "TooManyRequestsException", http.StatusTooManyRequests)
		wantStatus(t, client, optInRegions[6], types.RegionOptStatusDisabled)
		// A DisableRegion is a seventh request too.
		wantAPIError[*types.TooManyRequestsException](t, disable(t, client, region), "TooManyRequestsException", http.StatusTooManyRequests)
		wantStatus(t, client, region, types.RegionOptStatusEnabled)
		clk.Advance(time.Hour)
		for _, r := range optInRegions[:6] {
			wantStatus(t, client, r, types.RegionOptStatusEnabled)
		}
		if err := enable(t, client, optInRegions[6]); err != nil {
			t.Errorf("enable after the others completed: %v", err)
		}
	})
}

// Requests racing each other still respect the limits: the per-account
// maximum of 6 Region requests in flight and one request per Region.
func TestRegionRequestsInParallel(t *testing.T) {
	t.Parallel()
	clk := newClock()
	_, client := start(t, accountplanetest.Options{RegionTransitionDelay: time.Hour, Now: clk.Now})

	run := func(regions []string) (ok int, errs []error) {
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, r := range regions {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := client.EnableRegion(ctx, &account.EnableRegionInput{RegionName: aws.String(r)})
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					ok++
				} else {
					errs = append(errs, err)
				}
			}()
		}
		wg.Wait()
		return ok, errs
	}

	t.Run("SameRegion", func(t *testing.T) {
		ok, errs := run([]string{"af-south-1", "af-south-1", "af-south-1", "af-south-1", "af-south-1"})
		if ok != 1 {
			t.Errorf("%d EnableRegion calls for one Region succeeded, want 1", ok)
		}
		for _, err := range errs {
			wantAPIError[*types.ConflictException](t, err, "ConflictException", http.StatusConflict)
		}
		clk.Advance(time.Hour)
	})

	t.Run("OverLimit", func(t *testing.T) {
		ok, errs := run(optInRegions[1:10])
		if ok != 6 {
			t.Errorf("%d of 9 parallel EnableRegion calls succeeded, want 6", ok)
		}
		for _, err := range errs {
			wantAPIError[*types.TooManyRequestsException](t, err, "TooManyRequestsException", http.StatusTooManyRequests)
		}
		got := listAll(t, client, &account.ListRegionsInput{RegionOptStatusContains: []types.RegionOptStatus{types.RegionOptStatusEnabling}})
		if len(got) != 6 {
			t.Errorf("%d Regions ENABLING, want 6", len(got))
		}
	})
}
