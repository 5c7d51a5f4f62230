import { readKubectlEnvFile } from './formats/kubectl.js'
import { binaryDiagnostic, hasErrors, type CheckFile, type Diagnostic, type DiagnosticCode, type Finding, type Severity } from './diagnostics.js'

export type { CheckFile, Finding } from './diagnostics.js'
import { readEncodedInput, type EncodedItem } from './read-encoded.js'
import { pushAll } from './arrays.js'
import { checkFlows, type DefinedSecret } from './flows.js'
import { DOCUMENT_WORDS, type DocumentFormat } from './formats/read.js'
import type { YamlModule } from './formats/yaml.js'
import {
  decodeKestraValue, encodingHint, isPrintableText, kestraName, SECRET_PREFIX, undecodable, type EncodedVariable, type KestraValue,
} from './kestra.js'
import { hasShellUnsafeCharacters, isEnvName, repeatedNames, shellUnsafeMessage } from './names.js'
import { expandable, expandValues } from './expand.js'
import { scan } from './scan.js'


export interface CheckOptions {
  /** The encoded file's name in findings (default `.env_encoded`). */
  name?: string
  /** The plain `.env` the encoded file should hold exactly. */
  against?: CheckFile
  /** Flow files whose `secret('NAME')` calls the encoded file should satisfy. */
  flows?: {
    /** The folder they were found in, for a finding about the folder itself. */
    root: string
    files: CheckFile[]
  }
  /**
   * The `yaml` package (`await import('yaml')`), to read the YAML formats of `encode --format`
   * (Helm values, a Secret manifest). Without it, only .env files and JSON are read.
   */
  yaml?: YamlModule
  /** Expand `${VAR}` and `$VAR` in the values of `against` first, as `encode` does with it (see expand.ts). */
  expand?: boolean
  env?: Readonly<Record<string, string | undefined>>
}


/** A secret Kestra would read from the encoded file. */
export interface CheckedSecret {
  /** The variable (`SECRET_DB_PASSWORD`). */
  variable: string
  /** The name flows use, as Kestra upper-cases it (`DB_PASSWORD`). */
  name: string
  line: number
}

export interface CheckResult {
  /** True when no finding is an error (warnings and notes allowed). */
  ok: boolean
  /** What the file was read as: an encoded .env file, or a format of `encode --format`. */
  format: 'env' | DocumentFormat
  /** Every `SECRET_` variable with a name, in order (duplicates included). */
  secrets: CheckedSecret[]
  /** Every finding, the encoded file's first, then the plain file's, then the flows', by line. */
  findings: Finding[]
}

const QUOTES = new Set([0x22, 0x27, 0x60])

/**
 * Reads an encoded file as docker compose, kubectl and then Kestra will, and reports every entry
 * that would not arrive intact; optionally compares it with the plain `.env` it came from and with
 * the secrets that flows use. Findings name files, lines and keys, never a value.
 *
 * Every format of `encode --format` is read too, recognised from its content (the YAML formats
 * when `options.yaml` is given), and its entries go through the same rules; the rules of the form
 * of a .env line (quotes, `export`, inline comments, wrapped lines) apply to .env files only.
 */
