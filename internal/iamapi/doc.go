// Package iamapi binds AWS Identity and Access Management to the query
// protocol: the operation table (IAM action and resource ARN per
// operation), form-parameter decoding with the model's constraints
// (ValidationError in AWS's "N validation errors detected" form), XML
// responses shaped as the IAM model's outputs, Marker/MaxItems paging,
// and the exception-to-status table.
//
// It imports iam, policy (only to validate simulation inputs through iam),
// identity, apierr and pagetoken; never storage, sigv4 or server.
package iamapi
