package iam

import "testing"

func TestDecodeKeyAccount(t *testing.T) {
	tests := []struct {
		id, want string
		ok       bool
	}{
		{"ASIAY34FZKBOKMUTVV7A", "609629065308", true},
		{"test", "", false},
		{"AKIA0000111188889999", "", false}, // 0, 1, 8, 9 are not Base32
		{"ABIAY34FZKBOKMUTVV7A", "", false},
	}
	for _, tt := range tests {
		got, ok := decodeKeyAccount(tt.id)
		if string(got) != tt.want || ok != tt.ok {
			t.Errorf("decodeKeyAccount(%s) = %s, %v; want %s, %v", tt.id, got, ok, tt.want, tt.ok)
		}
	}
}
