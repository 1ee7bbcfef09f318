package trail

import (
	"strings"
	"time"

	"github.com/accountplane/accountplane/internal/arn"

	"github.com/accountplane/accountplane/internal/identity"
	"github.com/accountplane/accountplane/internal/uuid"
)

// Constant values of the records.
const (
	// EventVersion is the record format version the spec's examples show.
	EventVersion = "1.08"
	// Hidden replaces the value of a sensitive request member, as AWS
	// writes it.
	Hidden = "HIDDEN_DUE_TO_SECURITY_REASONS"
	// DefaultRetention is how long AWS's event history keeps records.
	DefaultRetention = 90 * 24 * time.Hour
	// GlobalRegion is the Region AWS records calls to its global services
	// (Account Management, Organizations, IAM) in.
	GlobalRegion = "us-east-1"
)

// Record is one CloudTrail record: an API call in AWS's format, field for
// field as the spec's examples show it (monitoring.md §1.2 to §1.5).
type Record struct {
	EventVersion      string         `json:"eventVersion"`
	UserIdentity      UserIdentity   `json:"userIdentity"`
	EventTime         string         `json:"eventTime"`
	EventSource       string         `json:"eventSource"`
	EventName         string         `json:"eventName"`
	AWSRegion         string         `json:"awsRegion"`
	SourceIPAddress   string         `json:"sourceIPAddress"`
	UserAgent         string         `json:"userAgent"`
	ErrorCode         string         `json:"errorCode,omitempty"`
	ErrorMessage      string         `json:"errorMessage,omitempty"`
	RequestParameters map[string]any `json:"requestParameters"`
	ResponseElements  map[string]any `json:"responseElements"`
	// AdditionalEventData is a sign-in's (LoginTo, MobileVersion, MFAUsed,
	// MFAIdentifier); absent from API calls.
	AdditionalEventData map[string]string `json:"additionalEventData,omitempty"`
	RequestID           string            `json:"requestID,omitempty"`
	EventID             string            `json:"eventID"`
	ReadOnly            bool              `json:"readOnly"`
	EventType           string            `json:"eventType"`
	ManagementEvent     bool              `json:"managementEvent"`
	EventCategory       string            `json:"eventCategory"`
	RecipientAccount    string            `json:"recipientAccountId"`
	TLSDetails          *TLSDetails       `json:"tlsDetails,omitempty"`
	// SessionCredentialFromConsole is "true" for calls the console made
	// for a signed-in user, as AWS marks console calls; absent otherwise.
	SessionCredentialFromConsole string `json:"sessionCredentialFromConsole,omitempty"`
}

// UserIdentity is who made the call.
type UserIdentity struct {
	Type           string          `json:"type"` // Root, IAMUser, AssumedRole
	PrincipalID    string          `json:"principalId"`
	ARN            string          `json:"arn"`
	AccountID      string          `json:"accountId"`
	AccessKeyID    string          `json:"accessKeyId,omitempty"`
	UserName       string          `json:"userName,omitempty"`
	SessionContext *SessionContext `json:"sessionContext,omitempty"`
}

// SessionContext describes the session of a caller with temporary
// credentials: an AssumedRole caller's role session, or a privileged root
// session of STS AssumeRoot (no issuer; AssumedRoot "true").
type SessionContext struct {
	SessionIssuer       *SessionIssuer    `json:"sessionIssuer,omitempty"`
	WebIDFederationData *struct{}         `json:"webIdFederationData,omitempty"`
	Attributes          SessionAttributes `json:"attributes"`
	// AssumedRoot is "true" in the records of an AssumeRoot session's
	// calls, and in the record of the AssumeRoot call itself (as AWS's
	// example shows it); absent otherwise.
	AssumedRoot string `json:"assumedRoot,omitempty"`
}

// SessionIssuer is the role a session was issued for.
type SessionIssuer struct {
	Type        string `json:"type"` // Role
	PrincipalID string `json:"principalId"`
	ARN         string `json:"arn"`
	AccountID   string `json:"accountId"`
	UserName    string `json:"userName"`
}

