import { readKubectlEnvFile } from './formats/kubectl.js'
import { finding, unreadableText, type CheckFile, type DiagnosticCode, type Finding, type Severity } from './diagnostics.js'

export type { CheckFile, Finding } from './diagnostics.js'
import { readDocument, readEncodedItems, type EncodedItem } from './read-encoded.js'
import type { ExternalVariable, FormattedEntry, SecretMount } from './formats/read.js'
import { pushAll } from './arrays.js'
import { checkFlows, type DefinedSecret } from './flows.js'
import { DOCUMENT_WORDS, type DocumentFormat } from './formats/read.js'
import type { YamlModule } from './formats/yaml.js'
import {
  encodingHint, hasPrefixInAnyCase, isPrintableText, isSecret, readKestraValue, SECRET_PREFIX, secretName, undecodable, type EncodedVariable,
} from './kestra.js'
import { displayName, hasShellUnsafeCharacters, isEnvName, NamePlaces, repeatedNames, Repeats, shellUnsafeMessage, type Scope } from './names.js'
import { expandable, expandValues } from './expand.js'
import { isIgnoredName, keyStart, normaliseLineEnds, scanEntries, type Entry } from './scan.js'


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
  /** What the (first) file was read as: an encoded .env file, or a format of `encode --format`. */
  format: 'env' | DocumentFormat
  /** Each input, in order: what it was read as and how many secrets it holds. */
  inputs: Array<{ name: string; format: 'env' | DocumentFormat; secrets: number }>
  /** The Secrets the values files mount whole (`extraEnvFrom`), whose keys are not checked. */
  mounts: SecretMount[]
  /** Every `SECRET_` variable with a name, in order (duplicates included). */
  secrets: CheckedSecret[]
  /** Every finding, the encoded file's first, then the plain file's, then the flows', by line. */
  findings: Finding[]
}

const QUOTES = new Set([0x22, 0x27, 0x60])

/** One input as it was read: what Kestra receives from it, and what the checks found out. */
interface ReadInput {
  name: string
  format: 'env' | DocumentFormat
  variables: EncodedVariable[]
  /** The text Kestra gets, for each variable that it decodes to UTF-8 text. */
  decoded: Map<EncodedVariable, string>
  secrets: CheckedSecret[]
  /** Variables a values file takes from elsewhere (`valueFrom`): defined, but not checked here. */
  external: ExternalVariable[]
  /** Secrets a values file mounts whole (`extraEnvFrom`): their keys are not known here. */
  mounts: SecretMount[]
}

/**
 * Reads encoded files as docker compose, kubectl and then Kestra will, and reports every entry
 * that would not arrive intact; optionally compares them with the plain `.env` they came from and
 * with the secrets that flows use. Findings name files, lines and keys, never a value.
 *
 * Several inputs (`[{ name, text }, ...]`: a values file and a Secret, say) are read as one
 * deployment: a name that two of them define is an error, and `against` and `flows` are checked
 * against all of them. Every format of `encode --format` is read, recognised from its content
 * (the YAML formats when `options.yaml` is given); the rules of the form of a .env line (quotes,
 * `export`, inline comments, wrapped lines) apply to .env files only.
 */
