/** Luhn check over a string of digits. */
export function luhn(digits: string): boolean {
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48
    if (i % 2 === 1) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return sum % 10 === 0
}

/**
 * Card numbers never leave the browser whole: a Luhn-valid run of 13-19 digits (spaces, dashes
 * or dots between them) keeps only its last four. The server redacts everything again under the
 * tenant's policy; this only keeps the full number off the wire.
 */
export function maskCards(text: string): string {
  return text.replace(/\d(?:[ .-]?\d){12,18}/g, (run) => {
    if (!luhn(run.replace(/\D/g, ''))) return run
    let keep = 4
    let out = ''
    for (let i = run.length - 1; i >= 0; i--) {
      const c = run[i]!
      if (c >= '0' && c <= '9') {
        out = (keep > 0 ? c : '•') + out
        keep--
      } else out = c + out
    }
    return out
  })
}
