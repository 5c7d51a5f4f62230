/**
 * `${VAR}` and `$VAR` in values. dotenv keeps them literally, while docker compose and dotenvx
 * expand them, so a secret may hold `postgres://${HOST}/db` without anyone meaning it to.
 *
 * The references are those of dotenv-expand 12: `${NAME}`, `${NAME:-default}`, `${NAME-default}`,
 * `${NAME:+alternate}`, `${NAME+alternate}` and `$NAME`, not after a backslash; `\$` is a literal
 * `$`. A default applies when the name is unset or empty. `$(...)` is never a reference: nothing
 * runs a command. Where this differs from dotenv-expand 12, on purpose:
 * - single-quoted values are left as they are (as dotenvx and compose do);
 * - a name is looked up among the file's earlier entries first, then in the given environment
 *   (dotenv-expand lets the process environment win, and even replace a value the file defines);
 * - the text substituted is inserted as it is and not expanded again, so expansion is one pass
 *   over each value (dotenv-expand scans the whole value again after every substitution, and
 *   inserts through String.replace, which reads `$$` and `$&` in the inserted text as patterns);
 * - a file's expansion inserts at most MAX_EXPANSION characters in all (dotenv-expand has no
 *   bound: a few lines that double each other exhaust the memory).
 */
import type { Report } from './diagnostics.js'
import { isIgnoredName, type Entry } from './scan.js'
import { displayName } from './names.js'

// The expression of dotenv-expand 12.
const REFERENCE = /(?<!\\)\$\{([^{}]+)\}|(?<!\\)\$([A-Za-z_][A-Za-z0-9_]*)/g
const OPERATOR = /:\+|\+|:-|-/

/** The names a value refers to, in order (the part of `${...}` before any operator). */
export function referencedNames(value: string): string[] {
  if (!value.includes('$')) return []
  const names: string[] = []
  for (const m of value.matchAll(REFERENCE)) names.push(nameOf(m))
  return names
}

function nameOf(m: RegExpMatchArray): string {
  const braced = m[1]
  if (braced === undefined) return m[2] as string
  const op = OPERATOR.exec(braced)
  return op === null ? braced : braced.slice(0, op.index)
}

/** A value to expand: an entry's, or a decoded one (which has no quotes). */
export interface Expandable {
  key: string
  value: string
  line: number
  /** A single-quoted value, which is left as it is. */
  literal: boolean
}

/** An entry of a .env file, to expand: single-quoted values are literal. */
export function expandable(e: Entry): Expandable {
  return { key: e.key, value: e.value, line: e.line, literal: e.opening === "'" && e.quoteState === 'closed' }
}

/**
 * How much text expansion may insert into the values of one file, in all: far more than any real
 * file needs (a certificate referenced a few times), and a bound on references that double at
 * each step (`A1=${A0}${A0}`, `A2=${A1}${A1}`, ...), where 26 lines of 400 bytes would make a
 * gigabyte. Past it, a value is kept as written, with an error.
 */
export const MAX_EXPANSION = 16 * 1024 * 1024

/**
 * The expansion of one file's values, in order: each value's references are looked up among the
 * values before it, as they were expanded, then in `env`. A name found in neither is a warning: it
 * expands to the empty string. Messages show a referenced name only when it is the name of an
 * entry (`defined`) or of a variable of `env`: other text after a `$` may be part of a secret
 * (`pa$word`).
 *
 * A name defined more than once is expanded as dotenv-expand expands it, in the object dotenv
 * returns: once, at its first definition (where that object has the key), with the text of the
 * definition dotenv keeps, its last (`kept`, see keptDefinitions). So `A=1`, `B=$A`, `A=2` gives
 * B the value 2.
 */
export class Expander {
  private readonly known = new Map<string, string>()
  /** What may still be inserted (see MAX_EXPANSION). */
  private left = MAX_EXPANSION

  constructor(private readonly env: Readonly<Record<string, string | undefined>>, private readonly defined: ReadonlySet<string>,
    private readonly kept: ReadonlyMap<string, Expandable> = new Map()) {}

  /**
   * The value the definition `e` stands for, expanded, which later values see as the value of its
   * name: the name's value as dotenv keeps it, expanded at its first definition.
   */
  expand(e: Expandable, report: Report): string {
    const last = this.kept.get(e.key)
    const done = last === undefined ? undefined : this.known.get(e.key)
    if (done !== undefined) return done
    const definition = last ?? e
    const value = definition.literal ? definition.value : this.expanded(definition, report, e.line)
    this.known.set(e.key, value)
    return value
  }

