import { describe, expect, it } from 'vitest'
import { ConversationScanner } from './conversation.js'
import { compilePolicy, DEFAULT_POLICY } from './policy.js'

const policy = compilePolicy(DEFAULT_POLICY)
const msg = (id: string, text: string, sender = 'visitor') => ({ conversation: 'c1', sender, id, text })

describe('ConversationScanner', () => {
  it('catches a card split over two messages and revises the first one', () => {
    const s = new ConversationScanner(policy)
    const first = s.scan(msg('m1', 'my card is 4111 1111'))
    expect(first.findings).toEqual([])
    expect(first.openIds).toEqual(['m1'])
    const second = s.scan(msg('m2', '1111 1111 thanks'))
    expect(second.findings).toEqual([{ type: 'card_number', start: 0, end: 9 }])
    expect(second.text).toBe('**** 1111 thanks')
    expect(second.revisions).toEqual([
      {
        id: 'm1',
        text: 'my card is **** ****',
        findings: [{ type: 'card_number', start: 11, end: 20 }],
        summary: { card_number: 1 },
      },
    ])
    expect(second.openIds).toEqual([])
  })
  it('catches a card split over three messages', () => {
    const s = new ConversationScanner(policy)
    s.scan(msg('a', 'card: 4111'))
    s.scan(msg('b', '1111 1111'))
    const r = s.scan(msg('c', '1111'))
    expect(r.revisions.map((x) => [x.id, x.text])).toEqual([
      ['a', 'card: ****'],
      ['b', '**** ****'],
    ])
    expect(r.findings).toEqual([{ type: 'card_number', start: 0, end: 4 }])
  })
  it('keeps the last four digits across parts when the last part is short', () => {
    const s = new ConversationScanner(policy)
    s.scan(msg('a', '4111 1111 1111 11'))
    const r = s.scan(msg('b', '11'))
    expect(r.text).toBe('11')
    expect(r.revisions[0]!.text).toBe('**** **** **** 11')
  })
  it('does not join messages of different senders or conversations', () => {
    const s = new ConversationScanner(policy)
    s.scan(msg('a', '4111 1111', 'visitor'))
    expect(s.scan(msg('b', '1111 1111', 'agent')).findings).toEqual([])
    s.scan({ conversation: 'c2', sender: 'visitor', id: 'c', text: '4111 1111' })
    expect(s.scan({ conversation: 'c3', sender: 'visitor', id: 'd', text: '1111 1111' }).findings).toEqual([])
  })
  it('lets another sender speak between the parts', () => {
    const s = new ConversationScanner(policy)
    s.scan(msg('a', '4111 1111 1111', 'visitor'))
    s.scan(msg('b', 'go on', 'agent'))
    expect(s.scan(msg('c', '1111', 'visitor')).revisions.map((r) => r.id)).toEqual(['a'])
  })
  it('drops a held part once the window has passed', () => {
    let now = 0
    const s = new ConversationScanner(policy, { windowMs: 1000, now: () => now })
    s.scan(msg('a', '4111 1111'))
    now = 5000
    expect(s.scan(msg('b', '1111 1111')).findings).toEqual([])
  })
  it('does not join a number labelled as an order with the next message', () => {
    const s = new ConversationScanner(policy)
    s.scan(msg('a', 'order 4111 1111'))
    expect(s.scan(msg('b', '1111 1111')).findings).toEqual([])
  })
  it('does not join when the digits are not a valid card', () => {
    const s = new ConversationScanner(policy)
    s.scan(msg('a', '4111 1111'))
    expect(s.scan(msg('b', '1111 1112')).findings).toEqual([])
  })
  it('holds nothing for a message that does not end in a number', () => {
    const s = new ConversationScanner(policy)
    expect(s.scan(msg('a', '4111 1111 is the start')).openIds).toEqual([])
    expect(s.scan(msg('b', '1111 1111')).findings).toEqual([])
  })
  it('tokenizes the whole PAN once, in the last part', () => {
    const tokenized = compilePolicy({ version: 1, categories: { card_number: 'tokenize' } })
    const seen: string[] = []
    const s = new ConversationScanner(tokenized, {
      tokenizer: {
        tokenize: ({ value }) => {
          seen.push(value)
          return 'tok_1'
        },
      },
    })
    s.scan(msg('a', '4111 1111'))
    const r = s.scan(msg('b', '1111 1111'))
    expect(r.text).toBe('tok_1')
    expect(r.revisions[0]!.text).toBe('[redacted:card_number]')
    expect(seen).toEqual(['4111111111111111'])
  })
  it('refuses a tokenizing policy without a tokenizer', () => {
    const tokenized = compilePolicy({ version: 1, categories: { email: 'tokenize' } })
    expect(() => new ConversationScanner(tokenized)).toThrow(
      expect.objectContaining({ code: 'PARLEY_ERR_PROTECT_TOKENIZER_MISSING' }),
    )
  })
})
