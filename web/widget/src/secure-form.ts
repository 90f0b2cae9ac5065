import htm from 'htm'
import { h } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'

const html = htm.bind(h)

/** A secure form the agent asked for (the `secure_form` server frame). */
export interface SecureFormOffer {
  formId: string
  kind: 'card' | 'bank_account' | 'custom'
  label: string | null
  url: string
  expiresAt: string
  seq: number
}

const TITLES = { card: 'Card details', bank_account: 'Bank account details', custom: 'Secure form' }

/**
 * The request as a card in the message list. "Open secure form" mounts Parley's form page in an
 * iframe of Parley's origin: this script (and the host page) cannot read what is typed there; it
 * only hears "completed" or "cancelled" from that exact frame and origin.
 */
export function SecureFormCard({ offer, base }: { offer: SecureFormOffer; base: string }) {
  const [open, setOpen] = useState(false)
  const [outcome, setOutcome] = useState<'completed' | 'cancelled' | null>(null)
  const frame = useRef<HTMLIFrameElement>(null)
  const origin = new URL(offer.url).origin
  useEffect(() => {
    if (!open) return
    frame.current?.focus()
    const onMessage = (ev: MessageEvent) => {
      const d = ev.data as { parley?: string; formId?: string; outcome?: string } | null
      if (ev.origin !== origin || ev.source !== frame.current?.contentWindow) return
      if (d?.parley !== 'secure_form' || d.formId !== offer.formId) return
      if (d.outcome === 'completed' || d.outcome === 'cancelled') {
        setOutcome(d.outcome)
        setOpen(false)
      }
    }
    addEventListener('message', onMessage)
    return () => removeEventListener('message', onMessage)
  }, [open, origin, offer.formId])
  // Only Parley's own page is ever framed here.
  if (origin !== base) return null
  const title = offer.label ?? TITLES[offer.kind]
  return html`<div class="sform" role="group" aria-label=${`Secure form: ${title}`}>
    <p><strong>${title}</strong></p>
    ${
      outcome
        ? html`<p role="status">${outcome === 'completed' ? 'Sent securely.' : 'Form cancelled.'}</p>`
        : open
          ? html`<iframe ref=${frame} src=${`${offer.url}&o=${encodeURIComponent(location.origin)}`}
              title=${`Secure form: ${title}`} sandbox="allow-scripts allow-forms allow-same-origin"
              referrerpolicy="no-referrer"></iframe>`
          : html`<p>Type it in a secure field: the agent will not see it.</p>
            <button class="primary" type="button" onClick=${() => setOpen(true)}>Open secure form</button>`
    }
  </div>`
}
