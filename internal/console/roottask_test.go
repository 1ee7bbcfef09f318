package console_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/accountplane/accountplane/accountplanetest"
)

// TestPrivilegedRootTasks: with root sessions enabled, an IAM user of the
// management account starts AssumeRoot sessions in a member from the
// Root access page: allow password recovery (CreateLoginProfile), audit
// (the password shows), delete (DeleteLoginProfile); the root user is
// refused AssumeRoot.
func TestPrivilegedRootTasks(t *testing.T) {
	srv := accountplanetest.Start(t)
	c := newClient(t, srv)
	c.signIn(root)
	c.post(prefix+"organizations/create", url.Values{"feature_set": {"ALL"}})
	c.post(prefix+"organizations/services", url.Values{"service": {"iam.amazonaws.com"}, "confirm": {"enable"}})
	for _, f := range []string{"RootCredentialsManagement", "RootSessions"} {
		c.post(prefix+"organizations/root-access", url.Values{"feature": {f}, "action": {"enable"}})
	}
	dev := memberID(t, srv, c, "dev")
	_, body := c.get(prefix + "organizations/root-access")
	if !strings.Contains(body, `<option value="`+dev+`">`) {
		t.Fatalf("root access page without the task form: %.3000s", regexp.MustCompile(`(?s)<main.*</main>`).FindString(body))
	}
	checkPage(t, c, "root access with sessions", body, map[string]bool{})
	_, body = c.post(prefix+"organizations/root-access/task", url.Values{"account": {dev}, "task": {"IAMAuditRootUserCredentials"}})
	if !strings.Contains(body, "AccessDenied") && !strings.Contains(body, "Access denied") {
		t.Errorf("AssumeRoot as the root user: %s", regexp.MustCompile(`(?s)alert.*?</div>`).FindAllString(body, -1))
	}

	admin := iamUser(t, srv, "admin", "arn:aws:iam::aws:policy/AdministratorAccess")
	a := newClient(t, srv)
	a.signIn(admin)
	a.get(prefix + "organizations/root-access")
	result := func(task string) string {
		t.Helper()
		_, body := a.post(prefix+"organizations/root-access/task", url.Values{"account": {dev}, "task": {task}})
		res := regexp.MustCompile(`(?s)<div class="panel" data-testid="root-task-result">.*?</ul>`).FindString(body)
		if res == "" || !strings.Contains(res, "arn:aws:iam::"+dev+":root") {
			t.Fatalf("%s: %s", task, regexp.MustCompile(`(?s)alert.*?</div>|id="root-task".*?</section>`).FindAllString(body, -1))
		}
		return res
	}
	if res := result("IAMCreateRootUserPassword"); !strings.Contains(res, "may recover its password") {
		t.Errorf("create password: %s", res)
	}
	res := result("IAMAuditRootUserCredentials")
	if !strings.Contains(res, "A password, created") || !strings.Contains(res, "No access keys.") || !strings.Contains(res, "No MFA devices.") || !strings.Contains(res, "No signing certificates.") {
		t.Errorf("audit: %s", res)
	}
	if res := result("IAMDeleteRootUserCredentials"); !strings.Contains(res, "The password is deleted.") {
		t.Errorf("delete: %s", res)
	}
	if res := result("IAMAuditRootUserCredentials"); !strings.Contains(res, "No password.") {
		t.Errorf("audit after delete: %s", res)
	}
	// The session's calls are recorded in the member's trail; AssumeRoot
	// in the management account's.
	if n := countEvents(t, srv, "AssumeRoot"); n != 5 {
		t.Errorf("console records of AssumeRoot: %d, want 5", n)
	}
}
