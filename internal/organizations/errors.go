package organizations

import (
	"errors"
	"fmt"

	"github.com/accountplane/accountplane/internal/apierr"
)

// Exception codes of the Organizations API that this package returns. They
// are the wire contract: do not rename.
const (
	CodeAWSOrganizationsNotInUse      = "AWSOrganizationsNotInUseException"
	CodeAccessDenied                  = "AccessDeniedException"
	CodeAccountAlreadyClosed          = "AccountAlreadyClosedException"
	CodeAccountAlreadyRegistered      = "AccountAlreadyRegisteredException"
	CodeAccountNotFound               = "AccountNotFoundException"
	CodeAccountNotRegistered          = "AccountNotRegisteredException"
	CodeAlreadyInOrganization         = "AlreadyInOrganizationException"
	CodeChildNotFound                 = "ChildNotFoundException"
	CodeConflict                      = "ConflictException"
	CodeConstraintViolation           = "ConstraintViolationException"
	CodeCreateAccountStatusNotFound   = "CreateAccountStatusNotFoundException"
	CodeDestinationParentNotFound     = "DestinationParentNotFoundException"
	CodeDuplicateAccount              = "DuplicateAccountException"
	CodeDuplicateHandshake            = "DuplicateHandshakeException"
	CodeDuplicateOrganizationalUnit   = "DuplicateOrganizationalUnitException"
	CodeDuplicatePolicy               = "DuplicatePolicyException"
	CodeDuplicatePolicyAttachment     = "DuplicatePolicyAttachmentException"
	CodeHandshakeAlreadyInState       = "HandshakeAlreadyInStateException"
	CodeHandshakeConstraintViolation  = "HandshakeConstraintViolationException"
	CodeHandshakeNotFound             = "HandshakeNotFoundException"
	CodeInvalidHandshakeTransition    = "InvalidHandshakeTransitionException"
	CodeInvalidInput                  = "InvalidInputException"
	CodeMalformedPolicyDocument       = "MalformedPolicyDocumentException"
	CodeMasterCannotLeaveOrganization = "MasterCannotLeaveOrganizationException"
	CodeOrganizationNotEmpty          = "OrganizationNotEmptyException"
	CodeOrganizationalUnitNotEmpty    = "OrganizationalUnitNotEmptyException"
	CodeOrganizationalUnitNotFound    = "OrganizationalUnitNotFoundException"
	CodeParentNotFound                = "ParentNotFoundException"
	CodePolicyInUse                   = "PolicyInUseException"
	CodePolicyNotAttached             = "PolicyNotAttachedException"
	CodePolicyNotFound                = "PolicyNotFoundException"
	CodePolicyTypeAlreadyEnabled      = "PolicyTypeAlreadyEnabledException"
	CodePolicyTypeNotEnabled          = "PolicyTypeNotEnabledException"
	CodeRootNotFound                  = "RootNotFoundException"
	CodeService                       = "ServiceException"
	CodeSourceParentNotFound          = "SourceParentNotFoundException"
	CodeTargetNotFound                = "TargetNotFoundException"
	CodeTooManyRequests               = "TooManyRequestsException"
	CodeUnsupportedAPIEndpoint        = "UnsupportedAPIEndpointException"
)

