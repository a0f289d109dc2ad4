export { compileGlob, compileCommandGlob, escapeGlob, type GlobMatcher } from './glob.js';
export {
  PermissionPolicy,
  IMPLICITLY_ALLOWED_METHODS,
  ruleMatches,
  type PolicyDecision,
  type PermissionRule,
  type PermissionPolicyConfig,
  type PermissionSubject,
  type PolicyEvaluation,
  type DecisionSource,
} from './policy.js';
export {
  subjectFromPermissionRequest,
  subjectFromClientCall,
  type PermissionRequestContext,
  type ClientCallContext,
} from './subject.js';
export {
  chooseOption,
  policyToDecision,
  sessionRuleFor,
  type PermissionOptionKind,
  type PermissionOptionLike,
  type PermissionOutcome,
} from './options.js';
export { newApprovalId, deadlineFor, isExpired, remainingMs, EXPIRED_APPROVAL_DECISION } from './approvals.js';
export { rulePathOf, rulePathForms } from './paths.js';
export { withRealPaths } from './real-paths.js';
export { DEFAULT_PROTECTED_PATHS } from './protected-paths.js';
export { parseShellWords, type ShellWords } from './shell-words.js';
