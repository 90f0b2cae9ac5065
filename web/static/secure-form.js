// The secure form page: Parley's own origin inside the widget's iframe, so the host page and the
// widget cannot read these fields. Values go to Parley in one request and are forwarded from there.
const FIELDS = {
  card: [
    { name: 'number', label: 'Card number', autocomplete: 'cc-number', inputmode: 'numeric' },
    { name: 'expiry', label: 'Expiry date (MM/YY)', autocomplete: 'cc-exp', inputmode: 'numeric' },
    { name: 'cvc', label: 'Security code', autocomplete: 'cc-csc', inputmode: 'numeric' },
    { name: 'name', label: 'Name on card', autocomplete: 'cc-name' },
  ],
  bank_account: [
    { name: 'holderName', label: 'Account holder', autocomplete: 'name' },
    {
      name: 'iban',
      label: 'IBAN',
      hint: 'Or leave empty and give a routing and account number.',
      optional: true,
    },
    { name: 'routingNumber', label: 'Routing number', inputmode: 'numeric', optional: true },
    { name: 'accountNumber', label: 'Account number', inputmode: 'numeric', optional: true },
  ],
  custom: [{ name: 'value', label: 'Your answer' }],
}
const OUTCOMES = { completed: 'Sent securely. You can close this form.', cancelled: 'Form cancelled.' }

const id = location.pathname.split('/').pop()
const params = new URLSearchParams(location.hash.slice(1))
const token = params.get('t') ?? ''
const parentOrigin = /^https?:\/\/[^/]+$/.test(params.get('o') ?? '') ? params.get('o') : null
// The token stays in memory only: not in the address, the history or a later Referer.
history.replaceState(null, '', location.pathname)

const $ = (sel) => document.querySelector(sel)
const form = $('#sf-form')
const status = $('#sf-status')
const error = $('#sf-error')

async function call(method, path, body) {
  const res = await fetch(`/api/v1/secure-forms/${encodeURIComponent(id)}${path}`, {
    method,
    headers: {
      'x-parley-form-token': token,
      ...(method === 'POST' ? { 'x-parley-csrf': '1', 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'omit',
  })
  const data = await res.json().catch(() => ({}))
  if (!res.ok) throw data.error ?? { code: 'PARLEY_ERR_INTERNAL', message: 'something went wrong' }
  return data
}

function finish(outcome) {
  form.reset()
  form.remove()
  status.textContent = OUTCOMES[outcome]
  if (parentOrigin) parent.postMessage({ parley: 'secure_form', formId: id, outcome }, parentOrigin)
}

function draw(view) {
  const spec = FIELDS[view.kind]
  $('#sf-title').textContent =
    view.kind === 'card' ? 'Card details' : view.kind === 'bank_account' ? 'Bank account' : 'Secure form'
  if (view.label) {
    const p = document.createElement('p')
    p.textContent = view.label
    $('#sf-title').after(p)
  }
  for (const f of spec) {
    const label = document.createElement('label')
    label.htmlFor = `sf-${f.name}`
    label.textContent = f.name === 'value' && view.label ? view.label : f.label
    const input = document.createElement('input')
    input.id = `sf-${f.name}`
    input.name = f.name
    input.autocomplete = f.autocomplete ?? 'off'
    if (f.inputmode) input.inputMode = f.inputmode
    input.required = !f.optional
    const err = document.createElement('p')
    err.id = `sf-${f.name}-error`
    err.className = 'field-error'
    input.setAttribute('aria-describedby', err.id)
    $('#sf-fields').append(label, input, err)
    if (f.hint) {
      const hint = document.createElement('p')
      hint.className = 'hint'
      hint.textContent = f.hint
      $('#sf-fields').append(hint)
    }
  }
  form.hidden = false
  form.querySelector('input')?.focus()
}

function showError(e) {
  for (const el of form.querySelectorAll('input')) el.removeAttribute('aria-invalid')
  for (const el of form.querySelectorAll('.field-error')) el.textContent = ''
  error.textContent = e.message
  let first = null
  for (const issue of e.issues ?? []) {
    const input = document.getElementById(`sf-${issue.field}`)
    if (!input) continue
    input.setAttribute('aria-invalid', 'true')
    document.getElementById(`sf-${issue.field}-error`).textContent = issue.message
    first ??= input
  }
  first?.focus()
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault()
  const fields = {}
  for (const [name, value] of new FormData(form))
    if (String(value).trim() !== '') fields[name] = String(value)
  const button = form.querySelector('button[type=submit]')
  button.disabled = true
  status.textContent = 'Sending…'
  try {
    await call('POST', '/submit', { fields })
    finish('completed')
  } catch (e) {
    status.textContent = ''
    showError(e)
  } finally {
    button.disabled = false
  }
})

$('#sf-cancel').addEventListener('click', async () => {
  try {
    await call('POST', '/cancel')
    finish('cancelled')
  } catch (e) {
    showError(e)
  }
})

call('GET', '')
  .then(draw)
  .catch((e) => {
    status.textContent = e.message
  })
