// The demo page asks the server for the demo site's key, then embeds the widget like a customer would.
const res = await fetch('/api/v1/demo/widget-key')
if (res.ok) {
  const { key, integrity } = await res.json()
  const s = document.createElement('script')
  s.src = '/widget.js'
  s.async = true
  s.crossOrigin = 'anonymous'
  if (integrity) s.integrity = integrity
  s.dataset.parleyKey = key
  document.body.append(s)
}