export function checkEncoded(text: string, options: CheckOptions = {}): CheckResult {
  const fileName = options.name ?? '.env_encoded'
  const findings: Finding[] = []
  const report = (file: string, code: DiagnosticCode, severity: Severity, line: number | undefined,
    key: string | undefined, message: string): void => {
    // In this order, which is how --json shows it.
    findings.push({
      file,
      ...(line !== undefined && { line }),
      ...(key !== undefined && { key }),
      code,
      severity,
      message,
    })
  }
  const here = (code: DiagnosticCode, severity: Severity, line: number | undefined, key: string | undefined,
    message: string): void => report(fileName, code, severity, line, key, message)

  const binary = binaryDiagnostic(text, 'an encoded .env file')
  if (binary !== undefined) {
    here(binary.code, binary.severity, binary.line, undefined, binary.message)
    return { ok: false, format: 'env', secrets: [], findings }
  }
  const input = readEncodedInput(text, options.yaml)
  let rules: Rules
  if (input.format === 'env') {
    const file = input.file
    const t = file.scanned.text
    for (const s of file.skipped) {
      const fromLoop = t.slice(s.start, s.end).trimStart().startsWith(SECRET_PREFIX)
        ? ' (the shell loop in the docs writes such lines for comments and `export` lines)' : ''
      here('ignored-line', 'error', s.line, undefined, s.bareName
        ? 'a name without `=`: dotenv and docker compose skip it, and kubectl takes its value from ' +
          'its own environment: remove the line or give it a value'
        : `neither NAME=VALUE, a comment nor blank${fromLoop}: dotenv and docker compose skip it and ` +
          'kubectl rejects the file: remove the line or comment it out')
    }
    rules = {
      place: 'an env file',
      duplicate: 'docker compose keeps the last, kubectl rejects the file',
      shellNames: true,
      form: (i) => {
        const item = file.items[i] as EncodedItem
        checkForm(item, here)
        checkWrapped(item, here)
      },
    }
    if (file.items.length === 0) {
      here('no-entries', 'warning', undefined, undefined, 'no KEY=VALUE entries found: the file holds no secret')
    }
  } else {
    const { document } = input
    for (const d of document.diagnostics) here(d.code, d.severity, d.line, d.key, d.message)
    rules = {
      place: DOCUMENT_WORDS[input.format].file,
      duplicate: DUPLICATES[input.format],
      // JSON is for scripts, which may export the names to a shell; Kubernetes takes `.` and `-`.
      shellNames: input.format === 'json',
    }
    if (document.entries.length === 0 && !hasErrors(document.diagnostics)) {
      here('no-entries', 'warning', undefined, undefined,
        `no entries found in ${DOCUMENT_WORDS[input.format].entries}: the file holds no secret`)
    }
  }

  const { secrets, decoded } = checkVariables(input.variables, rules, here)
  // After the per-line rules, so that a line they already fail is not reported twice.
  if (input.format === 'env') checkKubectl(text, findings, here)
  if (options.against !== undefined) {
    compareWith(options.against, input.variables, decoded, fileName, options, report)
  }
  if (options.flows !== undefined) {
    pushAll(findings, checkFlows(options.flows, definedSecrets(input.variables, decoded, fileName), fileName, options.yaml))
  }

  const rank = (f: string): number => (f === fileName ? 0 : f === options.against?.name ? 1 : 2)
  findings.sort((a, b) => rank(a.file) - rank(b.file) || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    (a.line ?? 0) - (b.line ?? 0))
  return { ok: !findings.some((f) => f.severity === 'error'), format: input.format, secrets, findings }
}

type Here = (code: DiagnosticCode, severity: Severity, line: number | undefined, key: string | undefined,
  message: string) => void
type Report = (file: string, code: DiagnosticCode, severity: Severity, line: number | undefined,
  key: string | undefined, message: string) => void

/** What differs between the kinds of file, for the rules that they share. */
interface Rules {
  /** The kind of file, where nothing renders the template form. */
  place: string
  /** What the readers of the file do with a name defined twice. */
  duplicate: string
  /** Whether names should suit a shell (`set -a; . file`). */
  shellNames: boolean
  /** The checks of the form of the i-th entry in the file, before those of its value. */
  form?: (index: number) => void
}

const DUPLICATES: Readonly<Record<DocumentFormat, string>> = {
  'helm': 'Kubernetes keeps the last',
  'helm-legacy': 'Kubernetes keeps the last',
  'k8s-secret': 'kubectl rejects a mapping with a key twice',
  'json': 'JSON readers (JSON.parse, jq) keep the last',
}

/**
 * The rules every kind of file shares, on the variables Kestra would receive: names (the prefix,
 * duplicates, names that collide once upper-cased) and values (decoded as Kestra does).
 */
