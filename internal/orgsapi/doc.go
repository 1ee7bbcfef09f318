// Package orgsapi binds the AWS Organizations API (awsJson 1.1, target
// prefix AWSOrganizationsV20161128) to the organizations domain: the
// operation table with each operation's IAM action, resource ARNs and
// request condition keys (checked through [Check]), wire structs (AWS
// member names, epoch-second timestamps), validation of every input member
// against the model's constraints (InvalidInputException with the model's
// Reason values), NextToken paging, the ARNs the wire shows, and the
// exception to HTTP status table.
//
// Wire shapes live only here; the domain has no JSON tags. It must not
// import storage, sigv4 or server.
package orgsapi