// SessionAttributes are the session's creation time and MFA state, both
// strings as AWS writes them.
type SessionAttributes struct {
	MFAAuthenticated string `json:"mfaAuthenticated"`
	CreationDate     string `json:"creationDate"`
}

// TLSDetails describes the TLS connection a call came over.
type TLSDetails struct {
	TLSVersion               string `json:"tlsVersion"`
	CipherSuite              string `json:"cipherSuite"`
	ClientProvidedHostHeader string `json:"clientProvidedHostHeader"`
}

// Session is what a record needs to know about the role session an
// AssumedRole principal signs with, beyond the principal itself.
type Session struct {
	// RoleARN is the role's ARN with its path ("" means the path is /).
	RoleARN string
	// Created is when STS issued the session.
	Created time.Time
	// MFA reports whether the session was issued with MFA.
	MFA bool
}

// Call is everything a record is built from: one API call as the server
// saw it and answered it.
type Call struct {
	Principal identity.Principal
	// Session describes an AssumedRole principal's session (nil: unknown;
	// the creation date is then left empty).
	Session *Session
	// Service is the signing name (account, organizations, iam, sts,
	// cloudtrail); Operation the operation name, e.g. PutAlternateContact.
	Service   string
	Operation string
	ReadOnly  bool
	// Params are the request's members under their wire names (PascalCase);
	// nested objects are map[string]any, lists []any. Build normalizes
	// the names to camelCase and hides sensitive values.
	Params    map[string]any
	Region    string // "" means GlobalRegion
	SourceIP  string
	UserAgent string
	RequestID string
	// EventID is the record's id; Build leaves it as given.
	EventID string
	// Time is the domain time of the call.
	Time time.Time
	// ErrorCode and ErrorMessage describe a failed call.
	ErrorCode, ErrorMessage string
	// Target is the account an organizations-mode call acted on ("" or the
	// caller's account: the caller's own); the record goes to its log.
	Target identity.AccountID
	TLS    *TLSDetails
	// Console reports a call the console made for a signed-in user
	// (sessionCredentialFromConsole).
	Console bool
	// Response holds the response elements AWS records for the operation,
	// under their wire names (nil for most calls: null).
	Response map[string]any
	// SignIn, when set, makes the record a console sign-in's
	// (signin.amazonaws.com ConsoleLogin, eventType AwsConsoleSignIn)
	// instead of an API call's.
	SignIn *SignIn
}

// SignIn describes a console sign-in attempt, the record AWS writes as
// ConsoleLogin
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html):
// requestParameters null, responseElements {"ConsoleLogin": "Success" or
// "Failure"}, errorMessage "Failed authentication" on a failure, and
// additionalEventData with LoginTo, MobileVersion "No", MFAUsed "Yes" or
// "No" and, when a device verified, MFAIdentifier.
type SignIn struct {
	Success bool
	// Message is the errorMessage of a failure ("" for "Failed
	// authentication").
	Message string
	MFAUsed bool
	// MFAIdentifier is the serial number of the device whose code
	// verified.
	MFAIdentifier string
	// LoginTo is the console page the sign-in leads to.
	LoginTo string
	// HiddenUser is true when the IAM user named does not exist: AWS then
	// writes its name as HIDDEN_DUE_TO_SECURITY_REASONS.
	HiddenUser bool
}

// The constants of sign-in records.
const (
	// SignInSource is the eventSource of sign-in records and SignInEvent
	// their eventName.
	SignInSource = "signin.amazonaws.com"
	SignInEvent  = "ConsoleLogin"
	// EventTypeSignIn is their eventType (API calls' is AwsApiCall).
	EventTypeSignIn = "AwsConsoleSignIn"
	// FailedAuthentication is the errorMessage of a failed sign-in.
	FailedAuthentication = "Failed authentication"
)