// Reasons of ConstraintViolationException used here (exact wire values).
const (
	ReasonAccountNumberLimitExceeded            = "ACCOUNT_NUMBER_LIMIT_EXCEEDED"
	ReasonOUNumberLimitExceeded                 = "OU_NUMBER_LIMIT_EXCEEDED"
	ReasonOUDepthLimitExceeded                  = "OU_DEPTH_LIMIT_EXCEEDED"
	ReasonPolicyNumberLimitExceeded             = "POLICY_NUMBER_LIMIT_EXCEEDED"
	ReasonPolicyContentLimitExceeded            = "POLICY_CONTENT_LIMIT_EXCEEDED"
	ReasonMaxPolicyTypeAttachmentLimitExceeded  = "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"
	ReasonMinPolicyTypeAttachmentLimitExceeded  = "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"
	ReasonAccountCannotLeaveOrganization        = "ACCOUNT_CANNOT_LEAVE_ORGANIZATION"
	ReasonAccountCannotLeaveWithoutPhone        = "ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION"
	ReasonMemberPaymentInstrumentRequired       = "MEMBER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED"
	ReasonMasterAccountMissingContactInfo       = "MASTER_ACCOUNT_MISSING_CONTACT_INFO"
	ReasonOrganizationNotInAllFeaturesMode      = "ORGANIZATION_NOT_IN_ALL_FEATURES_MODE"
	ReasonWaitPeriodActive                      = "WAIT_PERIOD_ACTIVE"
	ReasonMaxTagLimitExceeded                   = "MAX_TAG_LIMIT_EXCEEDED"
	ReasonCannotRegisterMasterAsDelegatedAdmin  = "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR"
	ReasonCannotRemoveDelegatedAdminFromOrg     = "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG"
	ReasonDelegatedAdminExistsForThisService    = "DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE"
	ReasonMaxDelegatedAdminsForServiceExceeded  = "MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED"
	ReasonCannotCloseManagementAccount          = "CANNOT_CLOSE_MANAGEMENT_ACCOUNT"
	ReasonCloseAccountQuotaExceeded             = "CLOSE_ACCOUNT_QUOTA_EXCEEDED"
	ReasonServiceAccessNotEnabled               = "SERVICE_ACCESS_NOT_ENABLED"
	ReasonAccountCreationNotComplete            = "ACCOUNT_CREATION_NOT_COMPLETE"
	ReasonCannotRegisterSuspendedAsDelegatedAdm = "CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR"
	ReasonAccountCreationRateLimitExceeded      = "ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED"
)

// Reasons of HandshakeConstraintViolationException used here.
const (
	HSReasonAccountNumberLimitExceeded     = "ACCOUNT_NUMBER_LIMIT_EXCEEDED"
	HSReasonHandshakeRateLimitExceeded     = "HANDSHAKE_RATE_LIMIT_EXCEEDED"
	HSReasonAlreadyInAnOrganization        = "ALREADY_IN_AN_ORGANIZATION"
	HSReasonOrganizationAlreadyHasAll      = "ORGANIZATION_ALREADY_HAS_ALL_FEATURES"
	HSReasonAlreadyPendingAllFeatures      = "ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION"
	HSReasonInviteDisabledDuringAllFeature = "INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES"
	HSReasonPaymentInstrumentRequired      = "PAYMENT_INSTRUMENT_REQUIRED"
	HSReasonDifferentSellerOfRecord        = "ORGANIZATION_FROM_DIFFERENT_SELLER_OF_RECORD"
	HSReasonSourceAndTargetCannotMatch     = "SOURCE_AND_TARGET_CANNOT_MATCH"
)

