// A minimal console: sign in, live inbox, transcript, reply. Text is always set with textContent.
const $ = (id) => document.getElementById(id)
const api = (path, init = {}) =>
  fetch(path, {
    ...init,
    headers: { 'content-type': 'application/json', 'x-parley-csrf': '1', ...(init.headers ?? {}) },
  })
const conversations = new Map()
const messages = new Map()
let current = null
let ws = null

async function start() {
  const me = await api('/api/v1/auth/me')
  if (!me.ok) return showLogin()
  const who = await me.json()
  $('me').textContent = `${who.name} (${who.role})`
  $('app').hidden = false
  connect()
}

function showLogin() {
  $('login').hidden = false
  $('login-form').addEventListener('submit', async (e) => {
    e.preventDefault()
    const res = await api('/api/v1/auth/login', {
      method: 'POST',
      body: JSON.stringify({ email: $('email').value, password: $('password').value }),
    })
    if (res.ok) location.reload()
    else $('login-status').textContent = (await res.json()).error.message
  })
}

function connect() {
  ws = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/ws?role=agent`)
  ws.onopen = () => ws.send(JSON.stringify({ type: 'auth' }))
  ws.onclose = () => setTimeout(connect, 1000)
  ws.onmessage = (ev) => {
    const f = JSON.parse(ev.data)
    if (f.type === 'auth.ok') {
      ws.send(JSON.stringify({ type: 'presence.set', status: 'online' }))
      for (const c of f.conversations) conversations.set(c.id, c)
      renderList()
      if (current) resume(current)
    } else if (f.type === 'conversation.updated') {
      conversations.set(f.conversation.id, f.conversation)
      renderList()
    } else if (f.type === 'message') {
      const list = messages.get(f.message.conversationId) ?? new Map()
      list.set(f.message.seq, f.message)
      messages.set(f.message.conversationId, list)
      if (f.message.conversationId === current) renderLog()
    } else if (f.type === 'message.redacted') {
      const m = messages.get(f.conversationId)?.get(f.seq)
      if (m) {
        m.text = f.text
        if (f.conversationId === current) renderLog()
      }
    }
  }
}

function resume(id) {
  const seen = [...(messages.get(id)?.keys() ?? [0])]
  ws.send(JSON.stringify({ type: 'resume', conversationId: id, afterSeq: Math.max(0, ...seen) }))
}

function renderList() {
  const list = $('list')
  list.replaceChildren()
  for (const c of [...conversations.values()].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))) {
    const b = document.createElement('button')
    b.setAttribute('aria-current', String(c.id === current))
    b.textContent = `${c.visitor.name ?? 'Visitor'} — ${c.status}`
    b.onclick = () => {
      current = c.id
      renderList()
      renderLog()
      resume(c.id)
    }
    list.append(b)
  }
}

function renderLog() {
  const log = $('log')
  log.replaceChildren()
  for (const m of [...(messages.get(current)?.values() ?? [])].sort((a, b) => a.seq - b.seq)) {
    const p = document.createElement('p')
    p.className = `msg ${m.kind === 'note' ? 'note' : ''}`
    const who = document.createElement('span')
    who.className = 'who'
    who.textContent = m.sender.kind === 'agent' ? (m.sender.name ?? 'Agent') : 'Visitor'
    p.append(who, document.createTextNode(m.text))
    log.append(p)
  }
  log.scrollTop = log.scrollHeight
}

$('compose').addEventListener('submit', (e) => {
  e.preventDefault()
  const text = $('text').value
  if (!current || !text.trim()) return
  ws.send(
    JSON.stringify({
      type: 'message.send',
      conversationId: current,
      clientMsgId: crypto.randomUUID(),
      text,
      note: $('note').checked,
    }),
  )
  $('text').value = ''
})

start()
