package console

import "testing"

// The templates are parsed when the first page is rendered, not at
// start-up: every one of them must parse.
func TestEveryTemplateParses(t *testing.T) {
	p, err := parsedPages()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"signin", "account", "error"} {
		if p.byName[name] == nil {
			t.Errorf("no page %q among %d", name, len(p.byName))
		}
	}
}