export function checkEncoded(input: string | CheckFile | readonly CheckFile[], options: CheckOptions = {}): CheckResult {
  const files: readonly CheckFile[] = typeof input === 'string' ? [{ name: options.name ?? '.env_encoded', text: input }]
    : isFileList(input) ? input : [input]
  const findings: Finding[] = []
  const report = (file: string, code: DiagnosticCode, severity: Severity, line: number | undefined,
    key: string | undefined, message: string): void => {
    findings.push(finding(file, code, severity, line, key, message))
  }
  const plain = options.against === undefined ? undefined : readPlain(options.against, options, report)
  // What is read is kept only for the checks across it: several inputs, the plain file, flows.
  const keep = files.length > 1 || options.against !== undefined || options.flows !== undefined
  const inputs = files.map((f) => checkInput(f, options, plain, report, findings, keep))
  const variables = inputs.flatMap((r) => r.variables.map((v) => ({ v, file: r.name })))
  if (inputs.length > 1) checkAcrossInputs(variables, report)
  const mounts = inputs.flatMap((r) => r.mounts)
  if (options.against !== undefined && plain !== undefined) compareWith(options.against, plain, inputs, report)
  if (options.flows !== undefined) {
    pushAll(findings, checkFlows(options.flows, definedSecrets(inputs), files[0]?.name ?? '', options.yaml,
      [...new Set(mounts.map((m) => m.secret))]))
  }
  const secrets = inputs.flatMap((r) => r.secrets)
  const elsewhere = inputs.some((r) => r.external.length > 0 || r.mounts.length > 0)
  if (secrets.length === 0 && !elsewhere && !findings.some((f) => f.severity === 'error')) {
    report(files[0]?.name ?? '', 'no-secrets', 'error', undefined, undefined,
      `no ${SECRET_PREFIX} variable found: ${files.length === 1 ? 'the file holds' : 'the inputs hold'} no secret for Kestra`)
  }

  const order = new Map<string, number>(files.map((f, i) => [f.name, i]))
  if (options.against !== undefined && !order.has(options.against.name)) order.set(options.against.name, files.length)
  const rank = (f: string): number => order.get(f) ?? files.length + 1
  findings.sort((a, b) => rank(a.file) - rank(b.file) || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    (a.line ?? 0) - (b.line ?? 0))
  return {
    ok: !findings.some((f) => f.severity === 'error'),
    format: inputs[0]?.format ?? 'env',
    inputs: inputs.map((r) => ({ name: r.name, format: r.format, secrets: r.secrets.length })),
    mounts,
    secrets,
    findings,
  }
}

function isFileList(input: CheckFile | readonly CheckFile[]): input is readonly CheckFile[] {
  return Array.isArray(input)
}

/** One input: the rules of its kind of file, then those that every kind shares. */
function checkInput(file: CheckFile, options: CheckOptions, plain: PlainFile | undefined, report: Report,
  findings: readonly Finding[], keep: boolean): ReadInput {
  const fileName = file.name
  const here = (code: DiagnosticCode, severity: Severity, line: number | undefined, key: string | undefined,
    message: string): void => report(fileName, code, severity, line, key, message)
  const unreadable = unreadableText(file.text, 'an encoded .env file')
  if (unreadable !== undefined) {
    here(unreadable.code, unreadable.severity, unreadable.line, undefined, unreadable.message)
    return nothingRead(fileName)
  }
  const document = readDocument(file.text, options.yaml)
  if (document === undefined) return checkEnvFile(file, plain, here, findings, keep)
  for (const d of document.diagnostics) here(d.code, d.severity, d.line, d.key, d.message)
  const format = document.format
  const rules: Rules = {
    place: DOCUMENT_WORDS[format].file,
    duplicate: DUPLICATES[format],
    // JSON is for scripts, which may export the names to a shell; Kubernetes takes `.` and `-`.
    shellNames: format === 'json',
    // A values file gives each deployment its environment: common.extraEnv and its own list.
    scope: (v) => environmentOf(format, (v as FormattedEntry).list),
  }
  const { secrets, decoded } = checkVariables(document.entries, rules, plain, here)
  return { name: fileName, format, variables: document.entries, decoded: decoded ?? new Map(), secrets, external: document.external, mounts: document.mounts }
}

/** An input of which nothing is checked further. */
function nothingRead(name: string): ReadInput {
  return { name, format: 'env', variables: [], decoded: new Map(), secrets: [], external: [], mounts: [] }
}

/**
 * An encoded .env file, checked in one pass as it is read, keeping its variables only when a check
 * across them follows (`keep`: several inputs, a plain file to compare with, flows).
 */
