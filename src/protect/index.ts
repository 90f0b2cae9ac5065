/** Detects and redacts sensitive values in one message under a compiled policy. */

/** Checksums the detectors rely on, for callers that validate a single value (e.g. a secure form). */
export { abaValid, cardBrand, ibanValid, isCardNumber, luhnValid, ssnValid } from './checksums.js'
/** Message shape, results and revisions of the conversation scanner. */
export type {
  ConversationMessage,
  ConversationScannerOptions,
  ConversationScanResult,
  MessageRevision,
} from './conversation.js'
/** Follows conversation+sender streams and catches a card number split across messages. */
export { ConversationScanner } from './conversation.js'
/** A tenant pattern as written in a policy. */
export type { CustomPatternSpec } from './custom-pattern.js'
/** Compiles one tenant pattern after the linear-time safety checks; its limits. */
export { compileCustomPattern, MAX_PATTERN_COST, MAX_PATTERN_LENGTH, MAX_REPEAT } from './custom-pattern.js'
/** The redaction step of the server's message path, per tenant policy. */
export { MessageProtector, POLICY_REFRESH_MS } from './message-protector.js'
/** Policy types: the JSON document, the compiled form, a mode and its options. */
export type { CompiledPolicy, ModeSpec, PolicyDocument, RedactionMode } from './policy.js'
/** Validates and compiles a policy document; the strict default policy; the modes and schema. */
export { compilePolicy, DEFAULT_POLICY, policySchema, REDACTION_MODES } from './policy.js'
/** HTTP routes of protect: the tenant policy and its dry run. */
export { protectRoutes } from './protect.plugin.js'
/** Options of `parley redact`. */
export type { RedactCliOptions } from './redact-cli.js'
/** The `parley redact` JSON-lines filter and its policy-file loader. */
export { loadPolicyFile, MAX_CLI_TEXT, runRedactCli } from './redact-cli.js'
/** Scan result, scan options and the injected tokenizer interface. */
export type { ScanOptions, ScanResult, Tokenizer } from './scan.js'
export { scanText } from './scan.js'
/** A finding, its category and the per-category summary kept as message metadata. */
export type { BuiltinType, Finding, FindingSummary, FindingType } from './types.js'
/** The built-in finding category names. */
export { BUILTIN_TYPES } from './types.js'
