package organizations

// Exception codes and reasons of the policy operations (effective
// policies, the delegation policy). Wire contract: do not rename.
const (
	CodeEffectivePolicyNotFound = "EffectivePolicyNotFoundException"
	CodeResourcePolicyNotFound  = "ResourcePolicyNotFoundException"
)

// Reasons of InvalidInputException used by the policy operations.
const (
	InputReasonNonDetachablePolicy                 = "NON_DETACHABLE_POLICY"
	InputReasonInvalidResourcePolicyJSON           = "INVALID_RESOURCE_POLICY_JSON"
	InputReasonInvalidPrincipal                    = "INVALID_PRINCIPAL"
	InputReasonUnsupportedActionInResourcePolicy   = "UNSUPPORTED_ACTION_IN_RESOURCE_POLICY"
	InputReasonUnsupportedPolicyTypeInResPolicy    = "UNSUPPORTED_POLICY_TYPE_IN_RESOURCE_POLICY"
	InputReasonUnsupportedResourceInResourcePolicy = "UNSUPPORTED_RESOURCE_IN_RESOURCE_POLICY"
)

func errResourcePolicyNotFound() error {
	return e(CodeResourcePolicyNotFound, "We can't find a resource policy request with the parameter that you specified.")
}
