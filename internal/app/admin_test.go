package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/accountplane/accountplane/internal/app"
)

func adminCall(t *testing.T, method, url string, in any, out any) int {
	t.Helper()
	var body bytes.Buffer
	if in != nil {
		json.NewEncoder(&body).Encode(in)
	}
	req, _ := http.NewRequest(method, url, &body)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

func callerAccount(t *testing.T, endpoint, key, secret string) string {
	t.Helper()
	client := sts.NewFromConfig(aws.Config{
		Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, ""),
	})
	out, err := client.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity with %s: %v", key, err)
	}
	return aws.ToString(out.Account)
}

func TestAdminSignUpAndCredentials(t *testing.T) {
	a := start(t, app.Config{DataDir: app.MemoryData})
	var created struct{ AccountId, AccessKeyId, SecretAccessKey string }
	if code := adminCall(t, http.MethodPost, a.URL()+"/_accountplane/accounts", map[string]string{"name": "sandbox", "email": "sandbox@example.com"}, &created); code != http.StatusCreated {
		t.Fatalf("sign up: got %d, want 201", code)
	}
	if len(created.AccountId) != 12 || len(created.AccessKeyId) != 20 || len(created.SecretAccessKey) != 40 {
		t.Fatalf("sign up answer: %+v", created)
	}
	if got := callerAccount(t, a.URL(), created.AccessKeyId, created.SecretAccessKey); got != created.AccountId {
		t.Errorf("new key acts as %s, want %s", got, created.AccountId)
	}
	if code := adminCall(t, http.MethodPost, a.URL()+"/_accountplane/accounts", map[string]string{"name": "again", "email": "SANDBOX@example.com"}, nil); code != http.StatusConflict {
		t.Errorf("sign up with a taken email: got %d, want 409", code)
	}
	var more struct{ AccountId, AccessKeyId, SecretAccessKey string }
	if code := adminCall(t, http.MethodPost, a.URL()+"/_accountplane/accounts/"+created.AccountId+"/credentials", nil, &more); code != http.StatusCreated {
		t.Fatalf("credentials: got %d", code)
	}
	if more.AccessKeyId == created.AccessKeyId || callerAccount(t, a.URL(), more.AccessKeyId, more.SecretAccessKey) != created.AccountId {
		t.Errorf("second key %+v does not act as %s", more, created.AccountId)
	}
	if code := adminCall(t, http.MethodPost, a.URL()+"/_accountplane/accounts/999999999999/credentials", nil, nil); code != http.StatusNotFound {
		t.Errorf("credentials for an unknown account: got %d, want 404", code)
	}
	if code := adminCall(t, http.MethodPut, a.URL()+"/_accountplane/accounts/"+created.AccountId+"/payment-method", map[string]bool{"PaymentMethod": false}, nil); code != http.StatusOK {
		t.Errorf("payment method: got %d, want 200", code)
	}
	var list struct {
		Accounts []struct {
			AccountId, Origin, State string
			PaymentMethod            bool
		}
	}
	if code := adminCall(t, http.MethodGet, a.URL()+"/_accountplane/accounts", nil, &list); code != http.StatusOK || len(list.Accounts) != 2 {
		t.Fatalf("list: got %d with %d accounts, want 200 with 2", code, len(list.Accounts))
	}
	for _, acc := range list.Accounts {
		if acc.Origin != "signup" || acc.State != "ACTIVE" {
			t.Errorf("account %s: origin %s state %s, want signup ACTIVE", acc.AccountId, acc.Origin, acc.State)
		}
		if acc.AccountId == created.AccountId && acc.PaymentMethod {
			t.Errorf("account %s still has a payment method", acc.AccountId)
		}
	}
}

// TestAdminSignUpRace signs up with one email address from several clients
// at once: the email check and the insert are one transaction, so exactly
// one sign-up succeeds and every other one is a 409 Conflict (not a 500,
// nor a second account).
func TestAdminSignUpRace(t *testing.T) {
	a := start(t, app.Config{DataDir: app.MemoryData})
	const clients = 8
	for round := range 4 {
		email := fmt.Sprintf("race%d@example.com", round)
		codes := make(chan int, clients)
		var wg sync.WaitGroup
		for i := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				b, _ := json.Marshal(map[string]string{"name": fmt.Sprintf("racer%d", i), "email": email})
				resp, err := http.Post(a.URL()+"/_accountplane/accounts", "application/json", bytes.NewReader(b))
				if err != nil {
					codes <- 0
					return
				}
				resp.Body.Close()
				codes <- resp.StatusCode
			}()
		}
		wg.Wait()
		close(codes)
		got := map[int]int{}
		for c := range codes {
			got[c]++
		}
		if got[http.StatusCreated] != 1 || got[http.StatusConflict] != clients-1 {
			t.Errorf("round %d: status counts %v, want one 201 and %d 409", round, got, clients-1)
		}
	}
	var list struct{ Accounts []struct{ Email string } }
	adminCall(t, http.MethodGet, a.URL()+"/_accountplane/accounts", nil, &list)
	n := 0
	for _, acc := range list.Accounts {
		if strings.HasPrefix(acc.Email, "race") {
			n++
		}
	}
	if n != 4 {
		t.Errorf("got %d raced accounts, want 4", n)
	}
}
