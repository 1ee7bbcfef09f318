package organizations

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/accountplane/accountplane/internal/policy"
)

// The policy types of the model besides [SCP]. SCPs and RCPs are the
// authorization policies; the other eleven are management policies, whose
// documents use the inheritance operators and merge into an effective
// policy per account.
const (
	RCP                     PolicyType = "RESOURCE_CONTROL_POLICY"
	TagPolicy               PolicyType = "TAG_POLICY"
	BackupPolicy            PolicyType = "BACKUP_POLICY"
	AIOptOutPolicy          PolicyType = "AISERVICES_OPT_OUT_POLICY"
	ChatbotPolicy           PolicyType = "CHATBOT_POLICY"
	DeclarativeEC2Policy    PolicyType = "DECLARATIVE_POLICY_EC2"
	SecurityHubPolicy       PolicyType = "SECURITYHUB_POLICY"
	InspectorPolicy         PolicyType = "INSPECTOR_POLICY"
	UpgradeRolloutPolicy    PolicyType = "UPGRADE_ROLLOUT_POLICY"
	BedrockPolicy           PolicyType = "BEDROCK_POLICY"
	S3Policy                PolicyType = "S3_POLICY"
	NetworkSecurityDirector PolicyType = "NETWORK_SECURITY_DIRECTOR_POLICY"
)

// typeRules are the limits and the syntax of one policy type.
type typeRules struct {
	// size is the maximum document size in characters.
	size int
	// perTarget is how many policies of the type a root, OU or account
	// may have attached (AWS-managed ones included).
	perTarget int
	// count is how many customer policies of the type an organization
	// may have.
	count int
	// topKey is the one top-level key of a management policy ("" for
	// authorization policies, and for types whose key is not pinned: any).
	topKey string
	// check validates a parsed management policy beyond the operator
	// grammar (nil: nothing more).
	check func(n *mnode) error
}

// rules lists every type of the model.
//
// Sizes are the quotas page's (SCP and RCP 5,120 characters; AI services
// opt-out 2,500; tag, backup, EC2 declarative, chat applications and
// Security Hub 10,000). The page does not give Inspector, upgrade
// rollout, Bedrock, S3 and network security director policies; they get
// 10,000, as every other management type. Attachments per target are 5
// for SCPs, RCPs and AI opt-out policies and 10 for backup and tag
// policies (the page's table); the other management types, not in the
// table, get 10. An organization may have 10,000 SCPs and 1,000 customer
// policies of every other type.
var rules = map[PolicyType]typeRules{
	SCP:                     {size: 5120, perTarget: 5, count: 10000},
	RCP:                     {size: 5120, perTarget: 5, count: 1000},
	TagPolicy:               {size: 10000, perTarget: 10, count: 1000, topKey: "tags", check: checkTagPolicy},
	BackupPolicy:            {size: 10000, perTarget: 10, count: 1000, topKey: "plans"},
	AIOptOutPolicy:          {size: 2500, perTarget: 5, count: 1000, topKey: "services", check: checkAIOptOutPolicy},
	ChatbotPolicy:           {size: 10000, perTarget: 10, count: 1000, topKey: "chatbot"},
	DeclarativeEC2Policy:    {size: 10000, perTarget: 10, count: 1000, topKey: "ec2_attributes"},
	SecurityHubPolicy:       {size: 10000, perTarget: 10, count: 1000, topKey: "securityhub"},
	InspectorPolicy:         {size: 10000, perTarget: 10, count: 1000},
	UpgradeRolloutPolicy:    {size: 10000, perTarget: 10, count: 1000},
	BedrockPolicy:           {size: 10000, perTarget: 10, count: 1000},
	S3Policy:                {size: 10000, perTarget: 10, count: 1000},
	NetworkSecurityDirector: {size: 10000, perTarget: 10, count: 1000},
}

// Authorization reports whether t is an authorization policy type (SCP or
// RCP), which is evaluated with IAM's logic and has no effective policy.
func (t PolicyType) Authorization() bool { return t == SCP || t == RCP }

// Management reports whether t is one of the eleven management policy
// types (the model's EffectivePolicyType).
func (t PolicyType) Management() bool {
	_, ok := rules[t]
	return ok && !t.Authorization()
}