  private fromEnv(name: string): string | undefined {
    return environmentVariable(this.env, name)
  }

  /** `e`'s value expanded where the definition on line `at` stands (its own line, or its name's first definition). */
  private expanded(e: Expandable, report: Report, at: number): string {
    const value = e.value
    if (!value.includes('$')) return value
    const lookUp = (name: string): string | undefined => this.known.get(name) ?? this.fromEnv(name)
    // What this value inserts, charged only when it is expanded.
    let inserted = 0
    const expanded = value.replace(REFERENCE, (...m: string[]) => {
      const braced = m[1]
      const name = nameOf(m as unknown as RegExpMatchArray)
      const found = lookUp(name)
      const op = braced === undefined ? undefined : OPERATOR.exec(braced)?.[0]
      let text: string
      if (op !== undefined) {
        const rest = (braced as string).slice(name.length + op.length)
        text = op === ':+' || op === '+' ? (found ? rest : '') : found ? found : rest
      } else if (found === undefined) {
        const shown = this.defined.has(name) || this.fromEnv(name) !== undefined ? ` ${displayName(name)}` : ''
        const before = at === e.line ? 'an earlier entry'
          : `an entry before line ${at} (the first definition of ${displayName(e.key)}, where dotenv-expand expands it)`
        report('unresolved-reference', 'warning', e.line, displayName(e.key),
          `the value of ${displayName(e.key)} refers to${shown === '' ? ' a name' : shown} that neither ${before} nor the ` +
          'environment defines: it is expanded to nothing')
        text = ''
      } else {
        text = found
      }
      inserted += text.length
      return inserted > this.left ? '' : text
    })
    if (inserted > this.left) {
      report('expansion-limit', 'error', e.line, displayName(e.key),
        `expanding the references in the value of ${displayName(e.key)} would insert more than ${MAX_EXPANSION / 1024 / 1024} MiB ` +
        'of text into the values of this file (references that repeat each other?): it is not expanded')
      return value
    }
    this.left -= inserted
    return expanded.replace(/\\\$/g, '$')
  }
}

/**
 * The definition dotenv keeps (the last) of each name among `entries` that is defined more than
 * once, `__proto__` aside (dotenv keeps none of it): what an Expander expands at the first.
 */
export function keptDefinitions(entries: Iterable<Expandable>): Map<string, Expandable> {
  const last = new Map<string, Expandable>()
  const repeated = new Set<string>()
  for (const e of entries) {
    if (isIgnoredName(e.key)) continue
    if (last.has(e.key)) repeated.add(e.key)
    last.set(e.key, e)
  }
  return new Map([...repeated].map((key) => [key, last.get(key) as Expandable]))
}

/**
 * Every entry's value expanded (see Expander): for each definition, the value of its name as
 * dotenv keeps it; `__proto__`, which dotenv drops, as written.
 */
export function expandValues(entries: readonly Expandable[], env: Readonly<Record<string, string | undefined>>,
  report: Report): string[] {
  const expander = new Expander(env, new Set(entries.map((e) => e.key)), keptDefinitions(entries))
  return entries.map((e) => (isIgnoredName(e.key) ? e.value : expander.expand(e, report)))
}

/**
 * A variable of the environment: its own, never what an object inherits (`constructor`,
 * `toString`, `__proto__`), which would make the text after a `$` in a value a variable.
 */
export function environmentVariable(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  return Object.hasOwn(env, name) ? env[name] : undefined
}

/**
 * The message of the warning about references kept as they are (without expansion), or undefined
 * when the value has none.
 */
export function referenceMessage(e: Expandable, definedElsewhere: (name: string) => boolean): string | undefined {
  if (e.literal) return undefined
  const names = referencedNames(e.value)
  if (names.length === 0) return undefined
  const shown = names.filter(definedElsewhere)
  return `the value of ${displayName(e.key)} holds ${shown.length === 0 ? 'a $ reference' : `a reference to ${[...new Set(shown.map(displayName))].join(', ')}`}, ` +
    'which dotenv keeps as it is while docker compose and dotenvx expand it: Kestra gets the text as written'
}