function checkVariables(variables: readonly EncodedVariable[], rules: Rules, here: Here):
  { secrets: CheckedSecret[]; decoded: Map<EncodedVariable, KestraValue> } {
  const secrets: CheckedSecret[] = []
  const decoded = new Map<EncodedVariable, KestraValue>()
  const isSecret = (variable: string): boolean => variable.startsWith(SECRET_PREFIX) && variable !== SECRET_PREFIX
  const repeats = new Map(repeatedNames(variables.map((v) => (isSecret(v.variable) ? v.variable : undefined))).map((r) => [r.index, r]))
  variables.forEach((v, index) => {
    const variable = v.variable
    if (!isEnvName(variable)) {
      here('invalid-name', 'error', v.line, variable,
        `${variable} has characters other than letters, digits, _, . and -, which Kubernetes rejects in a ` +
        'Secret key and a .env file cannot hold as a name: rename it')
    }
    if (!variable.startsWith(SECRET_PREFIX)) {
      if (variable.toUpperCase().startsWith(SECRET_PREFIX)) {
        here('prefix-case', 'error', v.line, variable,
          `${variable} is not read by Kestra, whose prefix ${SECRET_PREFIX} is case-sensitive: ` +
          `write ${SECRET_PREFIX}${variable.slice(SECRET_PREFIX.length)}`)
      } else {
        here('not-prefixed', 'warning', v.line, variable,
          `${variable} does not start with ${SECRET_PREFIX}, so Kestra does not read it as a secret`)
      }
      return
    }
    if (variable === SECRET_PREFIX) {
      here('empty-name', 'error', v.line, variable,
        `${variable} has no name after the prefix (the shell loop makes these from blank lines): remove the line`)
      return
    }
    const name = variable.slice(SECRET_PREFIX.length).toUpperCase()
    secrets.push({ variable, name, line: v.line })

    const repeat = repeats.get(index)
    const first = repeat === undefined ? undefined : variables[repeat.earlier] as EncodedVariable
    if (repeat?.sameCase === true) {
      here('duplicate', 'error', v.line, variable,
        `${variable} is already defined on line ${first?.line}: ${rules.duplicate}: remove one`)
    } else if (first !== undefined) {
      here('case-collision', 'error', v.line, variable,
        `${variable} and ${first.variable} (line ${first.line}) are one secret to Kestra, which ` +
        'upper-cases names: at start-up it logs both values in an error and keeps only one: rename one')
    }
    if (rules.shellNames && hasShellUnsafeCharacters(variable)) {
      here('name-not-portable', 'warning', v.line, variable, shellUnsafeMessage(variable))
    }
    rules.form?.(index)
    const value = checkValue(v, rules.place, here)
    if (value !== undefined) decoded.set(v, value)
  })
  return { secrets, decoded }
}

/**
 * What kubectl's `--from-env-file` (which keeps every character after the first `=`) and docker
 * compose need: `SECRET_NAME=base64`, nothing around or after it.
 */
function checkForm(item: EncodedItem, here: Here): void {
  const e = item.entry
  const variable = e.key
  if (e.exported) {
    here('export-prefix', 'error', e.line, variable,
      `${variable} is written with \`export\`, which kubectl rejects as part of the name: remove it`)
  }
  if (e.bomBeforeName) {
    // Only a byte-order mark that starts the file is dropped by the readers.
    here('entry-form', 'error', e.line, variable,
      `${variable} has a byte-order mark (U+FEFF) before its name, which kubectl keeps in the name: remove it`)
  } else if (e.separator !== '=') {
    here('entry-form', 'error', e.line, variable, e.separator === ':'
      ? `${variable} uses the NAME: value form, which kubectl does not read: write ${variable}=value`
      : `${variable} has spaces around =, which kubectl keeps in the name: write ${variable}=value`)
  } else if (e.spaceBefore) {
    here('entry-form', 'error', e.line, variable,
      `the value of ${variable} starts with white space, which kubectl keeps and Kestra cannot decode: remove it`)
  } else if (e.opening === undefined && e.comment === undefined && e.spaceAfter) {
    here('entry-form', 'error', e.line, variable,
      `the value of ${variable} ends with white space, which kubectl keeps and Kestra cannot decode: remove it`)
  }
  if (e.opening !== undefined) {
    here('quoted-value', 'error', e.line, variable,
      `the value of ${variable} is in quotes, which kubectl keeps, so Kestra cannot decode it: remove the quotes`)
  }
  if (e.comment !== undefined) {
    here('inline-comment', 'error', e.line, variable,
      `${variable} has a # comment after its value, which kubectl (and docker compose, without a ` +
      'space before #) keep in the value: move the comment to its own line')
  }
}

