package e2e_test

import (
	"github.com/aws/smithy-go/middleware"
	"net/http"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	atypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/accountplane/accountplane/accountplanetest"
)

func eventNames(evs []cttypes.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = aws.ToString(e.EventName)
	}
	return out
}

// sameNames asserts the names of evs, leaving out the test's own
// LookupEvents calls (which are recorded too).
// uuidV4 matches a version 4 UUID in canonical form.
var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func sameNames(t *testing.T, what string, evs []cttypes.Event, want ...string) {
	t.Helper()
	got := slices.DeleteFunc(eventNames(evs), func(n string) bool { return n == "LookupEvents" })
	if !slices.Equal(got, want) {
		t.Errorf("%s: events %v, want %v", what, got, want)
	}
}

// LookupEvents through aws-sdk-go-v2's cloudtrail client: each lookup
// attribute, time ranges, paging, and each account's own history.
func TestTrailLookupEvents(t *testing.T) {
	t.Parallel()
	clk := newClock()
	srv := accountplanetest.Start(t, accountplanetest.Options{Now: clk.Now})
	root := defaultRoot(srv)
	history := trailClient(root.Cfg)

	// 12:00: root creates bob (three IAM writes).
	t0 := clk.Now()
	bob := newUser(t, srv, root, "bob", adminAccessARN)
	clk.Advance(time.Hour)
	// 13:00: bob reads (IAM, STS, Account).
	t1 := clk.Now()
	_, err := bob.IAM.ListUsers(ctx, &iam.ListUsersInput{})
	must(t, err, "ListUsers")
	_, err = bob.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	must(t, err, "GetCallerIdentity")
	read, err := bob.Acct.GetContactInformation(ctx, &account.GetContactInformationInput{})
	must(t, err, "GetContactInformation")
	clk.Advance(time.Hour)
	// 14:00: bob writes a contact.
	t2 := clk.Now()
	put, err := bob.Acct.PutAlternateContact(ctx, altContact(atypes.AlternateContactTypeBilling, "Bill"))
	must(t, err, "PutAlternateContact")

	all := lookupAll(t, history, nil)
	sameNames(t, "all", all, "PutAlternateContact", "GetContactInformation", "GetCallerIdentity", "ListUsers",
		"CreateAccessKey", "AttachUserPolicy", "CreateUser")

	t.Run("EventName", func(t *testing.T) {
		evs := lookupAll(t, history, attr(cttypes.LookupAttributeKeyEventName, "CreateUser"))
		sameNames(t, "EventName", evs, "CreateUser")
		e := evs[0]
		if aws.ToString(e.Username) != "root" || aws.ToString(e.AccessKeyId) != defaultKey || aws.ToString(e.ReadOnly) != "false" ||
			aws.ToString(e.EventSource) != "iam.amazonaws.com" || !aws.ToTime(e.EventTime).Equal(t0) {
			t.Errorf("CreateUser event %+v", e)
		}
		if len(e.Resources) != 1 || aws.ToString(e.Resources[0].ResourceType) != "AWS::IAM::User" || aws.ToString(e.Resources[0].ResourceName) != "bob" {
			t.Errorf("Resources %+v", e.Resources)
		}
		rec := recordOf(t, e)
		if field(rec, "requestParameters", "userName") != "bob" || rec["eventSource"] != "iam.amazonaws.com" ||
			rec["awsRegion"] != "us-east-1" || rec["recipientAccountId"] != defaultAccountID || field(rec, "userIdentity", "type") != "Root" {
			t.Errorf("record %v", rec)
		}
	})
	t.Run("EventSource", func(t *testing.T) {
		sameNames(t, "account", lookupAll(t, history, attr(cttypes.LookupAttributeKeyEventSource, "account.amazonaws.com")),
			"PutAlternateContact", "GetContactInformation")
		sameNames(t, "sts", lookupAll(t, history, attr(cttypes.LookupAttributeKeyEventSource, "sts.amazonaws.com")), "GetCallerIdentity")
	})
	t.Run("Username", func(t *testing.T) {
		sameNames(t, "bob", lookupAll(t, history, attr(cttypes.LookupAttributeKeyUsername, "bob")),
			"PutAlternateContact", "GetContactInformation", "GetCallerIdentity", "ListUsers")
		sameNames(t, "root", lookupAll(t, history, attr(cttypes.LookupAttributeKeyUsername, "root")),
			"CreateAccessKey", "AttachUserPolicy", "CreateUser")
	})
	t.Run("AccessKeyId", func(t *testing.T) {
		sameNames(t, "bob's key", lookupAll(t, history, attr(cttypes.LookupAttributeKeyAccessKeyId, bob.Key)),
			"PutAlternateContact", "GetContactInformation", "GetCallerIdentity", "ListUsers")
	})
	t.Run("ReadOnly", func(t *testing.T) {
		sameNames(t, "reads", lookupAll(t, history, attr(cttypes.LookupAttributeKeyReadOnly, "true")),
			"GetContactInformation", "GetCallerIdentity", "ListUsers")
		sameNames(t, "writes", lookupAll(t, history, attr(cttypes.LookupAttributeKeyReadOnly, "false")),
			"PutAlternateContact", "CreateAccessKey", "AttachUserPolicy", "CreateUser")
	})
	t.Run("Resources", func(t *testing.T) {
		sameNames(t, "ResourceType", lookupAll(t, history, attr(cttypes.LookupAttributeKeyResourceType, "AWS::IAM::User")),
			"CreateAccessKey", "AttachUserPolicy", "CreateUser")
		sameNames(t, "ResourceName", lookupAll(t, history, attr(cttypes.LookupAttributeKeyResourceName, adminAccessARN)),
			"AttachUserPolicy")
	})
	t.Run("EventId", func(t *testing.T) {
		// A write's record keeps the id its event carries; a read's record
		// gets its id from the store: both are found by it, and each is the
		// eventID of its own record.
		for _, md := range []middleware.Metadata{put.ResultMetadata, read.ResultMetadata} {
			ev, rec := findRecord(t, history, reqIDOf(t, md))
			id := aws.ToString(ev.EventId)
			evs := lookupAll(t, history, attr(cttypes.LookupAttributeKeyEventId, id))
			if len(evs) != 1 || aws.ToString(evs[0].EventId) != id || rec["eventID"] != id || !uuidV4.MatchString(id) {
				t.Errorf("EventId lookup of %s (%s, record's eventID %v): %v", id, aws.ToString(ev.EventName), rec["eventID"], eventNames(evs))
			}
		}
	})
	t.Run("TimeRange", func(t *testing.T) {
		in := &cloudtrail.LookupEventsInput{StartTime: aws.Time(t1), EndTime: aws.Time(t1.Add(time.Minute))}
		sameNames(t, "13:00", lookupAll(t, history, in), "GetContactInformation", "GetCallerIdentity", "ListUsers")
		in = &cloudtrail.LookupEventsInput{StartTime: aws.Time(t2)}
		sameNames(t, "from 14:00", lookupAll(t, history, in), "PutAlternateContact")
		in = &cloudtrail.LookupEventsInput{EndTime: aws.Time(t0)}
		sameNames(t, "until 12:00", lookupAll(t, history, in), "CreateAccessKey", "AttachUserPolicy", "CreateUser")
		_, err := history.LookupEvents(ctx, &cloudtrail.LookupEventsInput{StartTime: aws.Time(t2), EndTime: aws.Time(t0)})
		wantAPIError[*cttypes.InvalidTimeRangeException](t, err, "InvalidTimeRangeException", http.StatusBadRequest)
	})
	t.Run("Paging", func(t *testing.T) {
		// Until 13:00: six events, before any LookupEvents call.
		in := &cloudtrail.LookupEventsInput{EndTime: aws.Time(t1), MaxResults: aws.Int32(2)}
		first, err := history.LookupEvents(ctx, in)
		must(t, err, "LookupEvents")
		if len(first.Events) != 2 || first.NextToken == nil {
			t.Fatalf("first page: %d events, token %v", len(first.Events), first.NextToken)
		}
		var pages int
		var evs []cttypes.Event
		p := cloudtrail.NewLookupEventsPaginator(history, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			must(t, err, "LookupEvents page")
			pages++
			evs = append(evs, page.Events...)
		}
		if pages != 3 {
			t.Errorf("%d pages of 2, want 3", pages)
		}
		if got := eventNames(evs); !slices.Equal(got, []string{"GetContactInformation", "GetCallerIdentity", "ListUsers",
			"CreateAccessKey", "AttachUserPolicy", "CreateUser"}) {
			t.Errorf("paged: %v", got)
		}
		// A token is bound to its request.
		_, err = history.LookupEvents(ctx, &cloudtrail.LookupEventsInput{NextToken: first.NextToken})
		wantAPIError[*cttypes.InvalidNextTokenException](t, err, "InvalidNextTokenException", http.StatusBadRequest)
	})
	t.Run("Errors", func(t *testing.T) {
		in := attr(cttypes.LookupAttributeKeyEventName, "CreateUser")
		in.LookupAttributes = append(in.LookupAttributes, in.LookupAttributes[0])
		_, err := history.LookupEvents(ctx, in)
		wantAPIError[*cttypes.InvalidLookupAttributesException](t, err, "InvalidLookupAttributesException", http.StatusBadRequest)
		_, err = history.LookupEvents(ctx, &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(51)})
		wantAPIError[*cttypes.InvalidMaxResultsException](t, err, "InvalidMaxResultsException", http.StatusBadRequest)
	})
	t.Run("LookupEventsIsRecorded", func(t *testing.T) {
		out, err := history.LookupEvents(ctx, attr(cttypes.LookupAttributeKeyEventName, "CreateUser"))
		must(t, err, "LookupEvents")
		ev, rec := findRecord(t, history, reqIDOf(t, out.ResultMetadata))
		if aws.ToString(ev.EventSource) != "cloudtrail.amazonaws.com" || aws.ToString(ev.ReadOnly) != "true" ||
			field(rec, "requestParameters", "lookupAttributes") == nil {
			t.Errorf("LookupEvents record %v", rec)
		}
	})
	t.Run("OwnAccountOnly", func(t *testing.T) {
		e := &orgEnv{srv: srv, clk: clk}
		other := e.signUp(t, "other", "trail-other@example.com")
		otherHistory := trailClient(srv.ConfigFor(other.key, other.secret))
		for _, ev := range lookupAll(t, otherHistory, nil) {
			if rec := recordOf(t, ev); rec["recipientAccountId"] != other.ID {
				t.Errorf("account %s sees %v", other.ID, rec)
			}
		}
		if n := len(lookupAll(t, otherHistory, attr(cttypes.LookupAttributeKeyUsername, "bob"))); n != 0 {
			t.Errorf("another account sees %d of bob's events", n)
		}
	})
	t.Run("Retention", func(t *testing.T) {
		clk.Advance(90 * 24 * time.Hour)
		// 12:00 and 13:00 are now older than 90 days; 14:00 is not.
		evs := lookupAll(t, history, &cloudtrail.LookupEventsInput{EndTime: aws.Time(t2)})
		sameNames(t, "after 90 days", evs, "PutAlternateContact")
	})
}

// LookupEvents is authorized as cloudtrail:LookupEvents.
func TestTrailLookupEventsDenied(t *testing.T) {
	t.Parallel()
	srv := accountplanetest.Start(t)
	root := defaultRoot(srv)
	nobody := newUser(t, srv, root, "nobody")
	reader := newUser(t, srv, root, "reader")
	putUserPolicy(t, root, "reader", "trail", allowDoc("cloudtrail:LookupEvents"))
	_, err := trailClient(nobody.Cfg).LookupEvents(ctx, &cloudtrail.LookupEventsInput{})
	apiErr(t, err, "AccessDeniedException", 0)
	reqID := errReqID(t, err)
	_, rec := findRecord(t, trailClient(reader.Cfg), reqID)
	if rec["errorCode"] != "AccessDeniedException" || rec["eventName"] != "LookupEvents" || field(rec, "userIdentity", "userName") != "nobody" {
		t.Errorf("denied LookupEvents record %v", rec)
	}
}
