package iam

import (
	"errors"
	"fmt"

	"github.com/accountplane/accountplane/internal/policy"
)

// parseDoc parses doc as kind, turning a grammar error into
// MalformedPolicyDocument with IAM's message.
func parseDoc(doc string, kind policy.Kind) (*policy.Policy, error) {
	p, err := policy.Parse([]byte(doc), kind)
	if err != nil {
		var pe *policy.ParseError
		if errors.As(err, &pe) {
			return nil, malformed(pe.Message)
		}
		return nil, fmt.Errorf("parse policy: %w", err)
	}
	return p, nil
}

func parseIdentity(doc string) (*policy.Policy, error) { return parseDoc(doc, policy.Identity) }
func parseTrust(doc string) (*policy.Policy, error)    { return parseDoc(doc, policy.Trust) }

// ValidatePolicyDocument checks doc as a policy of kind, returning
// MalformedPolicyDocument with IAM's message. SimulateCustomPolicy and STS
// session policies use it.
func ValidatePolicyDocument(doc string, kind policy.Kind) (*policy.Policy, error) {
	return parseDoc(doc, kind)
}
