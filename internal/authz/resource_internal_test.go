package authz

import "testing"

func TestResourceAccount(t *testing.T) {
	for in, want := range map[string]string{
		"arn:aws:account::111122223333:account":                    "111122223333",
		"arn:aws:account::111122223333:account/o-abc/444455556666": "111122223333",
		"arn:aws:iam::111122223333:role/a:b":                       "111122223333",
		"arn:aws:s3:::bucket":                                      "",
		"arn:::::x":                                                "",
		"arn:aws:iam::111122223333":                                "", // five fields
		"nope:aws:iam::111122223333:root":                          "",
		"":                                                         "",
		"arn:aws:organizations::111122223333:account/o-a/222233334444": "111122223333",
	} {
		if got := resourceAccount(in); got != want {
			t.Errorf("resourceAccount(%q) = %q, want %q", in, got, want)
		}
	}
}
