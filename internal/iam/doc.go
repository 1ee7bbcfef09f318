// Package iam is the domain of AWS Identity and Access Management as far as
// an account control plane needs it: users, access keys, groups, roles,
// inline and managed policies with versions, permissions boundaries,
// account aliases, the credentials of root users and IAM users (passwords
// and the account password policy, virtual MFA devices, signing
// certificates, access key last use, the credential report), the STS
// sessions issued by AssumeRole, GetSessionToken and AssumeRoot,
// centralized root access for member accounts, password sign-in, and the
// root posture of accounts. It holds every rule;
// stores only persist. Policy documents are parsed and evaluated by
// package policy.
//
// It may import identity, apierr, account (the shared records) and policy;
// never storage or wire packages.
package iam
