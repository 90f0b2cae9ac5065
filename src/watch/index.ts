/** Streaming anomaly scorer for one numeric series (the detector core, also run over NAB). */
export { StreamScorer, DEFAULT_STREAM_SCORER_OPTIONS, normalTail } from './stream-scorer.js'
/** Options of the streaming scorer. */
export type { StreamScorerOptions } from './stream-scorer.js'
/** The watch event schema (zod), the JSON-line parser and the adapter from Parley's event stream. */
export { watchEventSchema, parseWatchLine, fromParleyEvent, WATCH_EVENT_TYPES, REJECT_REASONS } from './watch.schema.js'
/** Parsed watch events, their types, parse results and rejection reasons. */
export type { WatchEvent, WatchEventType, ParsedLine, RejectReason } from './watch.schema.js'
/** The gate that counts duplicated, late and clock-skewed events. */
export { EventIntake, DEFAULT_INTAKE_OPTIONS } from './intake.js'
/** Options of the intake gate. */
export type { IntakeOptions } from './intake.js'
/** Hour-of-day × day-of-week baseline of one count signal, and the Poisson tail it is tested with. */
export { SeasonalBaseline, DEFAULT_BASELINE_OPTIONS, poissonLogTail } from './baseline.js'
/** Options of the seasonal baseline. */
export type { BaselineOptions } from './baseline.js'
/** The streaming engine: baselines, behaviour detectors, diagnosis and de-duplication per tenant. */
export { WatchEngine, DEFAULT_ENGINE_OPTIONS, SIGNALS, severityOf } from './engine.js'
/** Engine options, alerts, suppressions (acknowledgement folding) and counters. */
export type { WatchEngineOptions, WatchAlert, Suppression, WatchStats, Severity, Signal } from './engine.js'
/** Per-actor, per-token and per-account behaviour history. */
export { ActorHistory, TokenHistory, AccountFailures, DEFAULT_BEHAVIOUR_OPTIONS } from './behaviour.js'
/** Options of the behaviour detectors. */
export type { BehaviourOptions } from './behaviour.js'
/** Cause scoring from evidence, and the recommended response per cause. */
export {
  diagnoseTraffic,
  diagnoseAuth,
  diagnoseDataAccess,
  diagnoseToken,
  diagnoseWidget,
  trafficFeatures,
  authFeatures,
  networkOf,
  RECOMMENDATIONS,
} from './diagnosis.js'
/** Diagnosis results and the feature records they are computed from. */
export type {
  Cause,
  Diagnosis,
  Evidence,
  TrafficFeatures,
  AuthFeatures,
  DataAccessFeatures,
  TokenFeatures,
} from './diagnosis.js'
/** The alert lifecycle state machine: open, acknowledge, escalate, resolve, fold. */
export { openAlert, transition, effectiveState, foldAlert } from './lifecycle.js'
/** Lifecycle records, actions, audit entries and transition results. */
export type { AlertRecord, AlertState, LifecycleAction, AlertAuditEntry, Transition } from './lifecycle.js'
/** Replays a JSON-lines file through the engine, one alert line per alert. */
export { runWatchReplay, alertLine } from './replay.js'
/** The replay's return value. */
export type { ReplayResult } from './replay.js'
/** Seeded multi-tenant traffic with injected incidents (tests and `bench:watch`). */
export { generateScenario, seededRandom, normalRate, DEFAULT_TENANTS } from './scenario.js'
/** Scenario shapes: tenants, incident specs and their ground truth. */
export type { Scenario, TenantProfile, Incident, IncidentSpec } from './scenario.js'