function checkEnvFile(file: CheckFile, plain: PlainFile | undefined, here: Here,
  findings: readonly Finding[], keep: boolean): ReadInput {
  const fileName = file.name
  const t = normaliseLineEnds(file.text)
  // A file none of whose names has Kestra's prefix is the plain .env given by mistake: its
  // findings would hide the one thing to say. They wait until a name with the prefix turns up.
  let waiting: Parameters<Here>[] | undefined = []
  const hold: Here = (...finding) => {
    if (waiting === undefined) here(...finding)
    else waiting.push(finding)
  }
  const rules: Rules = {
    place: 'an env file',
    duplicate: 'docker compose keeps the last, kubectl rejects the file',
    shellNames: true,
    form: (v) => {
      checkForm(v as EncodedItem, hold)
      checkWrapped(v as EncodedItem, hold)
    },
  }
  // The decoded values and the variables are kept only for the checks across inputs that follow.
  const gathered: Gathered = { secrets: [], decoded: keep ? new Map() : undefined }
  const variables: EncodedItem[] = []
  // The secrets so far, for the names they may repeat: their places in the text and their lines.
  const defined = new NamePlaces(t)
  // An encoded line is 60 to 80 characters: the table is sized for the fewer entries at first.
  const repeats = new Repeats((i) => defined.name(i), t.length / 80)
  let count = 0
  readEncodedItems(t, (item) => {
    if (item.kind === 'skipped') {
      const fromLoop = t.slice(item.start, item.end).trimStart().startsWith(SECRET_PREFIX)
        ? ' (the shell loop in the docs writes such lines for comments and `export` lines)' : ''
      hold('ignored-line', 'error', item.line, undefined, item.bareName
        ? 'a name without `=`: dotenv and docker compose skip it, and kubectl takes its value from ' +
          'its own environment: remove the line or give it a value'
        : `neither NAME=VALUE, a comment nor blank${fromLoop}: dotenv and docker compose skip it and ` +
          'kubectl rejects the file: remove the line or comment it out')
      return
    }
    if (item.kind !== 'variable') return
    count++
    if (waiting !== undefined && hasPrefixInAnyCase(item.variable)) {
      for (const finding of waiting) here(...finding)
      waiting = undefined
    }
    if (keep) variables.push(item)
    let repeat: Repeated | undefined
    if (isSecret(item.variable)) {
      const start = keyStart(t, item.entry)
      const earlier = repeats.add(t, start, item.variable.length, defined.add(start, item.variable.length, item.line))
      if (earlier !== -1) {
        const variable = defined.name(earlier)
        repeat = { earlier: { variable, line: defined.line(earlier) }, sameCase: variable === item.variable }
      }
    }
    checkVariable(item, repeat, rules, plain, hold, gathered)
  })
  if (waiting !== undefined && count > 0) {
    here('plain-env', 'error', undefined, undefined, 'this looks like a plain .env: none of its names starts with SECRET_')
    return nothingRead(fileName)
  }
  for (const finding of waiting ?? []) here(...finding)
  // After the per-line rules, so that a line they already fail is not reported twice.
  checkKubectl(file.text, findings.filter((f) => f.file === fileName), here)
  return { name: fileName, format: 'env', variables, decoded: gathered.decoded ?? new Map(), secrets: gathered.secrets, external: [], mounts: [] }
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
  /** The checks of the form of a variable's line in the file, before those of its value. */
  form?: (v: EncodedVariable) => void
  /** Which environment a variable reaches (in a values file, not every two meet). */
  scope?: (v: EncodedVariable) => Scope
}

const DUPLICATES: Readonly<Record<DocumentFormat, string>> = {
  'helm': 'Kubernetes keeps the last',
  'helm-legacy': 'Kubernetes keeps the last',
  'k8s-secret': 'kubectl rejects a mapping with a key twice',
  'json': 'JSON readers (JSON.parse, jq) keep the last',
}

/** What the checks of one input gather: its secrets, and the text Kestra gets for each variable that decodes. */
interface Gathered {
  secrets: CheckedSecret[]
  /** Undefined when nothing after the checks needs them. */
  decoded: Map<EncodedVariable, string> | undefined
}

