/** Streaming anomaly scorer for one numeric series (the detector core, also run over NAB). */

export type { AlertMail } from './alert-mail.js'
/** The e-mail admins get when an alert opens. */
export { renderAlertMail } from './alert-mail.js'
/** Options of the seasonal baseline. */
export type { BaselineOptions } from './baseline.js'
/** Hour-of-day × day-of-week baseline of one count signal, and the Poisson tail it is tested with. */
export { DEFAULT_BASELINE_OPTIONS, poissonLogTail, SeasonalBaseline } from './baseline.js'
/** Options of the behaviour detectors. */
export type { BehaviourOptions } from './behaviour.js'
/** Per-actor, per-token and per-account behaviour history. */
export { AccountFailures, ActorHistory, DEFAULT_BEHAVIOUR_OPTIONS, TokenHistory } from './behaviour.js'
/** Diagnosis results and the feature records they are computed from. */
export type {
  AuthFeatures,
  Cause,
  DataAccessFeatures,
  Diagnosis,
  Evidence,
  TokenFeatures,
  TrafficFeatures,
} from './diagnosis.js'
/** Cause scoring from evidence, and the recommended response per cause. */
export {
  authFeatures,
  diagnoseAuth,
  diagnoseDataAccess,
  diagnoseToken,
  diagnoseTraffic,
  diagnoseWidget,
  networkOf,
  RECOMMENDATIONS,
  trafficFeatures,
} from './diagnosis.js'
/** Engine options, alerts, suppressions (acknowledgement folding) and counters. */
export type { Severity, Signal, Suppression, WatchAlert, WatchEngineOptions, WatchStats } from './engine.js'
/** The streaming engine: baselines, behaviour detectors, diagnosis and de-duplication per tenant. */
export { DEFAULT_ENGINE_OPTIONS, SIGNALS, severityOf, WatchEngine } from './engine.js'
/** Options of the intake gate. */
export type { IntakeOptions } from './intake.js'
/** The gate that counts duplicated, late and clock-skewed events. */
export { DEFAULT_INTAKE_OPTIONS, EventIntake } from './intake.js'
/** Lifecycle records, actions, audit entries and transition results. */
export type {
  AlertAuditEntry,
  AlertRecord,
  AlertResponse,
  AlertState,
  LifecycleAction,
  Transition,
} from './lifecycle.js'
/** The alert lifecycle state machine: open, acknowledge, escalate, resolve, fold. */
export { effectiveState, foldAlert, openAlert, transition } from './lifecycle.js'
/** The replay's return value. */
export type { ReplayResult } from './replay.js'
/** Replays a JSON-lines file through the engine, one alert line per alert. */
export { alertLine, runWatchReplay } from './replay.js'
export type { PlannedResponse, ResponsePolicy } from './responses.js'
/** Automatic responses per tenant policy: planning (pure) and the widget throttle. */
export {
  DEFAULT_RESPONSE_POLICY,
  plannedResponses,
  responsePolicySchema,
  WidgetThrottle,
} from './responses.js'
/** Scenario shapes: tenants, incident specs and their ground truth. */
export type { Incident, IncidentSpec, Scenario, TenantProfile } from './scenario.js'
/** Seeded multi-tenant traffic with injected incidents (tests and `bench:watch`). */
export { DEFAULT_TENANTS, generateScenario, normalRate, seededRandom } from './scenario.js'
/** Options of the streaming scorer. */
export type { StreamScorerOptions } from './stream-scorer.js'
export { DEFAULT_STREAM_SCORER_OPTIONS, StreamScorer } from './stream-scorer.js'
/** HTTP routes of watch: alerts and their lifecycle. */
export { watchRoutes } from './watch.plugin.js'
/** Parsed watch events, their types, parse results and rejection reasons. */
export type { ParsedLine, RejectReason, WatchEvent, WatchEventType } from './watch.schema.js'
/** The watch event schema (zod), the JSON-line parser and the adapter from Parley's event stream. */
export {
  fromParleyEvent,
  parseWatchLine,
  REJECT_REASONS,
  WATCH_EVENT_TYPES,
  watchEventSchema,
} from './watch.schema.js'
export type { AlertNotifier, StoredAlert } from './watch-service.js'
/** Live anomaly detection over the server's event stream, with stored alerts and their lifecycle. */
export { WatchService } from './watch-service.js'
