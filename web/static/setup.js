const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? ''
// The token stays in the fragment, which browsers never send to servers or put in Referer.
history.replaceState(null, '', location.pathname)
const status = document.getElementById('status')
document.getElementById('setup').addEventListener('submit', async (e) => {
  e.preventDefault()
  const body = { token, password: document.getElementById('password').value }
  const name = document.getElementById('name').value.trim()
  const email = document.getElementById('email').value.trim()
  if (name) body.name = name
  if (email) body.email = email
  const res = await fetch('/api/v1/auth/setup', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-parley-csrf': '1' },
    body: JSON.stringify(body),
  })
  if (res.ok) location.href = '/console'
  else status.textContent = (await res.json()).error.message
})
