package server

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

type presentInner struct {
	Arn  string
	Note string
}

type presentOutput struct {
	Arn       string
	Ptr       *string
	Number    json.Number
	When      time.Time
	Items     []presentInner
	ByName    map[string]presentInner
	Any       any
	Nil       *presentInner
	unexposed string
}

// presentIn puts every commercial ARN of an answer in the caller's
// partition, leaves everything else alone, and never changes its input.
func TestPresentIn(t *testing.T) {
	ptr := "arn:aws:iam::111122223333:user/a"
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	in := &presentOutput{
		Arn: "arn:aws:iam::111122223333:root", Ptr: &ptr, Number: "1700000000.5", When: when,
		Items:  []presentInner{{Arn: "arn:aws:organizations::111122223333:root/o-1/r-1", Note: "not an arn"}},
		ByName: map[string]presentInner{"x": {Arn: "arn:aws:iam::aws:policy/AdministratorAccess"}},
		Any:    "arn:aws:sts::111122223333:assumed-role/r/s", unexposed: "arn:aws:iam::1:root",
	}
	out := presentIn(in, "aws-us-gov").(*presentOutput)
	want := &presentOutput{
		Arn: "arn:aws-us-gov:iam::111122223333:root", Number: "1700000000.5", When: when,
		Items:  []presentInner{{Arn: "arn:aws-us-gov:organizations::111122223333:root/o-1/r-1", Note: "not an arn"}},
		ByName: map[string]presentInner{"x": {Arn: "arn:aws-us-gov:iam::aws:policy/AdministratorAccess"}},
		Any:    "arn:aws-us-gov:sts::111122223333:assumed-role/r/s", unexposed: "arn:aws:iam::1:root",
	}
	wantPtr := "arn:aws-us-gov:iam::111122223333:user/a"
	want.Ptr = &wantPtr
	if !reflect.DeepEqual(out, want) {
		t.Errorf("presentIn = %+v\nwant %+v", out, want)
	}
	if in.Arn != "arn:aws:iam::111122223333:root" || ptr != "arn:aws:iam::111122223333:user/a" ||
		in.Items[0].Arn != "arn:aws:organizations::111122223333:root/o-1/r-1" || in.ByName["x"].Arn != "arn:aws:iam::aws:policy/AdministratorAccess" {
		t.Errorf("presentIn changed its input: %+v", in)
	}
	if got := presentIn(in, ""); got != any(in) {
		t.Errorf("commercial answers are passed through")
	}
	if got := presentIn(nil, "aws-cn"); got != nil {
		t.Errorf("presentIn(nil) = %v", got)
	}
}

func TestResourcesIn(t *testing.T) {
	res := []string{"*", "arn:aws:account::111122223333:account"}
	got := resourcesIn(res, "aws-cn")
	if want := []string{"*", "arn:aws-cn:account::111122223333:account"}; !reflect.DeepEqual(got, want) {
		t.Errorf("resourcesIn = %q, want %q", got, want)
	}
	if res[1] != "arn:aws:account::111122223333:account" {
		t.Errorf("resourcesIn changed its input")
	}
}