// SizeLimit returns the maximum size in characters of a document of type t.
func (t PolicyType) SizeLimit() int { return rules[t].size }

// maxSize and maxPerTarget apply the service's overrides to the type's
// limits.
func (s *Service) maxSize(t PolicyType) int {
	if s.opts.MaxPolicySize > 0 {
		return s.opts.MaxPolicySize
	}
	return rules[t].size
}

func (s *Service) maxPolicies(t PolicyType) int {
	if s.opts.MaxPolicies > 0 {
		return s.opts.MaxPolicies
	}
	return rules[t].count
}

func (s *Service) maxPerTarget(t PolicyType) int {
	if s.opts.MaxPoliciesPerTarget > 0 {
		return s.opts.MaxPoliciesPerTarget
	}
	return rules[t].perTarget
}

// checkContent validates a policy document of type t: its size, then its
// syntax (SCP and RCP: the IAM policy grammar they may use; management
// types: the inheritance operators and the type's own keys). Returns
// ConstraintViolationException POLICY_CONTENT_LIMIT_EXCEEDED or
// MalformedPolicyDocumentException.
func (s *Service) checkContent(t PolicyType, content string) error {
	if max := s.maxSize(t); len([]rune(content)) > max {
		return constraint(ReasonPolicyContentLimitExceeded, fmt.Sprintf("The policy content exceeds the maximum size of %d characters.", max))
	}
	switch t {
	case SCP:
		return checkSCP(content)
	case RCP:
		return checkRCP(content)
	}
	_, err := parseManagement(t, content)
	return err
}

// checkSCP validates an SCP: Organizations' own rules, then the IAM
// grammar the authorizer parses it with.
func checkSCP(content string) error {
	stmts, err := statementsOf(content)
	if err != nil {
		return err
	}
	for _, st := range stmts {
		var effect string
		if json.Unmarshal(st["Effect"], &effect) != nil || (effect != "Allow" && effect != "Deny") {
			return malformed("Each statement needs an Effect of Allow or Deny.")
		}
		_, hasAction := st["Action"]
		_, hasNotAction := st["NotAction"]
		if hasAction == hasNotAction {
			return malformed("Each statement needs exactly one of Action and NotAction.")
		}
		if _, ok := st["Principal"]; ok {
			return malformed("Service control policies can't specify a Principal.")
		}
		if _, ok := st["NotPrincipal"]; ok {
			return malformed("Service control policies can't specify a NotPrincipal.")
		}
		for k := range st {
			switch k {
			case "Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition":
			default:
				return malformed("Unsupported element " + k + " in a statement.")
			}
		}
	}
	return checkGrammar(content, policy.SCP)
}

// checkRCP validates a customer RCP. As the RCP syntax page says, only
// RCPFullAWSAccess may Allow: a customer RCP's statements Deny, name the
// Principal "*", and use Action (not NotAction) with Resource or
// NotResource.
func checkRCP(content string) error {
	stmts, err := statementsOf(content)
	if err != nil {
		return err
	}
	for _, st := range stmts {
		var effect string
		if json.Unmarshal(st["Effect"], &effect) != nil || (effect != "Allow" && effect != "Deny") {
			return malformed("Each statement needs an Effect of Allow or Deny.")
		}
		if effect == "Allow" {
			return malformed("The effect of Allow is only supported for the RCPFullAWSAccess policy: a resource control policy can only Deny.")
		}
		if _, ok := st["NotAction"]; ok {
			return malformed("Resource control policies can't specify a NotAction.")
		}
		if _, ok := st["Action"]; !ok {
			return malformed("Each statement needs an Action.")
		}
		if _, ok := st["NotPrincipal"]; ok {
			return malformed("Resource control policies can't specify a NotPrincipal.")
		}
		var principal string
		if json.Unmarshal(st["Principal"], &principal) != nil || principal != "*" {
			return malformed(`The Principal of a resource control policy must be "*".`)
		}
		_, hasRes := st["Resource"]
		_, hasNotRes := st["NotResource"]
		if hasRes == hasNotRes {
			return malformed("Each statement needs exactly one of Resource and NotResource.")
		}
		for k := range st {
			switch k {
			case "Sid", "Effect", "Principal", "Action", "Resource", "NotResource", "Condition":
			default:
				return malformed("Unsupported element " + k + " in a statement.")
			}
		}
	}
	return checkGrammar(content, policy.RCP)
}

