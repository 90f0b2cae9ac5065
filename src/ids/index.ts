/**
 * UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Ids that grow with time
 * land at the right edge of a database index, so storing one touches the page the previous
 * one touched instead of a random page: the server's message ids, and the client message ids
 * the widget and console send (the resend check's index leads with them, see
 * docs/protocol.md). Runs in browsers and in Node (no Node imports).
 */

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

let prefixMs = -1
let prefix = ''

/** Formats a UUIDv7 from a time and 10 random bytes (at `offset` in `random`). */
export function formatUuidV7(ms: number, random: Uint8Array, offset = 0): string {
  // Ids minted in the same millisecond share their first 14 characters: format them once.
  if (ms !== prefixMs) {
    const t = ms.toString(16).padStart(12, '0')
    prefix = `${t.slice(0, 8)}-${t.slice(8, 12)}-`
    prefixMs = ms
  }
  const r = (i: number) => HEX[random[offset + i]!]!
  return (
    `${prefix}${HEX[0x70 | (random[offset]! & 0x0f)]}${r(1)}-${HEX[0x80 | (random[offset + 2]! & 0x3f)]}${r(3)}-` +
    `${r(4)}${r(5)}${r(6)}${r(7)}${r(8)}${r(9)}`
  )
}

/** A fresh UUIDv7 from the platform's cryptographic random source. */
export function newUuidV7(now = Date.now()): string {
  return formatUuidV7(now, globalThis.crypto.getRandomValues(new Uint8Array(10)))
}
