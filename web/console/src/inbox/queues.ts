import type { ConversationView, Me, Role } from '../types.js'

export type QueueId = 'mine' | 'unassigned' | 'team' | 'all'

/** One queue of the inbox: who may see it, which conversations it holds, how to fetch them. */
export interface Queue {
  id: QueueId
  label: string
  role: Role
  holds: (c: ConversationView, me: Me, teamIds: readonly string[], closed: boolean) => boolean
  /** Query strings for `/api/v1/conversations` (one per team for the team queue). */
  requests: (teamIds: readonly string[], closed: boolean) => string[]
}

const statuses = (closed: boolean, ...open: string[]) => [...open, ...(closed ? ['closed'] : [])].join(',')

export const QUEUES: readonly Queue[] = [
  {
    id: 'mine',
    label: 'Mine',
    role: 'agent',
    holds: (c, me, _t, closed) => c.agentId === me.agentId && (closed || c.status !== 'closed'),
    requests: (_t, closed) => [`assignee=me&status=${statuses(closed, 'assigned')}`],
  },
  {
    id: 'unassigned',
    label: 'Unassigned',
    role: 'agent',
    holds: (c) => c.status === 'open',
    requests: () => ['assignee=unassigned&status=open'],
  },
  {
    id: 'team',
    label: 'Team',
    role: 'agent',
    holds: (c, _me, teamIds, closed) =>
      c.teamId !== null && teamIds.includes(c.teamId) && (closed || c.status !== 'closed'),
    requests: (teamIds, closed) =>
      teamIds.map((t) => `teamId=${encodeURIComponent(t)}&status=${statuses(closed, 'open', 'assigned')}`),
  },
  {
    id: 'all',
    label: 'All',
    role: 'admin',
    holds: (c, _me, _t, closed) => closed || c.status !== 'closed',
    requests: (_t, closed) => [`status=${statuses(closed, 'open', 'assigned')}`],
  },
]

export function queuesFor(role: Role): readonly Queue[] {
  return QUEUES.filter((q) => q.role === 'agent' || role === 'admin')
}