/**
 * The rules every kind of file shares, on the variables Kestra would receive: names (the prefix,
 * duplicates, names that collide once upper-cased) and values (decoded as Kestra does).
 */
function checkVariables(variables: readonly EncodedVariable[], rules: Rules, plain: PlainFile | undefined, here: Here): Gathered {
  const gathered: Gathered = { secrets: [], decoded: new Map() }
  const names = variables.map((v) => (isSecret(v.variable) ? v.variable : undefined))
  const scope = rules.scope
  const repeats = new Map(repeatedNames(names, scope === undefined ? undefined : (i) => scope(variables[i] as EncodedVariable))
    .map((r) => [r.index, r]))
  variables.forEach((v, index) => {
    const repeat = repeats.get(index)
    checkVariable(v, repeat && { earlier: variables[repeat.earlier] as EncodedVariable, sameCase: repeat.sameCase },
      rules, plain, here, gathered)
  })
  return gathered
}

/** The earlier definition whose name a variable repeats, and whether in the same case. */
interface Repeated {
  earlier: { variable: string; line: number }
  sameCase: boolean
}

/** One variable, by the rules every kind of file shares; `repeat`: the earlier definition its name repeats. */
function checkVariable(v: EncodedVariable, repeat: Repeated | undefined, rules: Rules,
  plain: PlainFile | undefined, here: Here, gathered: Gathered): void {
  const variable = v.variable
  if (!isEnvName(variable)) {
    // Perhaps a key that swallowed its value: never printed whole, and nothing else is said of it.
    here('invalid-name', 'error', v.line, displayName(variable),
      `${displayName(variable)} has characters other than letters, digits, _, . and -, which Kubernetes rejects in a ` +
      'Secret key and a .env file cannot hold as a name: rename it')
    return
  }
  if (!variable.startsWith(SECRET_PREFIX)) {
    if (hasPrefixInAnyCase(variable)) {
      here('prefix-case', 'error', v.line, displayName(variable),
        `${displayName(variable)} is not read by Kestra, whose prefix ${SECRET_PREFIX} is case-sensitive: ` +
        `write ${displayName(SECRET_PREFIX + variable.slice(SECRET_PREFIX.length))}`)
    } else {
      // JAVA_OPTS, KESTRA_CONFIGURATION and the like: Kestra's container needs them as they are.
      // A line of base64 on its own reads as a name: displayName never shows one whole.
      here('not-prefixed', 'note', v.line, displayName(variable),
        `${displayName(variable)} does not start with ${SECRET_PREFIX}, so Kestra reads it as an ordinary variable, not as a secret`)
    }
    return
  }
  if (variable === SECRET_PREFIX) {
    here('empty-name', 'error', v.line, displayName(variable),
      `${displayName(variable)} has no name after the prefix (the shell loop makes these from blank lines): remove the line`)
    return
  }
  const name = secretName(variable) as string
  gathered.secrets.push({ variable, name, line: v.line })

  const first = repeat?.earlier
  if (repeat?.sameCase === true) {
    here('duplicate', 'error', v.line, displayName(variable),
      `${displayName(variable)} is already defined on line ${first?.line}: ${rules.duplicate}: remove one`)
  } else if (first !== undefined) {
    here('case-collision', 'error', v.line, displayName(variable),
      `${displayName(variable)} and ${displayName(first.variable)} (line ${first.line}) are one secret to Kestra, which ` +
      'upper-cases names: at start-up it logs both values in an error and keeps only one: rename one')
  }
  if (isIgnoredSecret(variable)) {
    // Kestra reads it, but dotenv parses into an object, where the name __proto__ sets nothing:
    // encode leaves it out of what it writes, and decode out of the .env.
    here('ignored-name', 'warning', v.line, displayName(variable),
      `dotenv ignores the name __proto__, so ${displayName(variable)} cannot come from a .env or be decoded into one: rename it`)
  }
  if (rules.shellNames && hasShellUnsafeCharacters(variable)) {
    here('name-not-portable', 'warning', v.line, displayName(variable), shellUnsafeMessage(variable))
  }
  rules.form?.(v)
  const value = checkValue(v, rules.place, plain?.get(name)?.value, here)
  if (value !== undefined) gathered.decoded?.set(v, value)
}

