// Package policy parses IAM JSON policy documents and evaluates requests
// against them with AWS's policy evaluation logic: explicit deny anywhere
// wins, then every service control policy level, every resource control
// policy level (of the resource's account), the permissions boundary
// and the session policies must allow, then an identity-based policy (or a
// resource-based policy that names the caller) must allow; otherwise the
// request is implicitly denied. [EvaluateResource] decides the resource
// side alone (a role's trust policy, the resource's half of a
// cross-account request).
//
// The package is pure: [Parse] turns a document into a compiled [Policy],
// and [Evaluate] decides one [Request] against a [PolicySet] and reports
// every matching statement, the way cedar-go's Authorize reports every
// reason. Nothing here does I/O, reads a clock or loads policies; callers
// (authz, iam) pass everything in.
//
// References:
//   - Policy grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
//   - Evaluation logic: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
//   - Condition operators: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
//   - Set operators: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
//   - Policy variables: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
//
// It must import only the standard library: not even the project's arn
// package, so that it stays a leaf that any layer may use.
package policy
