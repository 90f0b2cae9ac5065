import htm from 'htm'
import { h, render } from 'preact'
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { maskCards } from './cards.js'
import { type ChatState, Connection } from './connection.js'
import { SecureFormCard } from './secure-form.js'
import { WIDGET_CSS } from './styles.js'

const html = htm.bind(h)

interface WidgetConfig {
  siteName: string
  online: boolean
  withinBusinessHours: boolean
  prechat: { enabled: boolean; fields: { name: string; label: string; type: string; required: boolean }[] }
  maxMessageLength: number
}

function App({ base, widgetKey }: { base: string; widgetKey: string }) {
  const [open, setOpen] = useState(false)
  const [unread, setUnread] = useState(0)
  const [config, setConfig] = useState<WidgetConfig | null>(null)
  const [state, setState] = useState<ChatState | null>(null)
  const [view, setView] = useState<'chat' | 'prechat' | 'offline' | 'offline-sent'>('chat')
  const [rated, setRated] = useState(false)
  const [notice, setNotice] = useState('')
  const openRef = useRef(open)
  openRef.current = open
  const conn = useMemo(
    () =>
      new Connection(
        base,
        widgetKey,
        `parley:${widgetKey}`,
        setState,
        () => !openRef.current && setUnread((n) => n + 1),
      ),
    [base, widgetKey],
  )
  const input = useRef<HTMLInputElement>(null)
  const log = useRef<HTMLDivElement>(null)
  const panel = useRef<HTMLDivElement>(null)

  const loadConfig = useCallback(
    () =>
      fetch(`${base}/api/v1/widget/config?key=${encodeURIComponent(widgetKey)}`)
        .then((r) => {
          if (!r.ok) throw new Error(`config ${r.status}`)
          return r.json() as Promise<WidgetConfig>
        })
        .then((c) => {
          setConfig(c)
          return c
        })
        .catch(() => {
          setNotice('Chat is unavailable right now.')
          return null
        }),
    [base, widgetKey],
  )
  useEffect(() => {
    conn.connect()
    void loadConfig()
  }, [conn, loadConfig])
  const messageCount = state?.messages.length ?? 0
  useEffect(() => {
    if (!open) return
    setUnread(0)
    conn.markRead()
    // Runs again for each new message while the panel is open: it is read, and shown.
    if (messageCount > 0) log.current?.scrollTo(0, log.current.scrollHeight)
  }, [open, conn, messageCount])

  const toggle = async () => {
    const next = !open
    setOpen(next)
    if (next) {
      const chatting = conn.state.conversationId !== null
      // Whether anyone can answer is asked again at each opening: agents come and go.
      const current = chatting ? config : await loadConfig()
      if (!chatting && current && !current.online) setView('offline')
      else if (!chatting && current?.prechat.enabled && current.prechat.fields.length > 0) setView('prechat')
      else setView('chat')
      // Focus moves into the panel: the message box, or the first field of a form.
      setTimeout(
        () => (input.current ?? panel.current?.querySelector<HTMLElement>('input, textarea'))?.focus(),
        0,
      )
    }
  }

  const send = (e: Event) => {
    e.preventDefault()
    const el = input.current
    const text = maskCards(el?.value.trim() ?? '')
    if (!el || !text) return
    el.value = ''
    conn.sendText(text)
  }

  const startWithFields = (e: Event) => {
    e.preventDefault()
    const data = Object.fromEntries(new FormData(e.target as HTMLFormElement)) as Record<string, string>
    conn.start(Object.fromEntries(Object.entries(data).filter(([, v]) => v.trim() !== '')))
    setView('chat')
    setTimeout(() => input.current?.focus(), 0)
  }

  const leaveMessage = async (e: Event) => {
    e.preventDefault()
    const data = Object.fromEntries(new FormData(e.target as HTMLFormElement)) as Record<string, string>
    const res = await fetch(`${base}/api/v1/widget/offline-messages?key=${encodeURIComponent(widgetKey)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: data.name, email: data.email, text: maskCards(data.text ?? '') }),
    })
    if (res.ok) setView('offline-sent')
    else setNotice(((await res.json()) as { error: { message: string } }).error.message)
  }

  const upload = async (e: Event) => {
    const file = (e.target as HTMLInputElement).files?.[0]
    if (!file) return
    const err = await conn.upload(file)
    setNotice(err ?? '')
  }

  const s = state
  const status = !s
    ? ''
    : !s.connected
      ? 'Reconnecting…'
      : s.agentTyping
        ? 'Agent is typing…'
        : s.queuePosition
          ? `You are number ${s.queuePosition} in the queue`
          : s.status === 'assigned'
            ? 'An agent has joined'
            : s.status === 'closed'
              ? 'This chat has ended'
              : ''
  const lastMine = s?.messages.filter((m) => m.sender.kind === 'visitor').at(-1)

  return html`
    <button class="launch" type="button" aria-expanded=${open} aria-controls="parley-panel" onClick=${toggle}>
      ${open ? 'Close chat' : 'Chat'}${unread > 0 && !open ? html`<span class="badge" aria-label=${`${unread} unread`}>${unread}</span>` : null}
    </button>
    ${
      open &&
      html`<div class="panel" id="parley-panel" ref=${panel} role="dialog" aria-label=${`Chat with ${config?.siteName ?? 'us'}`}>
      <header>${config?.siteName ?? 'Chat'}</header>
      ${
        view === 'offline' &&
        html`<form class="stack" onSubmit=${leaveMessage}>
        <p>Nobody is available right now. Leave a message and we will get back to you.</p>
        <label for="p-name">Name</label><input id="p-name" name="name" required autocomplete="name" />
        <label for="p-email">Email</label><input id="p-email" name="email" type="email" required autocomplete="email" />
        <label for="p-text">Message</label><textarea id="p-text" name="text" required rows="4"></textarea>
        <button class="primary" type="submit">Send</button>
      </form>`
      }
      ${view === 'offline-sent' && html`<p class="stack" role="status">Thank you, your message was sent.</p>`}
      ${
        view === 'prechat' &&
        html`<form class="stack" onSubmit=${startWithFields}>
        ${config?.prechat.fields.map(
          (f) => html`<label for=${`p-${f.name}`}>${f.label}</label>
            <input id=${`p-${f.name}`} name=${f.name} type=${f.type} required=${f.required} />`,
        )}
        <button class="primary" type="submit">Start chat</button>
      </form>`
      }
      ${
        view === 'chat' &&
        html`<div class="log" role="log" aria-live="polite" ref=${log}>
          ${s?.messages.map(
            (m) => html`<p class=${`msg ${m.sender.kind === 'visitor' ? 'mine' : ''}`}>
              <span class="sr">${m.sender.kind === 'visitor' ? 'You' : (m.sender.name ?? 'Agent')}: </span>${m.attachment ? `Attachment: ${m.text}` : m.text}
            </p>${s.forms.filter((f) => f.seq === m.seq).map((f) => html`<${SecureFormCard} key=${f.formId} offer=${f} base=${base} />`)}`,
          )}
          ${s?.pending.map((p) => html`<p class="msg mine pending">${p.text}</p>`)}
          ${lastMine && s && s.agentReadSeq >= lastMine.seq ? html`<p class="status">Seen</p>` : null}
        </div>
        <div class="status" role="status">${notice || status}</div>
        ${
          s?.status === 'closed'
            ? html`<div class="stack">
              ${
                rated
                  ? html`<p>Thanks for your feedback.</p>`
                  : html`<p id="rate-label">How was this chat?</p>
                    <div class="stars" role="group" aria-labelledby="rate-label">
                      ${[1, 2, 3, 4, 5].map(
                        (n) =>
                          html`<button type="button" aria-label=${`${n} of 5`} onClick=${() => {
                            conn.rate(n)
                            setRated(true)
                          }}>★</button>`,
                      )}
                    </div>`
              }
              <form class="compose" onSubmit=${async (e: Event) => {
                e.preventDefault()
                const email = String(new FormData(e.target as HTMLFormElement).get('email') ?? '')
                const err = await conn.emailTranscript(email)
                setNotice(err ?? 'The transcript is on its way.')
              }}>
                <input name="email" type="email" required aria-label="Your e-mail for the transcript" placeholder="E-mail me the transcript" />
                <button class="primary" type="submit">Send</button>
              </form>
              <button class="primary" type="button" onClick=${() => conn.newConversation()}>Start a new chat</button>
            </div>`
            : html`<form class="compose" onSubmit=${send}>
              <input ref=${input} aria-label="Your message" autocomplete="off" maxlength=${config?.maxMessageLength ?? 4000} onInput=${() => conn.typing(true)} />
              <input type="file" class="sr" id="p-file" onChange=${upload} />
              <label class="icon" for="p-file">Attach<span class="sr"> a file</span></label>
              <button class="primary" type="submit">Send</button>
            </form>`
        }`
      }
    </div>`
    }
  `
}

// Runs on the host page: find our own <script>, mount into a closed shadow root.
const script = (document.currentScript ??
  document.querySelector('script[data-parley-key]')) as HTMLScriptElement | null
const widgetKey = script?.dataset.parleyKey
// Mounting waits for the page's load event: the host page paints first, the widget after.
const mount = (script: HTMLScriptElement, widgetKey: string) => {
  const host = document.createElement('div')
  host.setAttribute('data-parley', '')
  const root = host.attachShadow({ mode: 'closed' })
  const sheet = new CSSStyleSheet()
  sheet.replaceSync(WIDGET_CSS)
  root.adoptedStyleSheets = [sheet]
  document.body.append(host)
  render(h(App, { base: new URL(script.src).origin, widgetKey }), root)
}
if (script && widgetKey) {
  if (document.readyState === 'complete') mount(script, widgetKey)
  else addEventListener('load', () => mount(script, widgetKey), { once: true })
}
