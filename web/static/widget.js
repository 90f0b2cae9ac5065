// Parley visitor widget (minimal build). Lives in a closed shadow root so neither the host
// page's CSS nor its scripts reach in; message text is only ever set with textContent.
;(() => {
  const script = document.currentScript || document.querySelector('script[data-parley-key]')
  const key = script?.dataset.parleyKey
  if (!key) return
  const base = new URL(script.src).origin
  const store = `parley:${key}`
  const state = JSON.parse(localStorage.getItem(store) || '{}')
  const save = () => localStorage.setItem(store, JSON.stringify(state))
  const seen = new Map()
  const pending = new Map()
  let ws = null
  let open = false
  let backoff = 500

  const host = document.createElement('div')
  host.setAttribute('data-parley', '')
  const root = host.attachShadow({ mode: 'closed' })
  // A constructed stylesheet, not a <style> element: host pages with a strict CSP (no
  // 'unsafe-inline' styles) still render the widget.
  const sheet = new CSSStyleSheet()
  sheet.replaceSync(`
    :host { all: initial; }
    .launch { position: fixed; right: 1rem; bottom: 1rem; border: 0; border-radius: 2rem; padding: .75rem 1.25rem; background: #2563eb; color: #fff; font: 600 1rem system-ui; cursor: pointer; z-index: 2147483647; }
    .panel { position: fixed; right: 1rem; bottom: 4.5rem; width: min(22rem, calc(100vw - 2rem)); height: min(30rem, calc(100vh - 6rem)); display: flex; flex-direction: column; background: #fff; color: #111; font: 14px system-ui; border-radius: .75rem; box-shadow: 0 8px 30px #0003; z-index: 2147483647; }
    .panel[hidden] { display: none; }
    .log { flex: 1; overflow: auto; padding: .75rem; }
    .msg { margin: .25rem 0; padding: .4rem .6rem; border-radius: .5rem; background: #f3f4f6; white-space: pre-wrap; overflow-wrap: anywhere; max-width: 85%; }
    .mine { background: #dbeafe; margin-left: auto; }
    .status { padding: .25rem .75rem; color: #4b5563; font-size: 12px; min-height: 1em; }
    form { display: flex; gap: .4rem; padding: .5rem; border-top: 1px solid #e5e7eb; }
    input { flex: 1; font: inherit; padding: .5rem; border: 1px solid #d1d5db; border-radius: .4rem; }
    button.send { font: inherit; border: 0; background: #2563eb; color: #fff; border-radius: .4rem; padding: 0 .8rem; }
  `)
  root.adoptedStyleSheets = [sheet]
  root.innerHTML = `  <button class="launch" aria-expanded="false" aria-controls="p">Chat</button>
  <div class="panel" id="p" role="dialog" aria-label="Chat" hidden>
    <div class="log" role="log" aria-live="polite"></div>
    <div class="status" role="status"></div>
    <form><input aria-label="Your message" autocomplete="off" maxlength="4000"><button class="send" type="submit">Send</button></form>
  </div>`
  const launch = root.querySelector('.launch')
  const panel = root.querySelector('.panel')
  const log = root.querySelector('.log')
  const status = root.querySelector('.status')
  const input = root.querySelector('input')
  document.body.append(host)

  launch.addEventListener('click', () => {
    open = !open
    panel.hidden = !open
    launch.setAttribute('aria-expanded', String(open))
    if (open) input.focus()
  })

  const send = (f) => ws && ws.readyState === 1 && ws.send(JSON.stringify(f))

  // Card numbers never leave the browser whole: a Luhn-valid run of 13-19 digits (spaces,
  // dashes or dots between them) keeps only its last four. The server redacts everything
  // again under the tenant's policy; this only keeps the full number off the wire.
  const luhn = (digits) => {
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
  const maskCards = (text) =>
    text.replace(/\d(?:[ .-]?\d){12,18}/g, (run) => {
      const digits = run.replace(/\D/g, '')
      if (!luhn(digits)) return run
      let keep = 4
      let out = ''
      for (let i = run.length - 1; i >= 0; i--) {
        const c = run[i]
        if (c >= '0' && c <= '9') {
          out = (keep > 0 ? c : '•') + out
          keep--
        } else out = c + out
      }
      return out
    })

  function render() {
    log.replaceChildren()
    for (const m of [...seen.values()].sort((a, b) => a.seq - b.seq)) {
      const p = document.createElement('p')
      p.className = `msg ${m.sender.kind === 'visitor' ? 'mine' : ''}`
      p.textContent = m.text
      log.append(p)
    }
    for (const m of pending.values()) {
      const p = document.createElement('p')
      p.className = 'msg mine'
      p.textContent = m.text
      p.style.opacity = '.6'
      log.append(p)
    }
    log.scrollTop = log.scrollHeight
  }

  function connect() {
    ws = new WebSocket(`${base.replace(/^http/, 'ws')}/ws?role=visitor&key=${encodeURIComponent(key)}`)
    ws.onopen = () => {
      backoff = 500
      send({ type: 'auth', visitorToken: state.token ?? null })
    }
    ws.onclose = () => {
      status.textContent = 'Reconnecting…'
      backoff = Math.min(backoff * 2, 10000)
      setTimeout(connect, backoff)
    }
    ws.onmessage = (ev) => {
      const f = JSON.parse(ev.data)
      if (f.type === 'auth.ok') {
        state.token = f.visitorToken
        const active = f.conversations.find((c) => c.status !== 'closed')
        state.conversation = active?.id ?? null
        save()
        status.textContent = ''
        if (state.conversation) {
          const last = Math.max(0, ...[...seen.keys()])
          send({ type: 'resume', conversationId: state.conversation, afterSeq: last })
        }
        // Messages typed while offline go out again with their original ids: stored once.
        for (const m of pending.values()) flush(m)
      } else if (f.type === 'conversation') {
        state.conversation = f.conversation.id
        save()
        if (f.queuePosition) status.textContent = `You are number ${f.queuePosition} in the queue`
        for (const m of pending.values()) flush(m)
      } else if (f.type === 'queue') {
        status.textContent = `You are number ${f.position} in the queue`
      } else if (f.type === 'conversation.updated') {
        if (f.conversation.status === 'assigned') status.textContent = 'An agent has joined'
        if (f.conversation.status === 'closed') status.textContent = 'This chat has ended'
      } else if (f.type === 'message') {
        seen.set(f.message.seq, f.message)
        pending.delete(f.message.clientMsgId)
        render()
      } else if (f.type === 'message.redacted') {
        // A later message completed a card number: the earlier part is shown redacted too.
        const m = seen.get(f.seq)
        if (m) {
          m.text = f.text
          render()
        }
      } else if (f.type === 'message.ack') {
        pending.delete(f.clientMsgId)
      } else if (f.type === 'typing') {
        status.textContent = f.state ? 'Agent is typing…' : ''
      } else if (f.type === 'error') {
        status.textContent = f.message
      }
    }
  }

  function flush(m) {
    if (state.conversation)
      send({ type: 'message.send', conversationId: state.conversation, clientMsgId: m.id, text: m.text })
  }

  root.querySelector('form').addEventListener('submit', (e) => {
    e.preventDefault()
    const text = maskCards(input.value.trim())
    if (!text) return
    input.value = ''
    const m = { id: crypto.randomUUID(), text }
    pending.set(m.id, m)
    render()
    if (state.conversation) flush(m)
    else
      send({
        type: 'conversation.start',
        page: { url: location.href, referrer: document.referrer, title: document.title },
        timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      })
  })

  connect()
})()
