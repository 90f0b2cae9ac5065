import {
  type InputHTMLAttributes,
  type KeyboardEvent,
  type ReactNode,
  type TextareaHTMLAttributes,
  useCallback,
  useEffect,
  useId,
  useRef,
  useState,
} from 'react'
import { messageOf } from '../api.js'

/** Loads data for a screen; `reload` fetches again. Errors carry the server's message. */
export function useLoad<T>(
  load: () => Promise<T>,
  deps: readonly unknown[],
): { data: T | null; error: string | null; reload: () => void; setData: (d: T) => void } {
  const [data, setData] = useState<T | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [tick, setTick] = useState(0)
  const loadRef = useRef(load)
  loadRef.current = load
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller lists what the load depends on
  useEffect(() => {
    let live = true
    loadRef
      .current()
      .then((d) => {
        if (!live) return
        setData(d)
        setError(null)
      })
      .catch((e) => live && setError(messageOf(e)))
    return () => {
      live = false
    }
  }, [...deps, tick])
  return { data, error, reload: useCallback(() => setTick((t) => t + 1), []), setData }
}

/** Runs one user action at a time, keeping its error (the server's message) for display. */
export function useAction(): {
  busy: boolean
  error: string | null
  run: <T>(fn: () => Promise<T>) => Promise<T | undefined>
  clear: () => void
} {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const run = useCallback(async <T,>(fn: () => Promise<T>) => {
    setBusy(true)
    setError(null)
    try {
      return await fn()
    } catch (e) {
      setError(messageOf(e))
      return undefined
    } finally {
      setBusy(false)
    }
  }, [])
  return { busy, error, run, clear: useCallback(() => setError(null), []) }
}

export function ErrorNote({ error }: { error: string | null | undefined }) {
  if (!error) return null
  return (
    <p className="error" role="alert">
      {error}
    </p>
  )
}

/** A labelled control: the label is tied to the control by id. */
export function Field({
  label,
  hint,
  children,
}: {
  label: string
  hint?: string
  children: (props: { id: string; 'aria-describedby'?: string }) => ReactNode
}) {
  const id = useId()
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, ...(hint ? { 'aria-describedby': `${id}-hint` } : {}) })}
      {hint ? (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      ) : null}
    </div>
  )
}

type Controlled<A> = Omit<A, 'value' | 'onChange' | 'id'> & {
  label: string
  hint?: string
  value: string | number
  onChange: (value: string) => void
}

/** A labelled text input whose value is the caller's state. */
export function TextInput({
  label,
  hint,
  value,
  onChange,
  ...rest
}: Controlled<InputHTMLAttributes<HTMLInputElement>>) {
  return (
    <Field label={label} {...(hint ? { hint } : {})}>
      {(p) => <input {...p} {...rest} value={value} onChange={(e) => onChange(e.target.value)} />}
    </Field>
  )
}

/** A labelled text area whose value is the caller's state. */
export function TextArea({
  label,
  hint,
  value,
  onChange,
  ...rest
}: Controlled<TextareaHTMLAttributes<HTMLTextAreaElement>>) {
  return (
    <Field label={label} {...(hint ? { hint } : {})}>
      {(p) => <textarea {...p} {...rest} value={value} onChange={(e) => onChange(e.target.value)} />}
    </Field>
  )
}

/** A screen's title: focused after navigation so screen readers announce where they are. */
export function ScreenTitle({ children }: { children: string }) {
  const ref = useRef<HTMLHeadingElement>(null)
  useEffect(() => {
    document.title = `${children} · Parley`
    ref.current?.focus()
  }, [children])
  return (
    <h1 ref={ref} tabIndex={-1} className="screen-title">
      {children}
    </h1>
  )
}

export function formatTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' })
}

export function formatSeconds(s: number | null): string {
  if (s === null) return '—'
  if (s < 90) return `${Math.round(s)} s`
  if (s < 5400) return `${Math.round(s / 60)} min`
  return `${(s / 3600).toFixed(1)} h`
}

/** A read-only value with a Copy button (widget snippets, setup links). */
export function CopyField({
  label,
  value,
  multiline,
}: {
  label: string
  value: string
  multiline?: boolean
}) {
  const [copied, setCopied] = useState(false)
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value)
      setCopied(true)
      setTimeout(() => setCopied(false), 2000)
    } catch {
      setCopied(false)
    }
  }
  return (
    <Field label={label}>
      {(p) => (
        <div className="copy-field">
          {multiline ? (
            <textarea {...p} readOnly value={value} rows={3} onFocus={(e) => e.target.select()} />
          ) : (
            <input {...p} readOnly value={value} onFocus={(e) => e.target.select()} />
          )}
          <button type="button" onClick={copy}>
            {copied ? 'Copied' : 'Copy'}
          </button>
        </div>
      )}
    </Field>
  )
}

/** A destructive button that asks once more in place (no browser dialog). */
export function ConfirmButton({
  children,
  onConfirm,
  disabled,
}: {
  children: string
  onConfirm: () => void
  disabled?: boolean
}) {
  const [asking, setAsking] = useState(false)
  const yes = useRef<HTMLButtonElement>(null)
  // The question replaces the button the agent just pressed: focus moves to its answer.
  useEffect(() => {
    if (asking) yes.current?.focus()
  }, [asking])
  if (!asking) {
    return (
      <button type="button" className="danger" disabled={disabled} onClick={() => setAsking(true)}>
        {children}
      </button>
    )
  }
  return (
    <span className="confirm">
      <button
        type="button"
        className="danger"
        ref={yes}
        onClick={() => {
          setAsking(false)
          onConfirm()
        }}
      >
        Yes, {children.toLowerCase()}
      </button>{' '}
      <button type="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  )
}

/**
 * A table that scrolls sideways on narrow screens, with its column headers. With a `label`, the
 * scrolling box is a named region that the keyboard can reach (to scroll it without a mouse).
 */
export function Table({
  columns,
  className,
  label,
  children,
}: {
  columns: string[]
  className?: string
  label?: string
  children: ReactNode
}) {
  const region = label ? { role: 'region', 'aria-label': label, tabIndex: 0 } : {}
  return (
    <div className="table-wrap" {...region}>
      <table className={className}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  )
}

const FOCUSABLE = 'button, [href], input, select, textarea, [tabindex]:not([tabindex="-1"])'

/**
 * A modal dialog, open while it is rendered: a native `<dialog>` shown with showModal (the page
 * behind it is inert), Tab and Shift+Tab wrap inside it, Escape calls `onClose`, and focus goes
 * back to what had it before (when that is still on the page; else the caller moves it).
 */
export function Dialog({
  title,
  onClose,
  children,
}: {
  title: string
  onClose: () => void
  children: ReactNode
}) {
  const ref = useRef<HTMLDialogElement>(null)
  const titleId = useId()
  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null
    dialog.showModal()
    return () => {
      dialog.close()
      if (opener?.isConnected) opener.focus()
    }
  }, [])
  const wrapTab = (e: KeyboardEvent<HTMLDialogElement>) => {
    if (e.key !== 'Tab' || !ref.current) return
    const all = [...ref.current.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
      (el) => !el.hasAttribute('disabled'),
    )
    const first = all[0]
    const last = all.at(-1)
    if (!first || !last) return
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault()
      last.focus()
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault()
      first.focus()
    }
  }
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      onKeyDown={wrapTab}
      onCancel={(e) => {
        // Escape: the caller decides (it unmounts the dialog), so React's state stays the truth.
        e.preventDefault()
        onClose()
      }}
    >
      <h2 id={titleId}>{title}</h2>
      {children}
    </dialog>
  )
}