/** A secret whose name after the prefix dotenv ignores (`SECRET___proto__`): no .env can hold it. */
function isIgnoredSecret(variable: string): boolean {
  return isSecret(variable) && isIgnoredName(variable.slice(SECRET_PREFIX.length))
}

/**
 * What kubectl's `--from-env-file` (which keeps every character after the first `=`) and docker
 * compose need: `SECRET_NAME=base64`, nothing around or after it.
 */
function checkForm(item: EncodedItem, here: Here): void {
  const e = item.entry
  const variable = e.key
  if (e.exported) {
    here('export-prefix', 'error', e.line, displayName(variable),
      `${displayName(variable)} is written with \`export\`, which kubectl rejects as part of the name: remove it`)
  }
  if (e.bomBeforeName) {
    // Only a byte-order mark that starts the file is dropped by the readers.
    here('entry-form', 'error', e.line, displayName(variable),
      `${displayName(variable)} has a byte-order mark (U+FEFF) before its name, which kubectl keeps in the name: remove it`)
  } else if (e.separator !== '=') {
    here('entry-form', 'error', e.line, displayName(variable), e.separator === ':'
      ? `${displayName(variable)} uses the NAME: value form, which kubectl does not read: write ${displayName(variable)}=value`
      : `${displayName(variable)} has spaces around =, which kubectl keeps in the name: write ${displayName(variable)}=value`)
  } else if (e.spaceBefore) {
    here('entry-form', 'error', e.line, displayName(variable),
      `the value of ${displayName(variable)} starts with white space, which kubectl keeps and Kestra cannot decode: remove it`)
  } else if (e.opening === undefined && e.comment === undefined && e.spaceAfter) {
    here('entry-form', 'error', e.line, displayName(variable),
      `the value of ${displayName(variable)} ends with white space, which kubectl keeps and Kestra cannot decode: remove it`)
  }
  if (e.opening !== undefined) {
    here('quoted-value', 'error', e.line, displayName(variable),
      `the value of ${displayName(variable)} is in quotes, which kubectl keeps, so Kestra cannot decode it: remove the quotes`)
  }
  if (e.comment !== undefined) {
    here('inline-comment', 'error', e.line, displayName(variable),
      `${displayName(variable)} has a # comment after its value, which kubectl (and docker compose, without a ` +
      'space before #) keep in the value: move the comment to its own line')
  }
}

/**
 * `kubectl create secret generic --from-env-file` reads the file by rules of its own (contract
 * §3): a line it rejects loses every secret of the file, and at a line of 64 KiB it stops without
 * a word. Reported only where the line has no error already; never the line's text.
 */
function checkKubectl(text: string, findings: readonly Finding[], here: Here): void {
  const kubectl = readKubectlEnvFile(text, { entries: false })
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
  here('wrapped-value', 'error', item.entry.line, displayName(item.entry.key),
    `the value of ${displayName(item.entry.key)} is wrapped over ${item.continuation.lines + 1} lines (as the base64 ` +
    'command does at 76 columns): docker compose and kubectl read only the first line, so Kestra ' +
    'gets a cut-off secret, and the rest becomes a separate entry: put the value on one line (base64 -w0)')
}

/**
 * Decodes the value as Kestra will and reports what would not arrive intact. A value equal to the
 * plain file's (`written`) is what the user wrote: none of the guesses about its text apply.
 */
