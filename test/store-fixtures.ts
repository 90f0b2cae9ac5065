import { randomUUID } from 'node:crypto'
import type { Store } from '../src/store/index.js'

/** A tenant with visitor `v1` and one conversation on site `s1`: what a message write needs. */
export async function seedConversation(
  store: Store,
  tenantId: string,
  conversationId: string,
): Promise<void> {
  await store.directory.insertTenant({ id: tenantId, name: 'Acme' })
  await store.conversations.insertVisitor({ id: 'v1', tenantId, siteId: 's1', name: null, email: null })
  await store.conversations.insertConversation({
    id: conversationId,
    tenantId,
    siteId: 's1',
    visitorId: 'v1',
    visitorContext: '{}',
    teamId: null,
  })
}

/** Writes a text message from visitor `v1` through the group commit. */
export function writeVisitorMessage(
  store: Store,
  m: { tenantId: string; conversationId: string; clientMsgId: string; text: string },
) {
  return store.messages.write({
    id: randomUUID(),
    senderKind: 'visitor',
    senderId: 'v1',
    kind: 'text',
    createdAt: Date.now(),
    ...m,
  })
}
