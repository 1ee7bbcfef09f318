// Package authz is the decision point: for a principal's action on a
// resource it loads the policies that apply (identity policies, permissions
// boundary, session policies, the organization's SCPs, and the RCPs of
// the resource's account for the services RCPs cover) through its
// PolicySource, adds the resource's own policy when the caller passes one
// (Request.ResourcePolicy, e.g. a role's trust policy for sts:AssumeRole),
// asks package policy for the decision, and turns a denial into AWS's
// AccessDenied message naming the kind of policy that denied.
//
// It imports policy, identity and apierr; never storage or wire packages.
package authz
