package app_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/accountplane/accountplane/internal/app"
)

// modelOp is one line of testdata/model-operations.txt.
type modelOp struct {
	service, protocol, name, extra string
}

func loadModelOps(t *testing.T) []modelOp {
	t.Helper()
	f, err := os.Open("testdata/model-operations.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ops []modelOp
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fs := strings.Fields(line)
		op := modelOp{service: fs[0], protocol: fs[1], name: fs[2]}
		if len(fs) > 3 {
			op.extra = fs[3]
		}
		ops = append(ops, op)
	}
	return ops
}

// The list kept in testdata is every operation of ../shared/models, when a
// checkout has it.
func TestModelOperationsList(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "models")
	files, _ := filepath.Glob(filepath.Join(dir, "*.service-2.json"))
	if len(files) == 0 {
		t.Skip("no ../shared/models in this checkout; the list in testdata stands on its own")
	}
	files = append(files, filepath.Join(dir, "account-2021-02-01.newer-ops-supplement.json"))
	want := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var m struct {
			Metadata   struct{ SigningName, EndpointPrefix string }
			Operations map[string]json.RawMessage
		}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		svc := m.Metadata.SigningName
		if svc == "" {
			svc = m.Metadata.EndpointPrefix
		}
		if svc == "" {
			svc = "account" // the supplement has no metadata
		}
		for name := range m.Operations {
			want[svc+" "+name] = true
		}
	}
	got := map[string]bool{}
	for _, op := range loadModelOps(t) {
		got[op.service+" "+op.name] = true
	}
	for k := range want {
		if !got[k] {
			t.Errorf("testdata/model-operations.txt lacks %s", k)
		}
	}
	for k := range got {
		if !want[k] {
			t.Errorf("testdata/model-operations.txt lists %s, which no model has", k)
		}
	}
}

// Every operation of every model is either served, with its resources
// declared (the server refuses to start otherwise), or answered with the
// protocol's unknown-operation error. Each is called over real HTTP,
// signed as the default account's root user, with an empty input.
func TestEveryModelledOperation(t *testing.T) {
	a := start(t, app.Config{DataDir: app.MemoryData})
	served := map[string]bool{}
	for _, svc := range a.Services() {
		if err := svc.Check(); err != nil {
			t.Errorf("service %s: %v", svc.Name, err)
		}
		if svc.InProcess {
			continue // console-only tasks: no model, no HTTP route
		}
		for _, op := range svc.Operations {
			served[svc.Name+" "+op.Name] = true
		}
	}
	ops := loadModelOps(t)
	signer := v4.NewSigner()
	creds := aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}
	counts := map[string]int{}
	for _, op := range ops {
		key := op.service + " " + op.name
		var req *http.Request
		var body string
		switch op.protocol {
		case "rest-json":
			body = "{}"
			req, _ = http.NewRequest(http.MethodPost, a.URL()+op.extra, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
		case "json":
			body = "{}"
			req, _ = http.NewRequest(http.MethodPost, a.URL()+"/", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			req.Header.Set("X-Amz-Target", op.extra+"."+op.name)
		case "query":
			version := map[string]string{"iam": "2010-05-08", "sts": "2011-06-15"}[op.service]
			body = "Action=" + op.name + "&Version=" + version
			req, _ = http.NewRequest(http.MethodPost, a.URL()+"/", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		default:
			t.Fatalf("%s: unknown protocol %s", key, op.protocol)
		}
		sum := sha256.Sum256([]byte(body))
		if err := signer.SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), op.service, "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		text := string(b)
		unknown := strings.Contains(text, "UnknownOperationException") || strings.Contains(text, "<Code>InvalidAction</Code>")
		switch {
		case res.StatusCode >= 500:
			t.Errorf("%s: %d %s", key, res.StatusCode, text)
		case served[key] && unknown:
			t.Errorf("%s is served but answered as unknown: %d %s", key, res.StatusCode, text)
		case !served[key] && !unknown:
			t.Errorf("%s is not served but answered %d %s", key, res.StatusCode, text)
		case !served[key]:
			wantStatus := map[string]int{"rest-json": 404, "json": 400, "query": 400}[op.protocol]
			if res.StatusCode != wantStatus {
				t.Errorf("%s (not served): status %d, want %d", key, res.StatusCode, wantStatus)
			}
			counts[op.service+" unknown"]++
		default:
			counts[op.service+" served"]++
		}
	}
	for key := range served {
		if key == "s3 ListBuckets" {
			// No S3 model in shared/models: the one S3 operation, the
			// guide's canonical user id lookup, is tested in
			// internal/e2e/s3_test.go with the SDK's own model.
			continue
		}
		if !slices.ContainsFunc(ops, func(op modelOp) bool { return op.service+" "+op.name == key }) {
			t.Errorf("%s is served but in no model", key)
		}
	}
	t.Logf("operations: %v", counts)
}