/**
 * `kubectl create secret generic --from-env-file` reads the file by rules of its own (contract
 * §3): a line it rejects loses every secret of the file, and at a line of 64 KiB it stops without
 * a word. Reported only where the line has no error already; never the line's text.
 */
function checkKubectl(text: string, findings: readonly Finding[], here: Here): void {
  const kubectl = readKubectlEnvFile(text)
  const { error, truncatedAt } = kubectl
  if (error !== undefined && !findings.some((f) => f.line === error.line && f.severity === 'error')) {
    here('kubectl-rejects', 'error', error.line, undefined,
      `kubectl create secret --from-env-file rejects the whole file at this line (${error.reason}), ` +
      'so no secret of it reaches Kubernetes that way: remove the line or fix its name ' +
      '(a byte-order mark anywhere but at the very start counts as part of a name)')
  }
  // dotenv and compose end a line at a lone CR; kubectl keeps it in the value.
  for (let cr = text.indexOf('\r'), line = 1, at = 0; cr !== -1; cr = text.indexOf('\r', cr + 1)) {
    if (text.charCodeAt(cr + 1) === 0x0a) continue
    for (; at < cr; at++) if (text.charCodeAt(at) === 0x0a) line++
    here('lone-cr', 'error', line, undefined,
      'a carriage return without a line feed: dotenv and docker compose end the line there, kubectl ' +
      'keeps it inside the value, so they read different secrets: use LF or CRLF line ends')
    break
  }
  if (truncatedAt !== undefined) {
    here('kubectl-line-limit', 'warning', truncatedAt, undefined,
      'this line is 64 KiB or longer: kubectl create secret --from-env-file silently stops reading ' +
      'here and drops this secret and every one after it: write a Secret manifest for Kubernetes')
  }
}

/** A value that a `base64` command wrapped over several lines (env files only). */
function checkWrapped(item: EncodedItem, here: Here): void {
  if (item.continuation === undefined) return
  here('wrapped-value', 'error', item.entry.line, item.entry.key,
    `the value of ${item.entry.key} is wrapped over ${item.continuation.lines + 1} lines (as the base64 ` +
    'command does at 76 columns): docker compose and kubectl read only the first line, so Kestra ' +
    'gets a cut-off secret, and the rest becomes a separate entry: put the value on one line (base64 -w0)')
}

/** Decodes the value as Kestra will and reports what would not arrive intact. */
function checkValue(v: EncodedVariable, place: string, here: Here): KestraValue | undefined {
  const variable = v.variable
  const decoded = decodeKestraValue(v.encoded)
  if (!decoded.ok) {
    const why = undecodable(v.encoded, variable, decoded.problem, place)
    here(why.code, 'error', v.line, variable, why.message + encodingHint(v))
    return undefined
  }
  if (!decoded.utf8) {
    here('not-utf8', 'error', v.line, variable,
      `the value of ${variable} decodes to bytes that are not UTF-8 text, which Kestra turns into ` +
      'U+FFFD: was it ever encoded? (plain words such as passwords can happen to be valid base64)' + encodingHint(v))
    return decoded
  }
  const text = decoded.text
  if (!isPrintableText(text)) {
    here('not-printable', 'warning', v.line, variable,
      `the value of ${variable} decodes to text with control characters: it looks as if it was ` +
      'never encoded (plain words can happen to be valid base64), or was encoded twice')
  }
  if (text.length >= 2 && QUOTES.has(text.charCodeAt(0)) && text.charCodeAt(text.length - 1) === text.charCodeAt(0)) {
    here('decoded-quoted', 'warning', v.line, variable,
      `the value of ${variable} decodes to text in quotes, and Kestra keeps them: were the quotes ` +
      'of the .env encoded with it (as the shell loop in the docs does)?')
  }
  if (/\s#/.test(text)) {
    here('decoded-comment', 'warning', v.line, variable,
      `the value of ${variable} decodes to text with " #" in it: was an inline comment of the .env ` +
      'encoded with it (as the shell loop in the docs does)?')
  }
  if (text.endsWith('\n') || text.endsWith('\r')) {
    here('trailing-newline', 'warning', v.line, variable,
      `the value of ${variable} decodes to text that ends with a line break, which Kestra keeps: ` +
      'was it encoded with `echo ... | base64` (use echo -n or printf %s)?')
  }
  return decoded
}

