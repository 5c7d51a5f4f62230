import type { Diagnostic } from '../diagnostics.js'
import type { EncodedEntry } from '../encode.js'
import type { Format } from './index.js'

/** Kubernetes' limits on a Secret (validation of `v1.Secret`). */
export const MAX_SECRET_KEY_LENGTH = 253
export const MAX_SECRET_BYTES = 1024 * 1024
/** kubectl reads env files with bufio.Scanner, whose longest line is 64 KiB. */
export const KUBECTL_MAX_LINE_BYTES = 64 * 1024

/**
 * What Kubernetes would refuse or lose in the output of a format, found before anything is
 * written: a Secret key longer than 253 characters, a Secret larger than 1 MiB, and in the env
 * format a line that `kubectl --from-env-file` would silently stop at.
 */
export function checkLimits(format: Format, entries: readonly EncodedEntry[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = []
  if (format === 'env') {
    for (const e of entries) {
      const limit = lineLimit(e)
      if (limit !== undefined) diagnostics.push(limit)
    }
  }
  if (format !== 'k8s-secret') return diagnostics
  const keys = entries.map((e) => ({ variable: e.variable, shown: e.variable, key: e.name, value: e.encoded, line: e.line }))
  return diagnostics.concat(secretLimits(keys, 'would hold', 'split the .env file into several Secrets'))
}

/** A key of a Secret and its value, as secretLimits reads them; `shown`: the key as messages show it. */
export interface SecretKey {
  variable: string
  shown: string
  /** The diagnostics' key. */
  key: string
  value: string
  line?: number
}

/**
 * What the validation of a Secret rejects in its keys and size: a key longer than 253 characters,
 * more than 1 MiB of data in all. `holds` and `split` word the second for the caller: a Secret to
 * be written, or one read.
 */
export function secretLimits(keys: Iterable<SecretKey>, holds: 'would hold' | 'holds', split: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = []
  let bytes = 0
  for (const k of keys) {
    bytes += Buffer.byteLength(k.value, 'utf8')
    if (k.variable.length > MAX_SECRET_KEY_LENGTH) {
      diagnostics.push({
        code: 'secret-limit', severity: 'error', ...(k.line !== undefined && { line: k.line }), key: k.key,
        message: `${k.shown} is longer than the ${MAX_SECRET_KEY_LENGTH} characters Kubernetes allows for a Secret key: shorten the name`,
      })
    }
  }
  if (bytes > MAX_SECRET_BYTES) {
    diagnostics.push({
      code: 'secret-limit', severity: 'error',
      message: `the Secret ${holds} ${bytes} bytes of data, more than the 1 MiB Kubernetes allows: ${split}`,
    })
  }
  return diagnostics
}

/** In the env format: the warning about an entry whose line `kubectl --from-env-file` would stop at. */
export function lineLimit(e: EncodedEntry): Diagnostic | undefined {
  // `SECRET_X=<base64>` is ASCII; one more byte for a CR.
  if (e.variable.length + 1 + e.encoded.length + 1 < KUBECTL_MAX_LINE_BYTES) return undefined
  return {
    code: 'kubectl-line-limit', severity: 'warning', line: e.line, key: e.name,
    message: `the line of ${e.variable} is 64 KiB or longer: \`kubectl create secret --from-env-file\` ` +
      'silently stops reading there and drops this secret and every one after it: write a Secret manifest for Kubernetes',
  }
}
