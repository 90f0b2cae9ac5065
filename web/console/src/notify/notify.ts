import { useSyncExternalStore } from 'react'
import type { NewChat } from '../live/live.js'

/** What the agent turned on: desktop notifications and the sound, each remembered in this browser. */
export interface NotifySettings {
  desktop: boolean
  sound: boolean
}

const KEY = 'parley.console.notify'
const listeners = new Set<() => void>()
let settings: NotifySettings = load()

function load(): NotifySettings {
  try {
    const s = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<NotifySettings>
    return { desktop: s.desktop === true, sound: s.sound !== false }
  } catch {
    return { desktop: false, sound: true }
  }
}

function save(next: NotifySettings): void {
  settings = next
  localStorage.setItem(KEY, JSON.stringify(next))
  for (const l of listeners) l()
}

export function useNotifySettings(): NotifySettings {
  return useSyncExternalStore(
    (fn) => {
      listeners.add(fn)
      return () => listeners.delete(fn)
    },
    () => settings,
  )
}

/**
 * Turns desktop notifications on or off. Browsers only show the permission prompt in answer to a
 * user gesture, so this is called from a click; the result says whether they are on.
 */
export async function setDesktop(on: boolean): Promise<string | null> {
  if (!on) {
    save({ ...settings, desktop: false })
    return null
  }
  if (!('Notification' in window)) return 'this browser has no desktop notifications'
  const permission =
    Notification.permission === 'default' ? await Notification.requestPermission() : Notification.permission
  if (permission !== 'granted')
    return 'the browser blocked notifications for this site; allow them in its settings'
  save({ ...settings, desktop: true })
  return null
}

export function setSound(on: boolean): void {
  save({ ...settings, sound: on })
  // Browsers start audio only after a gesture: this click unlocks the context for later beeps.
  if (on) audio()?.resume()
}

let ctx: AudioContext | null = null
function audio(): AudioContext | null {
  if (!ctx && 'AudioContext' in window) ctx = new AudioContext()
  return ctx
}

let lastBeep = 0
/** Two short sine tones (no audio file). */
export function beep(): void {
  const a = audio()
  if (!a || Date.now() - lastBeep < 1500) return
  lastBeep = Date.now()
  const start = a.currentTime
  for (const [i, freq] of [880, 1320].entries()) {
    const osc = a.createOscillator()
    const gain = a.createGain()
    osc.type = 'sine'
    osc.frequency.value = freq
    gain.gain.setValueAtTime(0.0001, start + i * 0.14)
    gain.gain.exponentialRampToValueAtTime(0.2, start + i * 0.14 + 0.02)
    gain.gain.exponentialRampToValueAtTime(0.0001, start + i * 0.14 + 0.12)
    osc.connect(gain).connect(a.destination)
    osc.start(start + i * 0.14)
    osc.stop(start + i * 0.14 + 0.13)
  }
}

/** Tells the agent about a new chat, as they chose. The text never includes message content. */
export function announceNewChat(chat: NewChat, open: (id: string) => void): void {
  if (settings.sound) beep()
  if (!settings.desktop || !('Notification' in window) || Notification.permission !== 'granted') return
  const who = chat.conversation.visitor.name ?? 'A visitor'
  const n = new Notification(chat.reason === 'assigned' ? 'New chat assigned to you' : 'New chat waiting', {
    body: `${who} started a chat`,
    tag: `parley-${chat.conversation.id}`,
  })
  n.onclick = () => {
    window.focus()
    open(chat.conversation.id)
    n.close()
  }
}