// statementsOf decodes an authorization policy's top level: a JSON object
// with an optional Version (2012-10-17 or 2008-10-17) and a Statement
// that is an object or a non-empty list of objects.
func statementsOf(content string) ([]map[string]json.RawMessage, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(content), &doc); err != nil {
		return nil, malformed("The provided policy document is not valid JSON.")
	}
	if v, ok := doc["Version"]; ok {
		var ver string
		if json.Unmarshal(v, &ver) != nil || (ver != "2012-10-17" && ver != "2008-10-17") {
			return nil, malformed("The policy Version must be 2012-10-17 or 2008-10-17.")
		}
	}
	raw, ok := doc["Statement"]
	if !ok {
		return nil, malformed("The policy document must contain a Statement.")
	}
	var stmts []map[string]json.RawMessage
	if json.Unmarshal(raw, &stmts) != nil {
		var one map[string]json.RawMessage
		if json.Unmarshal(raw, &one) != nil {
			return nil, malformed("Statement must be an object or a list of objects.")
		}
		stmts = []map[string]json.RawMessage{one}
	}
	if len(stmts) == 0 {
		return nil, malformed("The policy document must contain at least one Statement.")
	}
	return stmts, nil
}

// checkGrammar parses content as the authorizer will; a document it
// rejects is malformed, with IAM's message.
func checkGrammar(content string, kind policy.Kind) error {
	if _, err := policy.Parse([]byte(content), kind); err != nil {
		var msg = "The provided policy document does not meet the requirements of the policy grammar."
		if pe, ok := err.(*policy.ParseError); ok {
			msg = pe.Message
		}
		return malformed(msg)
	}
	return nil
}

func malformed(msg string) error { return e(CodeMalformedPolicyDocument, msg) }

// checkTagPolicy: under "tags", each policy key names a tag; its tag_key,
// when assigned, must be the policy key in some capitalization, and the
// only settings are tag_key, tag_value, enforced_for and
// report_required_tag_for.
func checkTagPolicy(n *mnode) error {
	tags := n.children["tags"]
	if tags == nil || tags.op != "" {
		return malformed(`A tag policy's "tags" must be an object of tag keys.`)
	}
	for _, key := range tags.keys {
		tag := tags.children[key]
		if tag.op != "" {
			return malformed("The tag policy key " + key + " must be an object.")
		}
		for _, k := range tag.keys {
			switch k {
			case "tag_key", "tag_value", "enforced_for", "report_required_tag_for":
			default:
				return malformed("Unsupported setting " + k + " for the tag policy key " + key + ".")
			}
		}
		if tk := tag.children["tag_key"]; tk != nil && tk.op == opAssign {
			s, ok := tk.value.(string)
			if !ok || !strings.EqualFold(s, key) {
				return malformed("The tag_key of the tag policy key " + key + " must match it, ignoring case.")
			}
		}
	}
	return nil
}

// checkAIOptOutPolicy: under "services", each service (or "default") sets
// opt_out_policy to optIn or optOut.
func checkAIOptOutPolicy(n *mnode) error {
	svcs := n.children["services"]
	if svcs == nil || svcs.op != "" {
		return malformed(`An AI services opt-out policy's "services" must be an object of services.`)
	}
	for _, name := range svcs.keys {
		svc := svcs.children[name]
		if svc.op != "" {
			return malformed("The service " + name + " must be an object.")
		}
		for _, k := range svc.keys {
			if k != "opt_out_policy" {
				return malformed("Unsupported setting " + k + " for the service " + name + ".")
			}
			v := svc.children[k]
			if s, ok := v.value.(string); v.op != "" && (v.op != opAssign || !ok || (s != "optIn" && s != "optOut")) {
				return malformed(`opt_out_policy must be assigned "optIn" or "optOut".`)
			}
		}
	}
	return nil
}
