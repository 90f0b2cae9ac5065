/** Attachment types Parley accepts, recognised by their content, never by name or header. */
export const ATTACHMENT_TYPES = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/pdf',
  'text/plain',
] as const
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number]

const startsWith = (b: Uint8Array, sig: readonly number[], at = 0) => sig.every((v, i) => b[at + i] === v)

/**
 * Sniffs the content type from magic bytes (an allowlist). Plain text must be valid UTF-8
 * without NUL or other control bytes, so a binary renamed `.txt` is refused.
 */
export function sniffAttachmentType(data: Uint8Array): AttachmentType | null {
  if (startsWith(data, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png'
  if (startsWith(data, [0xff, 0xd8, 0xff])) return 'image/jpeg'
  if (
    startsWith(data, [0x47, 0x49, 0x46, 0x38]) &&
    (data[4] === 0x37 || data[4] === 0x39) &&
    data[5] === 0x61
  )
    return 'image/gif'
  if (startsWith(data, [0x52, 0x49, 0x46, 0x46]) && startsWith(data, [0x57, 0x45, 0x42, 0x50], 8))
    return 'image/webp'
  if (startsWith(data, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'application/pdf'
  if (data.length > 0 && isPlainText(data)) return 'text/plain'
  return null
}

function isPlainText(data: Uint8Array): boolean {
  for (const b of data) if (b < 0x09 || (b > 0x0d && b < 0x20) || b === 0x7f) return false
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(data)
    return true
  } catch {
    return false
  }
}

/** A file name safe for a Content-Disposition header and for display. */
export function safeFileName(name: string): string {
  const cleaned = name
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f"\\/:*?<>|]/g, '_')
    .replace(/^\.+/, '')
    .trim()
    .slice(0, 120)
  return cleaned.length > 0 ? cleaned : 'attachment'
}
