/** Widget styles, applied as a constructed stylesheet: strict-CSP host pages still render them. */
export const WIDGET_CSS = `
:host { all: initial; }
* { box-sizing: border-box; font-family: system-ui, sans-serif; }
.launch { position: fixed; right: 16px; bottom: 16px; border: 0; border-radius: 28px; padding: 12px 20px; background: #2563eb; color: #fff; font: 600 16px system-ui; cursor: pointer; z-index: 2147483647; }
.launch:focus-visible, button:focus-visible, input:focus-visible, textarea:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.badge { display: inline-block; min-width: 20px; margin-left: 8px; padding: 0 6px; border-radius: 10px; background: #dc2626; font-size: 12px; line-height: 20px; }
.panel { position: fixed; right: 16px; bottom: 72px; width: min(360px, calc(100vw - 32px)); height: min(520px, calc(100vh - 96px)); display: flex; flex-direction: column; background: #fff; color: #111; font-size: 14px; border-radius: 12px; box-shadow: 0 8px 30px #0003; z-index: 2147483647; overflow: hidden; }
header { padding: 12px 16px; background: #2563eb; color: #fff; font-weight: 600; }
.log { flex: 1; overflow: auto; padding: 12px; }
.msg { margin: 4px 0; padding: 6px 10px; border-radius: 8px; background: #f3f4f6; white-space: pre-wrap; overflow-wrap: anywhere; max-width: 85%; width: fit-content; }
.mine { background: #dbeafe; margin-left: auto; }
.pending { opacity: .6; }
.status { padding: 4px 12px; color: #4b5563; font-size: 12px; min-height: 1.5em; }
form.compose { display: flex; gap: 6px; padding: 8px; border-top: 1px solid #e5e7eb; }
form.stack { display: flex; flex-direction: column; gap: 8px; padding: 16px; overflow: auto; }
input, textarea { flex: 1; font: inherit; padding: 8px; border: 1px solid #9ca3af; border-radius: 6px; min-width: 0; }
button.primary { font: inherit; border: 0; background: #2563eb; color: #fff; border-radius: 6px; padding: 8px 12px; cursor: pointer; }
button.icon, label.icon { font: inherit; font-weight: 400; border: 1px solid #9ca3af; background: #fff; border-radius: 6px; padding: 0 10px; cursor: pointer; display: flex; align-items: center; }
.stars button { font-size: 22px; border: 0; background: none; cursor: pointer; }
label { font-weight: 600; font-size: 13px; }
.sform { border: 1px solid #93c5fd; background: #eff6ff; border-radius: 8px; padding: 8px 10px; margin: 6px 0; }
.sform p { margin: 0 0 6px; }
.sform iframe { width: 100%; height: 380px; border: 0; background: #fff; border-radius: 6px; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
`