// Options tune what records hold. The zero value follows the spec's
// examples.
type Options struct {
	// RecordPhoneNumbers keeps the phoneNumber member of Account API
	// requests, which the spec's PutAlternateContact example leaves out
	// (monitoring.md §1.2, [AMBIGUOUS]).
	RecordPhoneNumbers bool
	// MaskNames writes the name member of PutAlternateContact between
	// asterisks, as the example prints it ("*Alejandro Rosalez*"); by
	// default names are recorded as sent.
	MaskNames bool
}

// Build returns the record of c.
func Build(c Call, opts Options) Record {
	region := c.Region
	if region == "" {
		region = GlobalRegion
	}
	if c.SignIn != nil {
		return buildSignIn(c, region)
	}
	ui := userIdentity(c.Principal, c.Session)
	if c.Service == "sts" && c.Operation == "AssumeRoot" && ui.SessionContext != nil {
		ui.SessionContext.AssumedRoot = "true"
	}
	return Record{
		EventVersion:                 EventVersion,
		UserIdentity:                 ui,
		EventTime:                    Timestamp(c.Time),
		EventSource:                  EventSource(c.Service),
		EventName:                    c.Operation,
		AWSRegion:                    region,
		SourceIPAddress:              c.SourceIP,
		UserAgent:                    c.UserAgent,
		ErrorCode:                    c.ErrorCode,
		ErrorMessage:                 c.ErrorMessage,
		RequestParameters:            requestParameters(c.Service, c.Operation, c.Params, opts),
		ResponseElements:             responseElements(c.Response),
		RequestID:                    c.RequestID,
		EventID:                      c.EventID,
		ReadOnly:                     c.ReadOnly,
		EventType:                    "AwsApiCall",
		ManagementEvent:              true,
		EventCategory:                "Management",
		RecipientAccount:             string(Recipient(c.Principal.Account, c.Target)),
		TLSDetails:                   c.TLS,
		SessionCredentialFromConsole: fromConsole(c.Console),
	}
}

// buildSignIn returns the record of a console sign-in attempt (c.SignIn
// set), in the account it was made in.
func buildSignIn(c Call, region string) Record {
	si := c.SignIn
	p := c.Principal
	u := UserIdentity{Type: p.Type.String(), PrincipalID: p.UserID, ARN: p.ARN, AccountID: string(p.Account)}
	if p.Type == identity.IAMUser {
		u.UserName = p.Name
		if si.HiddenUser {
			u.UserName, u.PrincipalID, u.ARN = Hidden, "", ""
		}
		if !si.Success {
			u.ARN = "" // AWS writes no ARN for a failed IAM user sign-in
		}
	}
	result, msg := "Success", ""
	if !si.Success {
		result, msg = "Failure", si.Message
		if msg == "" {
			msg = FailedAuthentication
		}
	}
	extra := map[string]string{"LoginTo": si.LoginTo, "MobileVersion": "No", "MFAUsed": yesNo(si.MFAUsed)}
	if si.MFAIdentifier != "" {
		extra["MFAIdentifier"] = si.MFAIdentifier
	}
	return Record{
		EventVersion:        EventVersion,
		UserIdentity:        u,
		EventTime:           Timestamp(c.Time),
		EventSource:         SignInSource,
		EventName:           SignInEvent,
		AWSRegion:           region,
		SourceIPAddress:     c.SourceIP,
		UserAgent:           c.UserAgent,
		ErrorMessage:        msg,
		ResponseElements:    map[string]any{"ConsoleLogin": result},
		AdditionalEventData: extra,
		EventID:             c.EventID,
		EventType:           EventTypeSignIn,
		ManagementEvent:     true,
		EventCategory:       "Management",
		RecipientAccount:    string(p.Account),
		TLSDetails:          c.TLS,
	}
}

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

func fromConsole(console bool) string {
	if console {
		return "true"
	}
	return ""
}

// Recipient is the account whose event history receives the record of a
// call by an account of caller acting on target.
func Recipient(caller, target identity.AccountID) identity.AccountID {
	if target != "" {
		return target
	}
	return caller
}

