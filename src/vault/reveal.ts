import { ParleyError } from '../errors/index.js'

/** The reveal rules of the tenant's protect policy. */
export interface RevealRules {
  roles: ReadonlySet<'admin' | 'agent'>
  requireApproval: boolean
  windowMs: number
}

export type RevealState = 'pending' | 'approved' | 'denied'

/** A reveal request as the rules see it. */
export interface RevealGrant {
  requesterId: string
  state: RevealState
  expiresAt: number | null
}

export interface Requester {
  agentId: string
  role: 'admin' | 'agent'
}

/**
 * A new request: refused for a role the policy does not name; otherwise pending until a second
 * person approves, or (if the policy waives approval) granted at once for the policy's window.
 */
export function openRequest(
  rules: RevealRules,
  who: Requester,
  now: number,
): { state: 'pending' | 'approved'; expiresAt: number | null } {
  if (!rules.roles.has(who.role)) {
    throw new ParleyError(
      'PARLEY_ERR_AUTH_FORBIDDEN',
      `the protect policy does not let the ${who.role} role reveal tokenized values`,
    )
  }
  return rules.requireApproval
    ? { state: 'pending', expiresAt: null }
    : { state: 'approved', expiresAt: now + rules.windowMs }
}

/** Approve or deny: only an admin, never the requester (two people), only while pending. */
export function decide(
  rules: RevealRules,
  grant: RevealGrant,
  decider: Requester,
  decision: 'approved' | 'denied',
  now: number,
): { state: 'approved' | 'denied'; expiresAt: number | null } {
  if (decider.role !== 'admin') {
    throw new ParleyError('PARLEY_ERR_AUTH_FORBIDDEN', 'only an admin may approve or deny a reveal')
  }
  if (decider.agentId === grant.requesterId) {
    throw new ParleyError(
      'PARLEY_ERR_REVEAL_SELF_APPROVAL',
      'a reveal must be approved by a second person, not the one who asked for it',
    )
  }
  if (grant.state !== 'pending') {
    throw new ParleyError('PARLEY_ERR_CONFLICT', `the reveal request is already ${grant.state}`)
  }
  return decision === 'approved'
    ? { state: 'approved', expiresAt: now + rules.windowMs }
    : { state: 'denied', expiresAt: null }
}

/** Whether `who` may see the value now: the requester only, approved, inside the window. */
export function checkRevealable(grant: RevealGrant, who: Requester, now: number): void {
  if (grant.requesterId !== who.agentId) {
    throw new ParleyError('PARLEY_ERR_AUTH_FORBIDDEN', 'only the person who asked may see the value')
  }
  if (grant.state === 'pending') {
    throw new ParleyError(
      'PARLEY_ERR_REVEAL_NOT_APPROVED',
      'the reveal is waiting for a second admin to approve it',
    )
  }
  if (grant.state === 'denied') {
    throw new ParleyError('PARLEY_ERR_REVEAL_NOT_APPROVED', 'the reveal was denied')
  }
  if (grant.expiresAt === null || now >= grant.expiresAt) {
    throw new ParleyError(
      'PARLEY_ERR_REVEAL_EXPIRED',
      'the reveal window has closed; ask again with a reason',
    )
  }
}
