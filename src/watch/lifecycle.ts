/**
 * The alert lifecycle as a pure state machine:
 *   open → acknowledged (expected: campaign or test, with a note and an expiry) → resolved
 *   open → escalated (an incident) → resolved;  acknowledged → escalated;  open → resolved
 * Each transition returns the new record and the audit entry to write; nothing is mutated.
 * While an acknowledgement lasts, similar alerts are folded into it instead of raised.
 */
import { ParleyError } from '../errors/index.js'
import type { Cause } from './diagnosis.js'
import type { Suppression, WatchAlert } from './engine.js'
import type { PlannedResponse } from './responses.js'

export type AlertState = 'open' | 'acknowledged' | 'escalated' | 'resolved'

export interface AlertRecord {
  id: string
  tenant: string
  group: string
  signal: string
  cause: Cause
  state: AlertState
  openedAt: number
  updatedAt: number
  /** Why it was expected: a campaign, a test, or something else the note explains. */
  expectedAs?: 'campaign' | 'test' | 'other'
  note?: string
  expiresAt?: number
  incident?: string
  foldedCount: number
  /** Automatic responses carried out for this alert (the tenant's policy ordered them). */
  responses?: AlertResponse[]
}

/** One automatic response as the alert shows it: what was done, to what, when, until when. */
export interface AlertResponse {
  response: PlannedResponse['response']
  target: string
  at: number
  until?: number
  /** What was done instead, e.g. a suspension where step-up was asked of an agent without MFA. */
  note?: string
}

export type LifecycleAction =
  | {
      type: 'acknowledge'
      actor: string
      expectedAs: 'campaign' | 'test' | 'other'
      note: string
      expiresAt: number
    }
  | { type: 'escalate'; actor: string; incident: string; note?: string }
  | { type: 'resolve'; actor: string; note?: string }

/** What the audit log records for a lifecycle step. */
export interface AlertAuditEntry {
  action:
    | 'watch.alert.opened'
    | 'watch.alert.acknowledged'
    | 'watch.alert.escalated'
    | 'watch.alert.resolved'
    | 'watch.alert.folded'
  alertId: string
  tenant: string
  actor: string
  at: number
  from: AlertState | null
  to: AlertState
  note?: string
  expiresAt?: number
  incident?: string
  foldedAlertId?: string
}

export interface Transition {
  record: AlertRecord
  audit: AlertAuditEntry
  /** Present when the step starts folding similar alerts (an acknowledgement). */
  suppression?: Suppression
}

const MAX_ACK_MS = 30 * 24 * 3_600_000
const NEXT: Record<AlertState, readonly LifecycleAction['type'][]> = {
  open: ['acknowledge', 'escalate', 'resolve'],
  acknowledged: ['escalate', 'resolve'],
  escalated: ['resolve'],
  resolved: [],
}

/** The record of a newly raised alert, and its audit entry (actor `watch`). */
export function openAlert(alert: WatchAlert): Transition {
  const at = Date.parse(alert.detectedAt)
  const record: AlertRecord = {
    id: alert.id,
    tenant: alert.tenant,
    group: alert.group,
    signal: alert.signal,
    cause: alert.diagnosis.cause,
    state: 'open',
    openedAt: at,
    updatedAt: at,
    foldedCount: 0,
  }
  return {
    record,
    audit: {
      action: 'watch.alert.opened',
      alertId: alert.id,
      tenant: alert.tenant,
      actor: 'watch',
      at,
      from: null,
      to: 'open',
    },
  }
}

/** Applies one step; throws PARLEY_ERR_WATCH_TRANSITION or PARLEY_ERR_WATCH_ACK_INVALID. */
export function transition(record: AlertRecord, action: LifecycleAction, at: number): Transition {
  const current = effectiveState(record, at)
  if (!NEXT[current].includes(action.type)) {
    throw new ParleyError(
      'PARLEY_ERR_WATCH_TRANSITION',
      `cannot ${action.type} an alert that is ${current}`,
      {
        state: current,
      },
    )
  }
  const base = { alertId: record.id, tenant: record.tenant, actor: action.actor, at, from: current }
  switch (action.type) {
    case 'acknowledge': {
      const note = action.note.trim()
      if (note.length === 0 || note.length > 2000) {
        throw new ParleyError(
          'PARLEY_ERR_WATCH_ACK_INVALID',
          'an acknowledgement needs a note of 1 to 2000 characters',
        )
      }
      if (!(action.expiresAt > at) || action.expiresAt - at > MAX_ACK_MS) {
        throw new ParleyError(
          'PARLEY_ERR_WATCH_ACK_INVALID',
          'an acknowledgement needs an expiry within 30 days',
        )
      }
      const next: AlertRecord = {
        ...record,
        state: 'acknowledged',
        updatedAt: at,
        expectedAs: action.expectedAs,
        note,
        expiresAt: action.expiresAt,
      }
      return {
        record: next,
        audit: {
          ...base,
          action: 'watch.alert.acknowledged',
          to: 'acknowledged',
          note,
          expiresAt: action.expiresAt,
        },
        suppression: {
          alertId: record.id,
          tenant: record.tenant,
          group: record.group,
          cause: record.cause === 'unknown' ? undefined : record.cause,
          until: action.expiresAt,
        },
      }
    }
    case 'escalate': {
      const next: AlertRecord = { ...record, state: 'escalated', updatedAt: at, incident: action.incident }
      delete next.expiresAt
      return {
        record: next,
        audit: {
          ...base,
          action: 'watch.alert.escalated',
          to: 'escalated',
          incident: action.incident,
          ...(action.note ? { note: action.note } : {}),
        },
      }
    }
    case 'resolve':
      return {
        record: { ...record, state: 'resolved', updatedAt: at },
        audit: {
          ...base,
          action: 'watch.alert.resolved',
          to: 'resolved',
          ...(action.note ? { note: action.note } : {}),
        },
      }
  }
}

/** An acknowledgement past its expiry counts as resolved (a later alert will be raised again). */
export function effectiveState(record: AlertRecord, at: number): AlertState {
  if (record.state === 'acknowledged' && record.expiresAt !== undefined && at >= record.expiresAt)
    return 'resolved'
  return record.state
}

/**
 * Folds `alert` into an acknowledged record when it is similar (same tenant and group, same
 * cause unless the acknowledged one was `unknown`) and the acknowledgement has not expired.
 * Returns null when it does not fold: the alert must be raised.
 */
export function foldAlert(record: AlertRecord, alert: WatchAlert): Transition | null {
  const at = Date.parse(alert.detectedAt)
  if (effectiveState(record, at) !== 'acknowledged') return null
  if (record.tenant !== alert.tenant || record.group !== alert.group) return null
  if (record.cause !== 'unknown' && record.cause !== alert.diagnosis.cause) return null
  return {
    record: { ...record, foldedCount: record.foldedCount + 1, updatedAt: at },
    audit: {
      action: 'watch.alert.folded',
      alertId: record.id,
      tenant: record.tenant,
      actor: 'watch',
      at,
      from: 'acknowledged',
      to: 'acknowledged',
      foldedAlertId: alert.id,
    },
  }
}
