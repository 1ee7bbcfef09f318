// Package cloudtrailapi binds the CloudTrail LookupEvents operation
// (awsJson 1.1, target prefix
// com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101) to the event
// history a [Store] keeps: validation of the lookup attributes, the time
// range, MaxResults and NextToken, the retention window, and the wire
// shapes (epoch-second timestamps, the record as a JSON string).
//
// Wire shapes live only here. It must not import storage, sigv4 or server.
package cloudtrailapi
