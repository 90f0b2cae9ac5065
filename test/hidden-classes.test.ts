import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'

/**
 * On Node 20's V8, `{ ...source, extra: 1 }` gives every object a hidden class of its own.
 * On the message path that cost a map and a descriptor array per message in old space, kept
 * property access megamorphic, and roughly tripled what each scavenge copied. This guards the
 * shapes built once per message: two objects of a kind must share one hidden class.
 */
test('per-message objects share one hidden class each', () => {
  const script = fileURLToPath(new URL('./hidden-classes.script.ts', import.meta.url))
  const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', script], {
    encoding: 'utf8',
  })
  expect(JSON.parse(out)).toEqual({
    'EventStream.emit': true,
    fromParleyEvent: true,
    'MessageWriter encoded write': true,
    'ConversationScanner.scan': true,
    'message ack with its message': true,
    'message ack': true,
  })
})