// Timestamp formats t as records do: UTC, whole seconds.
func Timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.Format(timestampLayout)
	}
	hour, minute, sec := t.Clock()
	// By hand: a record of every call formats its time, and Format's
	// layout walk was a fifth of building a read's record.
	var b [20]byte
	put := func(i, v, width int) {
		for j := i + width - 1; j >= i; j-- {
			b[j] = byte('0' + v%10)
			v /= 10
		}
	}
	put(0, year, 4)
	b[4] = '-'
	put(5, int(month), 2)
	b[7] = '-'
	put(8, day, 2)
	b[10] = 'T'
	put(11, hour, 2)
	b[13] = ':'
	put(14, minute, 2)
	b[16] = ':'
	put(17, sec, 2)
	b[19] = 'Z'
	return string(b[:])
}

const timestampLayout = "2006-01-02T15:04:05Z"

// EventSource is the eventSource of a service's records, e.g.
// account.amazonaws.com for the signing name account.
func EventSource(service string) string { return service + ".amazonaws.com" }

// RegionOf is the awsRegion of a call to service signed for region: the
// global services record us-east-1, the others the Region called.
func RegionOf(service, region string) string {
	switch service {
	case "account", "organizations", "iam":
		return GlobalRegion
	}
	if region == "" {
		return GlobalRegion
	}
	return region
}

// IsReadOnly reports whether an operation only reads: Get*, List*,
// Describe*, Lookup* and Simulate* operations, and STS's AssumeRole,
// which AWS marks read-only, and AssumeRoot, marked as AssumeRole is.
// TODO(fidelity): AssumeRoot's readOnly is not pinned.
func IsReadOnly(operation string) bool {
	for _, p := range []string{"Get", "List", "Describe", "Lookup", "Simulate"} {
		if strings.HasPrefix(operation, p) {
			return true
		}
	}
	return operation == "AssumeRole" || operation == "AssumeRoot"
}

// Username is the user name a record is looked up by: "root" for a root
// user, the IAM user's name, or a role session's name.
func Username(p identity.Principal) string {
	switch p.Type {
	case identity.Root:
		return "root"
	case identity.IAMUser:
		return p.Name
	case identity.AssumedRole:
		return p.SessionName
	}
	return ""
}

func userIdentity(p identity.Principal, s *Session) UserIdentity {
	u := UserIdentity{
		Type: p.Type.String(), PrincipalID: p.UserID, ARN: p.ARN,
		AccountID: string(p.Account), AccessKeyID: p.AccessKeyID,
	}
	switch p.Type {
	case identity.IAMUser:
		u.UserName = p.Name
	case identity.Root:
		if p.AssumedRoot {
			sc := &SessionContext{Attributes: SessionAttributes{MFAAuthenticated: "false"}, AssumedRoot: "true"}
			if s != nil {
				sc.Attributes.CreationDate = Timestamp(s.Created)
			}
			u.SessionContext = sc
		}
	case identity.AssumedRole:
		roleID, _, _ := strings.Cut(p.UserID, ":")
		sc := &SessionContext{
			SessionIssuer: &SessionIssuer{
				Type: "Role", PrincipalID: roleID, AccountID: string(p.Account), UserName: p.Name,
				ARN: arn.IAM(string(p.Account), "role", "/", p.Name),
			},
			WebIDFederationData: &struct{}{},
			Attributes:          SessionAttributes{MFAAuthenticated: "false"},
		}
		if s != nil {
			if s.RoleARN != "" {
				sc.SessionIssuer.ARN = s.RoleARN
			}
			sc.Attributes.CreationDate = Timestamp(s.Created)
			if s.MFA {
				sc.Attributes.MFAAuthenticated = "true"
			}
		}
		u.SessionContext = sc
	}
	return u
}

// NewEventID returns a random UUID (version 4).
func NewEventID() string { return uuid.New() }
