import type { Emit } from './types.js'

// Every known secret starts with a fixed prefix. One scan finds the prefixes (only at a token
// start, so "eyJeyJeyJ…" is one hit, not thousands); a sticky regex with bounded quantifiers then
// checks the shape at that one position.
const PREFIX =
  /(?<![A-Za-z0-9_])(?:AKIA|ASIA|ABIA|ACCA|gh[pousr]_|github_pat_|xox[abposr]-|[sr]k_(?:live|test)_|whsec_|AIza|eyJ|glpat-|npm_|SG\.|hooks\.slack\.com\/services\/|-----BEGIN )/g

const SHAPES: readonly RegExp[] = [
  /(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?![A-Za-z0-9])/y,
  /gh[pousr]_[A-Za-z0-9]{36,251}(?![A-Za-z0-9])/y,
  /github_pat_[A-Za-z0-9_]{60,255}(?![A-Za-z0-9_])/y,
  /xox[abposr]-[A-Za-z0-9-]{10,250}(?![A-Za-z0-9-])/y,
  /[sr]k_(?:live|test)_[A-Za-z0-9]{16,247}(?![A-Za-z0-9])/y,
  /whsec_[A-Za-z0-9+/=]{24,128}(?![A-Za-z0-9+/=])/y,
  /AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/y,
  /eyJ[A-Za-z0-9_-]{2,4096}\.eyJ[A-Za-z0-9_-]{2,16384}\.[A-Za-z0-9_-]{0,4096}(?![A-Za-z0-9_-])/y,
  /glpat-[A-Za-z0-9_-]{20,64}(?![A-Za-z0-9_-])/y,
  /npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])/y,
  /SG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64}(?![A-Za-z0-9_-])/y,
  /hooks\.slack\.com\/services\/T[A-Z0-9]{6,12}\/B[A-Z0-9]{6,12}\/[A-Za-z0-9]{16,32}/y,
]

const KEY_BEGIN = /-----BEGIN (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY(?: BLOCK)?-----/y

// "api key: 9f8a…", "client_secret=…": an opaque value after a secret's name.
const SECRET_NAME =
  /\b(?:api[_ -]?key|apikey|secret(?:[_ -]?key)?|client[_ -]?secret|access[_ -]?key(?:[_ -]?id)?|auth[_ -]?token|access[_ -]?token|refresh[_ -]?token|bearer|token|private[_ -]?key|aws_secret_access_key)\b/gi
const SECRET_VALUE = /[\s:="'`]{0,4}(?:is\s{1,3})?["'`]?([A-Za-z0-9_\-./+=]{16,512})/dy

function looksRandom(v: string): boolean {
  const classes = (/[a-z]/.test(v) ? 1 : 0) + (/[A-Z]/.test(v) ? 1 : 0) + (/\d/.test(v) ? 1 : 0)
  return classes >= 2 && /\d/.test(v) && !/^(?:https?|www)\b/i.test(v)
}

/** Access keys and tokens with a known prefix, private-key blocks, JWTs, and named opaque secrets. */
export function detectSecrets(text: string, emit: Emit): void {
  PREFIX.lastIndex = 0
  for (let m = PREFIX.exec(text); m; m = PREFIX.exec(text)) {
    const at = m.index
    if (m[0] === '-----BEGIN ') {
      KEY_BEGIN.lastIndex = at
      if (!KEY_BEGIN.test(text)) continue
      // Everything to the END line is secret; a block cut short is redacted to the end of text.
      const endMarker = text.indexOf('-----END ', KEY_BEGIN.lastIndex)
      let end = text.length
      if (endMarker !== -1) {
        const close = text.indexOf('-----', endMarker + 9)
        end = close === -1 || close - endMarker > 80 ? text.length : close + 5
      }
      emit('secret', at, end)
      PREFIX.lastIndex = end
      continue
    }
    for (const shape of SHAPES) {
      shape.lastIndex = at
      if (shape.test(text)) {
        emit('secret', at, shape.lastIndex)
        PREFIX.lastIndex = shape.lastIndex
        break
      }
    }
  }
  SECRET_NAME.lastIndex = 0
  for (let m = SECRET_NAME.exec(text); m; m = SECRET_NAME.exec(text)) {
    SECRET_VALUE.lastIndex = SECRET_NAME.lastIndex
    const v = SECRET_VALUE.exec(text)
    const range = v?.indices?.[1]
    if (!v || !range || !looksRandom(v[1]!)) continue
    emit('secret', range[0], range[1])
    SECRET_NAME.lastIndex = range[1]
  }
}