function checkValue(v: EncodedVariable, place: string, written: string | undefined, here: Here): string | undefined {
  const variable = v.variable
  const decoded = readKestraValue(v.encoded)
  if (!decoded.ok) {
    const why = undecodable(v.encoded, displayName(variable), decoded.problem, place)
    here(why.code, 'error', v.line, displayName(variable), why.message + encodingHint(v))
    return undefined
  }
  if (!decoded.utf8) {
    here('not-utf8', 'error', v.line, displayName(variable),
      `the value of ${displayName(variable)} decodes to bytes that are not UTF-8 text, which Kestra turns into ` +
      'U+FFFD: was it ever encoded? (plain words such as passwords can happen to be valid base64)' + encodingHint(v))
    return undefined
  }
  const text = decoded.text
  if (text === written) return text
  if (!isPrintableText(text)) {
    here('not-printable', 'warning', v.line, displayName(variable),
      `the value of ${displayName(variable)} decodes to text with control characters: it looks as if it was ` +
      'never encoded (plain words can happen to be valid base64), or was encoded twice')
  }
  if (text.length >= 2 && QUOTES.has(text.charCodeAt(0)) && text.charCodeAt(text.length - 1) === text.charCodeAt(0)) {
    here('decoded-quoted', 'warning', v.line, displayName(variable),
      `the value of ${displayName(variable)} decodes to text in quotes, and Kestra keeps them: were the quotes ` +
      'of the .env encoded with it (as the shell loop in the docs does)?')
  }
  if (/\s#/.test(text)) {
    here('decoded-comment', 'warning', v.line, displayName(variable),
      `the value of ${displayName(variable)} decodes to text with " #" in it: was an inline comment of the .env ` +
      'encoded with it (as the shell loop in the docs does)?')
  }
  checkLastLineBreak(v, text, here)
  return text
}

/**
 * A value of one line that ends with a line break: `echo admin | base64` (the published Kubernetes
 * example), which Kestra reads as `admin` and a line break. A value of several lines that ends
 * with one (a PEM key) is as meant. A carriage return comes from a file with CRLF line ends.
 */
function checkLastLineBreak(v: EncodedVariable, text: string, here: Here): void {
  const variable = v.variable
  if (text.endsWith('\r') || text.endsWith('\r\n')) {
    here('trailing-newline', 'error', v.line, displayName(variable),
      `the value of ${displayName(variable)} decodes to text that ends with a carriage return, which Kestra keeps: it was ` +
      'encoded from a file with Windows (CRLF) line ends: save it with LF line ends and encode it again')
    return
  }
  const body = text.endsWith('\n') ? text.slice(0, -1) : undefined
  if (body === undefined || /[\n\r]/.test(body)) return
  here('trailing-newline', 'error', v.line, displayName(variable),
    `the value of ${displayName(variable)} decodes to text that ends with a line break, which Kestra keeps: it was ` +
    'encoded with `echo ... | base64`: encode it with `echo -n` or `printf %s` instead')
}

/**
 * The secrets flows may use, by the name Kestra gives them, with the value a flow's `subkey=`
 * reads; a name defined twice has no value (which one Kestra keeps is not known).
 */
function definedSecrets(inputs: readonly ReadInput[]): Map<string, DefinedSecret> {
  const defined = new Map<string, DefinedSecret>()
  for (const { name: fileName, external } of inputs) {
    for (const e of external) {
      const name = secretName(e.variable)
      if (name !== undefined) defined.set(name, { name, variable: e.variable, file: fileName, line: e.line })
    }
  }
  for (const { name: fileName, variables, decoded } of inputs) for (const v of variables) {
    const name = secretName(v.variable)
    if (name === undefined) continue
    const earlier = defined.get(name)
    if (earlier !== undefined) {
      delete earlier.value
      continue
    }
    const value = decoded.get(v)
    defined.set(name, { name, variable: v.variable, file: fileName, line: v.line, ...(value !== undefined && { value }) })
  }
  return defined
}

/** The plain file's entries, by the name Kestra gives them (dotenv keeps the last definition). */
type PlainFile = Map<string, { key: string; value: string; line: number }>

