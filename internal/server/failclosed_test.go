package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/accountplane/accountplane/internal/apierr"
	"github.com/accountplane/accountplane/internal/operation"
	"github.com/accountplane/accountplane/internal/server"
	"github.com/accountplane/accountplane/internal/stsapi"
)

func TestNewRefusesToRunWithoutAnAuthorizer(t *testing.T) {
	_, err := server.New(server.Config{Keys: oneKey{}, Services: []operation.Service{stsapi.Service(nil)}})
	if err == nil || !strings.Contains(err.Error(), "authorizer") {
		t.Fatalf("New without authorizer: %v, want an error naming the authorizer", err)
	}
}

// testService is a JSON service with one operation whose parts the tests
// set.
func testService(op operation.Operation) operation.Service {
	op.Service, op.Action = "testsvc", "testsvc:"+op.Name
	return operation.Service{
		Name: "testsvc", Protocol: operation.AWSJSON, Targets: []string{"TestService."},
		InternalFailure: "InternalFailure", AccessDenied: "AccessDeniedException",
		Unknown:    func(n string) *apierr.Error { return apierr.New("UnknownOperationException", n) },
		Operations: []operation.Operation{op},
	}
}

func TestNewRefusesAnOperationWithoutResources(t *testing.T) {
	_, err := server.New(server.Config{Keys: oneKey{}, Authorizer: allowAll{},
		Services: []operation.Service{testService(operation.Operation{Name: "Undeclared"})}})
	if err == nil || !strings.Contains(err.Error(), "testsvc:Undeclared declares no resources") {
		t.Fatalf("New with an undeclared operation: %v", err)
	}
}

// A call whose Access names no resource is an internal failure: the
// handler never runs, whatever the authorizer would say.
func TestCallWithoutResourcesIsNotRun(t *testing.T) {
	ran := false
	op := operation.Operation{Name: "Empty", Prepare: func(operation.Request, operation.Input) (operation.Call, error) {
		return operation.Call{
			Access: func(context.Context) (operation.Access, error) { return operation.Access{}, nil },
			Invoke: func(context.Context) (any, error) { ran = true; return nil, nil },
		}, nil
	}}
	s := mustNew(t, server.Config{Keys: oneKey{}, Authorizer: allowAll{}, Services: []operation.Service{testService(op)}})
	ts := httptest.NewServer(s)
	defer ts.Close()
	h := map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "TestService.Empty"}
	status, _, body := signedPost(t, ts.Client(), ts.URL, "testsvc", "us-east-1", "secret", h, `{}`)
	if status != http.StatusInternalServerError || !strings.Contains(body, "InternalFailure") || ran {
		t.Fatalf("got %d %s (handler ran: %v), want 500 InternalFailure and no run", status, body, ran)
	}
}

// Two X-Amz-Target headers, or two Actions, are refused in the protocol's
// format before anything runs.
func TestDuplicateOperationSelectors(t *testing.T) {
	s := mustNew(t, server.Config{Keys: oneKey{}, Authorizer: allowAll{}, Services: []operation.Service{stsapi.Service(nil)}})
	ts := httptest.NewServer(s)
	defer ts.Close()

	req, _ := http.NewRequest(http.MethodPost, ts.URL, strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Add("X-Amz-Target", "AWSOrganizationsV20161128.DescribeOrganization")
	req.Header.Add("X-Amz-Target", "AWSOrganizationsV20161128.CreateOrganization")
	res, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest || res.Header.Get("Content-Type") != "application/x-amz-json-1.1" {
		t.Errorf("two X-Amz-Target headers: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}

	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	status, _, body := signedPost(t, ts.Client(), ts.URL, "sts", "us-east-1", "secret", form, "Action=GetCallerIdentity&Action=AssumeRole&Version=2011-06-15")
	if status != http.StatusBadRequest || !strings.Contains(body, "<Code>MalformedQueryString</Code>") {
		t.Errorf("two Actions: %d %s", status, body)
	}
	status, _, body = signedPost(t, ts.Client(), ts.URL+"/?Action=AssumeRole", "sts", "us-east-1", "secret", form, "Action=GetCallerIdentity&Version=2011-06-15")
	if status != http.StatusBadRequest || !strings.Contains(body, "<Code>MalformedQueryString</Code>") {
		t.Errorf("Action in query and body: %d %s", status, body)
	}
}