/**
 * The secrets flows may use, by the name Kestra gives them, with the value a flow's `subkey=`
 * reads; a name defined twice has no value (which one Kestra keeps is not known).
 */
function definedSecrets(variables: readonly EncodedVariable[], decoded: ReadonlyMap<EncodedVariable, KestraValue>,
  fileName: string): Map<string, DefinedSecret> {
  const defined = new Map<string, DefinedSecret>()
  for (const v of variables) {
    const name = kestraName(v.variable)
    if (name === undefined || name === '') continue
    const earlier = defined.get(name)
    if (earlier !== undefined) {
      delete earlier.value
      continue
    }
    const d = decoded.get(v)
    defined.set(name, { name, variable: v.variable, file: fileName, line: v.line, ...(d?.ok === true && d.utf8 && { value: d.text }) })
  }
  return defined
}

/** The encoded file must hold exactly the plain file's secrets, with the same values. */
function compareWith(against: CheckFile, variables: readonly EncodedVariable[],
  decoded: ReadonlyMap<EncodedVariable, KestraValue>, fileName: string, options: CheckOptions, report: Report): void {
  const plain = new Map<string, { key: string; value: string; line: number }>()
  const read = scan(against.text).entries
  const values = options.expand
    ? expandValues(read.map(expandable), options.env ?? {}, (...finding) => report(against.name, ...finding))
    : read.map((e) => e.value)
  read.forEach((e, i) => {
    if (e.key !== '__proto__') plain.set(e.key.toUpperCase(), { key: e.key, value: values[i] as string, line: e.line })
  })
  const encoded = new Map<string, EncodedVariable>()
  for (const v of variables) {
    if (!v.variable.startsWith(SECRET_PREFIX) || v.variable === SECRET_PREFIX) continue
    encoded.set(v.variable.slice(SECRET_PREFIX.length).toUpperCase(), v)
  }
  for (const [upper, p] of plain) {
    const v = encoded.get(upper)
    const variable = SECRET_PREFIX + p.key
    if (v === undefined) {
      report(against.name, 'missing-secret', 'error', p.line, p.key,
        `${p.key} is not in ${fileName} (no ${variable}): encode ${against.name} again`)
      continue
    }
    if (v.variable !== variable) {
      report(fileName, 'name-case-differs', 'warning', v.line, v.variable,
        `${v.variable} is ${p.key} in ${against.name} (line ${p.line}): Kestra reads them as one ` +
        'name, but the cases differ')
    }
    const d = decoded.get(v)
    if (d !== undefined && d.ok && d.utf8 && d.text !== p.value) {
      report(fileName, 'stale-secret', 'error', v.line, v.variable,
        `${v.variable} holds a different value than ${p.key} in ${against.name} (line ${p.line}): ` +
        `encode ${against.name} again`)
    }
  }
  for (const [upper, v] of encoded) {
    if (!plain.has(upper)) {
      report(fileName, 'extra-secret', 'error', v.line, v.variable,
        `${v.variable} is not in ${against.name}: remove it, or add it to ${against.name} and encode again`)
    }
  }
}
