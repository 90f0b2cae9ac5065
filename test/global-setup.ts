import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * Every temporary directory the suite makes (databases, server processes' data directories,
 * browser profiles) goes under one directory for the run, removed when the run ends. Tests and
 * the server processes they start inherit it as TMPDIR, so a test that skips its own clean-up,
 * or a process killed on purpose, leaves nothing behind in the system's temp directory (each
 * run used to leave about 100 directories and tens of MB there).
 */
export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'parley-test-run-'))
  const previous = process.env.TMPDIR
  process.env.TMPDIR = root
  return () => {
    if (previous === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = previous
    rmSync(root, { recursive: true, force: true })
  }
}