/** The plain file's entries; undefined, with its error, for a text no .env file gives (nothing is compared then). */
function readPlain(against: CheckFile, options: CheckOptions, report: Report): PlainFile | undefined {
  const unreadable = unreadableText(against.text, 'a .env file')
  if (unreadable !== undefined) {
    report(against.name, unreadable.code, unreadable.severity, unreadable.line, undefined, unreadable.message)
    return undefined
  }
  const plain: PlainFile = new Map()
  const read: Entry[] = []
  scanEntries(normaliseLineEnds(against.text), (e) => read.push(e))
  const values = options.expand
    ? expandValues(read.map(expandable), options.env ?? {}, (...finding) => report(against.name, ...finding))
    : read.map((e) => e.value)
  read.forEach((e, i) => {
    if (!isIgnoredName(e.key)) plain.set(e.key.toUpperCase(), { key: e.key, value: values[i] as string, line: e.line })
  })
  return plain
}

/** The inputs must hold exactly the plain file's secrets, with the same values. */
function compareWith(against: CheckFile, plain: PlainFile, inputs: readonly ReadInput[], report: Report): void {
  const encoded = new Map<string, { v: EncodedVariable; input: ReadInput }>()
  for (const input of inputs) {
    for (const v of input.variables) {
      const name = secretName(v.variable)
      if (name !== undefined) encoded.set(name, { v, input })
    }
  }
  const where = inputs.map((r) => r.name).join(' and ')
  const external = new Set(inputs.flatMap((r) => r.external.map((e) => secretName(e.variable))))
  for (const [upper, p] of plain) {
    const found = encoded.get(upper)
    const variable = SECRET_PREFIX + p.key
    if (found === undefined && external.has(upper)) continue
    if (found === undefined) {
      report(against.name, 'missing-secret', 'error', p.line, displayName(p.key),
        `${displayName(p.key)} is not in ${where} (no ${displayName(variable)}): encode ${against.name} again`)
      continue
    }
    const { v, input } = found
    if (v.variable !== variable) {
      report(input.name, 'name-case-differs', 'warning', v.line, displayName(v.variable),
        `${displayName(v.variable)} is ${displayName(p.key)} in ${against.name} (line ${p.line}): Kestra reads them as one ` +
        'name, but the cases differ')
    }
    const text = input.decoded.get(v)
    if (text !== undefined && text !== p.value) {
      report(input.name, 'stale-secret', 'error', v.line, displayName(v.variable),
        `${displayName(v.variable)} holds a different value than ${displayName(p.key)} in ${against.name} (line ${p.line}): ` +
        `encode ${against.name} again`)
    }
  }
  for (const [upper, { v, input }] of encoded) {
    // SECRET___proto__ has its ignored-name warning: no .env can hold it, so "add it" cannot help.
    if (!plain.has(upper) && !isIgnoredSecret(v.variable)) {
      report(input.name, 'extra-secret', 'error', v.line, displayName(v.variable),
        `${displayName(v.variable)} is not in ${against.name}: remove it, or add it to ${against.name} and encode again`)
    }
  }
}

/**
 * The environment a values file's list reaches: each deployment's own list, and in chart 1.0 and
 * later common.extraEnv, which the chart adds to every deployment's (see sameEnvironment).
 */
function environmentOf(format: DocumentFormat, list: string | undefined): Scope {
  return { scope: list ?? '', everywhere: format === 'helm' && list === 'common.extraEnv' }
}

/** A name that two inputs of one deployment define: which value a container gets depends on how it mounts them. */
function checkAcrossInputs(variables: ReadonlyArray<{ v: EncodedVariable; file: string }>, report: Report): void {
  const first = new Map<string, { v: EncodedVariable; file: string }>()
  for (const entry of variables) {
    const name = secretName(entry.v.variable)
    if (name === undefined) continue
    const earlier = first.get(name)
    if (earlier === undefined) {
      first.set(name, entry)
    } else if (earlier.file !== entry.file) {
      report(entry.file, 'defined-twice', 'error', entry.v.line, displayName(entry.v.variable),
        `${displayName(entry.v.variable)} is also defined in ${earlier.file} (line ${earlier.v.line})` +
        `${earlier.v.variable === entry.v.variable ? '' : `, as ${displayName(earlier.v.variable)}`}: ` +
        'Kestra would get one of them: keep it in one input')
    }
  }
}
