// Shared by the formats tests: an independent reading of each format (the yaml library and
// JSON.parse only, not our readFormatted), so that a test fails when the writer and our reader are
// wrong in the same way.

import assert from 'node:assert/strict'
import { join } from 'node:path'
import fc from 'fast-check'
import * as yaml from 'yaml'
import { ROOT } from '../../helpers.js'
import type { EncodedEntry } from '../../../src/core/encode.js'
import type { Format } from '../../../src/core/formats/index.js'

export { yaml }

/** test/fixtures/formats. */
export function formatsFixturesDir(): string {
  return join(ROOT, 'test', 'fixtures', 'formats')
}

/** [variable, text Kestra receives] pairs, in output order. */
export type Pairs = [string, string][]

export function expectedPairs(entries: readonly EncodedEntry[]): Pairs {
  return entries.map((e) => [e.variable, e.encoded])
}

const base64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64')
const unbase64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8')

/**
 * Parses an output with the yaml library (as YAML 1.2 and as YAML 1.1, the way Helm and kubectl
 * read it) or JSON.parse, asserts that it is clean and of the expected shape, and returns what
 * Kestra would receive.
 */
export function readBack(format: Exclude<Format, 'env'>, text: string): Pairs {
  if (format === 'json') {
    const object = JSON.parse(text) as Record<string, unknown>
    assert.equal(typeof object, 'object')
    return Object.entries(object).map(([k, v]) => {
      assert.equal(typeof v, 'string', `${k} is a string`)
      return [k, v as string]
    })
  }
  // Helm and kubectl read YAML with go-yaml, which refuses characters outside YAML's printable set
  // and also ends a line (so a comment) at NEL, LS and PS.
  const forbidden = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]|\r(?!\n)/u.exec(text)
  assert.equal(forbidden, null, `U+${forbidden?.[0].codePointAt(0)?.toString(16)} in the YAML`)
  let result: Pairs | undefined
  for (const version of ['1.2', '1.1'] as const) {
    const doc = yaml.parseDocument(text, { version, uniqueKeys: true })
    assert.deepEqual(doc.errors.map((e) => e.code), [], `YAML ${version} errors`)
    assert.deepEqual(doc.warnings.map((e) => e.code), [], `YAML ${version} warnings`)
    const js = doc.toJS() as Record<string, unknown>
    let pairs: Pairs
    if (format === 'k8s-secret') {
      assert.equal(js.apiVersion, 'v1')
      assert.equal(js.kind, 'Secret')
      assert.equal(js.type, 'Opaque')
      const metadata = js.metadata as Record<string, unknown>
      assert.equal(typeof metadata.name, 'string')
      const data = js.data as Record<string, unknown>
      pairs = Object.entries(data).map(([k, v]) => {
        assert.equal(typeof v, 'string', `${k} is a string`)
        const once = unbase64(v as string)
        assert.equal(base64(once), v, `the data of ${k} is canonical base64`)
        return [k, once]
      })
    } else {
      const list = format === 'helm' ? (js.common as Record<string, unknown>).extraEnv : js.extraEnv
      if (format === 'helm') assert.deepEqual(Object.keys(js), ['common'])
      if (format === 'helm-legacy') assert.deepEqual(Object.keys(js), ['extraEnv'])
      assert.ok(Array.isArray(list), 'extraEnv is a list')
      pairs = (list as Record<string, unknown>[]).map((item) => {
        assert.deepEqual(Object.keys(item), ['name', 'value'])
        assert.equal(typeof item.name, 'string')
        assert.equal(typeof item.value, 'string')
        return [item.name as string, item.value as string]
      })
    }
    if (result !== undefined) assert.deepEqual(pairs, result, 'YAML 1.1 and 1.2 read the same')
    result = pairs
  }
  return result as Pairs
}

/**
 * The values are double-quoted scalars whatever they hold: each `value` of a helm list, and in a
 * Secret every data value and the metadata (a name such as `yes` is a boolean to YAML 1.1).
 */
