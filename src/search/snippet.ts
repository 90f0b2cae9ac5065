import { wordsOf } from './terms.js'

/** About how many characters of a message a search result shows. */
export const SNIPPET_LENGTH = 120

/**
 * A window of about `length` characters of `text` around the first word that matches one of
 * `words` (normalised, as from tokenizeForIndex), cut at spaces where one is near and marked
 * with `…` where text was left out. Without a match, the start of the text.
 */
export function snippetAround(text: string, words: readonly string[], length = SNIPPET_LENGTH): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  if (flat.length <= length) return flat
  const wanted = new Set(words)
  const hit = wordsOf(flat).find((w) => wanted.has(w.word))
  const at = hit?.index ?? 0
  let start = Math.max(0, Math.min(at - Math.floor(length / 3), flat.length - length))
  let end = Math.min(flat.length, start + length)
  // Prefer whole words: move each edge to a nearby space, never past the hit.
  if (start > 0) {
    const space = flat.indexOf(' ', start)
    if (space !== -1 && space < at && space - start < 20) start = space + 1
  }
  if (end < flat.length) {
    const space = flat.lastIndexOf(' ', end)
    if (space > at && end - space < 20) end = space
  }
  // Never split a surrogate pair at either edge.
  if (start > 0 && isLowSurrogate(flat.charCodeAt(start))) start++
  if (end < flat.length && isLowSurrogate(flat.charCodeAt(end))) end--
  return `${start > 0 ? '…' : ''}${flat.slice(start, end).trim()}${end < flat.length ? '…' : ''}`
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff
}