// Reasons of InvalidInputException used here.
const (
	InputReasonInvalidPartyTypeTarget  = "INVALID_PARTY_TYPE_TARGET"
	InputReasonInvalidEnum             = "INVALID_ENUM"
	InputReasonInvalidNextToken        = "INVALID_NEXT_TOKEN"
	InputReasonMaxLimitExceededFilter  = "MAX_LIMIT_EXCEEDED_FILTER"
	InputReasonMovingBetweenRoots      = "MOVING_ACCOUNT_BETWEEN_DIFFERENT_ROOTS"
	InputReasonUnrecognizedPrincipal   = "UNRECOGNIZED_SERVICE_PRINCIPAL"
	InputReasonDuplicateTagKey         = "DUPLICATE_TAG_KEY"
	InputReasonTargetNotSupported      = "TARGET_NOT_SUPPORTED"
	InputReasonInvalidEmailTarget      = "INVALID_EMAIL_ADDRESS_TARGET"
	InputReasonInputRequired           = "INPUT_REQUIRED"
	InputReasonInvalidPattern          = "INVALID_PATTERN"
	InputReasonInvalidPatternTargetID  = "INVALID_PATTERN_TARGET_ID"
	InputReasonImmutablePolicy         = "IMMUTABLE_POLICY"
	InputReasonMinLengthExceeded       = "MIN_LENGTH_EXCEEDED"
	InputReasonMaxLengthExceeded       = "MAX_LENGTH_EXCEEDED"
	InputReasonMinValueExceeded        = "MIN_VALUE_EXCEEDED"
	InputReasonMaxValueExceeded        = "MAX_VALUE_EXCEEDED"
	InputReasonInvalidSyntaxPolicyID   = "INVALID_SYNTAX_POLICY_ID"
	InputReasonInvalidEnumPolicyType   = "INVALID_ENUM_POLICY_TYPE"
	InputReasonInvalidRoleName         = "INVALID_ROLE_NAME"
	InputReasonInvalidListMember       = "INVALID_LIST_MEMBER"
	InputReasonInvalidFullNameTarget   = "INVALID_FULL_NAME_TARGET"
	InputReasonCallerRequiredFieldMiss = "CALLER_REQUIRED_FIELD_MISSING"
)

func e(code, msg string) *apierr.Error { return apierr.New(code, msg) }

func withReason(code, reason, msg string) *apierr.Error {
	err := apierr.New(code, msg)
	err.Reason = reason
	return err
}

func constraint(reason, msg string) *apierr.Error {
	return withReason(CodeConstraintViolation, reason, msg)
}

func handshakeConstraint(reason, msg string) *apierr.Error {
	return withReason(CodeHandshakeConstraintViolation, reason, msg)
}

// InvalidInput returns an InvalidInputException with reason.
func InvalidInput(reason, msg string) *apierr.Error {
	return withReason(CodeInvalidInput, reason, msg)
}

// Domain sentinels, matched with errors.Is inside the domain; the
// exceptions that carry them are what callers see.
var (
	// ErrNoOrganization: the account is in no organization.
	ErrNoOrganization = errors.New("organizations: the account is in no organization")
	// ErrNoMember: the account is not a (visible) member of the caller's
	// organization.
	ErrNoMember = errors.New("organizations: no such member")
	// ErrNoTarget: no root, OU or account of the organization has the id.
	ErrNoTarget = errors.New("organizations: no such target")
)

func errNotInUse() *apierr.Error {
	err := e(CodeAWSOrganizationsNotInUse, "Your account is not a member of an organization.")
	err.Err = ErrNoOrganization
	return err
}

func accessDenied(msg string) *apierr.Error { return e(CodeAccessDenied, msg) }

func errNotManagement() *apierr.Error {
	return accessDenied("You don't have permissions to access this resource.")
}

func errAccountNotFound() *apierr.Error {
	err := e(CodeAccountNotFound, "You specified an account that doesn't exist.")
	err.Err = ErrNoMember
	return err
}

func errHandshakeNotFound() *apierr.Error {
	return e(CodeHandshakeNotFound, "We can't find a handshake with the HandshakeId that you specified.")
}

func errOUNotFound() *apierr.Error {
	return e(CodeOrganizationalUnitNotFound, "We can't find an organizational unit (OU) with the OrganizationalUnitId that you specified.")
}

func errParentNotFound() *apierr.Error {
	return e(CodeParentNotFound, "We can't find a root or organizational unit (OU) with the ParentId that you specified.")
}

func errPolicyNotFound() *apierr.Error {
	return e(CodePolicyNotFound, "We can't find a policy with the PolicyId that you specified.")
}

func errTargetNotFound() *apierr.Error {
	err := e(CodeTargetNotFound, "We can't find a root, OU, account, or policy with the TargetId that you specified.")
	err.Err = ErrNoTarget
	return err
}

func errRootNotFound() *apierr.Error {
	return e(CodeRootNotFound, "We can't find a root with the RootId that you specified.")
}

func errf(code, format string, args ...any) *apierr.Error {
	return e(code, fmt.Sprintf(format, args...))
}
