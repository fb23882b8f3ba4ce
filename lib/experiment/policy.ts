// The controller policy as `eks-lb-lab policy` compares it: the official documents by release and partition,
// and the comparison of a document with them.
export {
  ACTION_FIRST_RELEASE, COMMERCIAL_POLICIES, PARTITIONS, POLICIES_V3_5_0, type RequiredAddition, partitionOf, partitionsFor,
  policyForPartition, requiredAdditions, withAdditions, iamRegion,
} from '../private/official-policy';
export {
  ACTION_CONSEQUENCES, type NormalStatement, type PolicyComparison, PolicyFormatError, type StatementDifference, comparePolicies, normalize,
  optionalFeaturesOf, statementConsequence, ungrantedActions, actionExplanation, explainedAction,
} from '../private/policy-compare';