export function assertValuesQuoted(format: Exclude<Format, 'env'>, text: string): void {
  if (format === 'json') return
  const doc = yaml.parseDocument(text)
  const quotedScalars: unknown[] = []
  if (format === 'k8s-secret') {
    for (const field of ['data', 'metadata']) {
      const map = doc.get(field, true)
      if (yaml.isMap(map)) for (const pair of map.items) quotedScalars.push(pair.value)
    }
  } else {
    const list = format === 'helm' ? doc.getIn(['common', 'extraEnv'], true) : doc.get('extraEnv', true)
    if (yaml.isSeq(list)) for (const item of list.items) if (yaml.isMap(item)) quotedScalars.push(item.get('value', true))
  }
  for (const node of quotedScalars) {
    assert.ok(yaml.isScalar(node))
    assert.equal(node.type, 'QUOTE_DOUBLE')
  }
}

// ---------------------------------------------------------------------------------------------
// Generated .env documents, aimed at what the formats add: names and, above all, comments with
// any text (YAML indicators, control characters, line separators, non-ASCII) in any place.
// ---------------------------------------------------------------------------------------------

const COMMENT_PIECES = [
  'a', 'note', ' ', '  ', '\t', ':', ': ', '- ', '---', '...', '#', '{', '}', '[', ']', '&a', '*a', '!tag',
  '|', '>', '%YAML', '@', '`', '"', "'", '\\', 'é', '😀', '中文', '\u00a0', '\u2028', '\u2029', '\u0085',
  '\ufeff', '\x01', '\x1b[31m', '\x7f', '\x9b', '\ufffe', 'SECRET_X=abc', 'KEY=value', 'value: "x"',
]
const VALUE_PIECES = ['a', 'b', 'hello', ' ', '=', '#', ' # ', '$', '"', "'", '\\n', 'é', '😀', '\u2028', ':']

const pieces = (list: readonly string[], max: number): fc.Arbitrary<string> =>
  fc.array(fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...list) },
    // Any code point, but line breaks and NUL, which make other lines or a binary file.
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 3 }).map((s) => s.replace(/[\n\r\0]/g, ' ')) },
  ), { maxLength: max }).map((a) => a.join(''))

const commentLine = fc.tuple(fc.constantFrom('', '', ' ', '  ', '\t'), fc.constantFrom('#', '# ', '##'), pieces(COMMENT_PIECES, 6))
  .map(([indent, hash, body]) => indent + hash + body)

const valueText = fc.oneof(
  // Unquoted: dotenv stops at `#` and trims; keep the text plain.
  pieces(VALUE_PIECES, 5).map((v) => v.replace(/[#"'`\u2028]/g, 'x').trim()),
  pieces(VALUE_PIECES, 5).map((v) => `"${v.replace(/"/g, "'")}"`),
  pieces([...VALUE_PIECES, '\n'], 5).map((v) => `'${v.replace(/'/g, '"')}'`),
)

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,12}$/

/** A .env document (text) whose entries have distinct names, even ignoring case. */
export const envDocument: fc.Arbitrary<string> = fc
  .tuple(
    fc.uniqueArray(fc.stringMatching(NAME), { selector: (n) => n.toUpperCase(), maxLength: 8 }),
    fc.infiniteStream(fc.tuple(
      fc.array(fc.oneof({ weight: 3, arbitrary: commentLine }, { weight: 1, arbitrary: fc.constant('') }), { maxLength: 3 }),
      valueText,
      fc.option(pieces(COMMENT_PIECES, 3), { freq: 3 }),
      fc.constantFrom('', '', 'export '),
    )),
    fc.array(fc.oneof(commentLine, fc.constant('')), { maxLength: 3 }),
    fc.constantFrom('\n', '\r\n'),
    fc.boolean(),
  )
  .map(([names, parts, tail, eol, finalEol]) => {
    const lines: string[] = []
    const stream = parts[Symbol.iterator]()
    for (const name of names) {
      const [before, value, inline, prefix] = stream.next().value as [string[], string, string | null, string]
      lines.push(...before, `${prefix}${name}=${value}${inline === null ? '' : ` # ${inline}`}`)
    }
    lines.push(...tail)
    return lines.join(eol) + (finalEol ? eol : '')
  })
