import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addAgent, Client, type Harness, startHarness } from '../../test/harness.js'
import { startSmtp } from '../../test/smtp.js'

describe('sqlite: transcript by e-mail', () => {
  let h: Harness
  let smtp: Awaited<ReturnType<typeof startSmtp>>
  beforeAll(async () => {
    smtp = await startSmtp()
    h = await startHarness('sqlite', { smtpUrl: smtp.url, mailFrom: 'Parley <chat@parley.test>' })
  })
  afterAll(async () => {
    await h?.close()
    await smtp?.close()
  })

  it('mails the visitor the redacted transcript without internal notes, once per ten minutes', async () => {
    const agentInfo = await addAgent(h, 'Tess')
    const { client: agent } = await Client.agent(h, agentInfo.cookie)
    const { client: visitor, auth } = await Client.visitor(h)
    const { conversation } = await visitor.request({ type: 'conversation.start' })
    await agent.assigned(conversation.id)
    await visitor.request({
      type: 'message.send',
      conversationId: conversation.id,
      clientMsgId: 'v1',
      text: 'my card 4111 1111 1111 1111',
    })
    await agent.request({
      type: 'message.send',
      conversationId: conversation.id,
      clientMsgId: 'n1',
      text: 'internal: check fraud list',
      note: true,
    })
    await agent.request({
      type: 'message.send',
      conversationId: conversation.id,
      clientMsgId: 'a1',
      text: 'All sorted, have a nice day',
    })

    const send = () =>
      fetch(`${h.url}/api/v1/widget/conversations/${conversation.id}/transcript-email`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${auth.visitorToken}`,
          'content-type': 'application/json',
          origin: h.origin,
        },
        body: JSON.stringify({ email: 'vera@example.test' }),
      })
    expect((await send()).status).toBe(200)
    await expect.poll(() => smtp.mails.length).toBe(1)
    const mail = smtp.mails[0]!
    expect(mail.to).toEqual(['vera@example.test'])
    expect(mail.data).toContain('All sorted, have a nice day')
    expect(mail.data).not.toContain('internal: check fraud list')
    expect(mail.data).not.toMatch(/4111 1111 1111/)
    const again = await send()
    expect(again.status).toBe(429)
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('PARLEY_ERR_RATE_LIMITED')
    agent.close()
    visitor.close()
  })
})
