// The fast path of encode (src/core/plain.ts) against encodeEnv, the reference it must equal: same
// bytes, same diagnostics, same count, same findings of checkLimits. Wherever encodePlain answers,
// it must answer what encodeEnv answers; and on the files its documentation calls plain, it must
// answer at all (else the fast path silently stops being taken).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { MAX_SHOWN_PER_CODE } from '../src/cli/report.js'
import { encodeEnv } from '../src/core/encode.js'
import { checkLimits } from '../src/core/formats/limits.js'
import { encodePlain } from '../src/core/plain.js'
import { ROOT, runCli, withTempDir } from './helpers.js'

/** Asserts that encodePlain declines `text` or gives exactly what encodeEnv gives. */
function agrees(text: string): boolean {
  const plain = encodePlain(Buffer.from(text, 'utf8'))
  if (plain === undefined) return false
  const full = encodeEnv(text)
  const where = JSON.stringify(text.length > 300 ? text.slice(0, 300) + '…' : text)
  assert.ok(full.ok, `encodePlain answered where encodeEnv fails: ${where}`)
  assert.equal(plain.bytes.toString('utf8'), full.text, where)
  assert.ok(Buffer.from(full.text, 'utf8').equals(plain.bytes), where)
  assert.deepEqual(plain.diagnostics, full.diagnostics, where)
  assert.equal(plain.count, full.entries.length, where)
  assert.deepEqual(checkLimits('env', plain.long), checkLimits('env', full.entries), where)
  return true
}

// Pieces of .env text: mostly plain lines, and everything that makes a file not plain.
const quote = fc.constantFrom('"', "'", '`')
const nameChar = fc.constantFrom(...'ABCXYZabcxyz019_')
const name = fc.string({ unit: nameChar, minLength: 1, maxLength: 6 })
const valueChar = fc.oneof(
  { weight: 30, arbitrary: fc.constantFrom('a', 'Z', '0', '=', '/', '+', '-', '.', ':', '@', '$', '{', '}', '\\', 'é', '€', '😀') },
  { weight: 1, arbitrary: fc.constantFrom(' ', '\t', '"', "'", '`', '#', '\u00a0', '\u2028', '\u2029', '\uFEFF', '\u3000', '\v', '\f', '\r') },
  // What decides whether a quote is closed: a backslash before it, and what follows it.
  { weight: 1, arbitrary: fc.constantFrom('\\"', "\\'", '\\`', '\\n', ' "', '"#', '" ', "'x", '"\n') },
)
const value = fc.string({ unit: valueChar, maxLength: 12 })
const space = fc.string({ unit: fc.constantFrom(' ', '\t', '\v', '\f', ' ', ' ', '\u00a0', '\uFEFF'), maxLength: 3 })
const line = fc.oneof(
  { weight: 12, arbitrary: fc.tuple(name, value).map(([k, v]) => `${k}=${v}`) },
  { weight: 2, arbitrary: fc.tuple(space, value).map(([sp, v]) => `${sp}#${v}`) },
  { weight: 2, arbitrary: space },
  { weight: 1, arbitrary: fc.tuple(space, name, fc.constantFrom('=', ' =', ': ', ':'), value).map(([sp, k, sep, v]) => `${sp}${k}${sep}${v}`) },
  { weight: 1, arbitrary: fc.tuple(name, value).map(([k, v]) => `export ${k}=${v}`) },
  { weight: 3, arbitrary: fc.tuple(name, quote, value).map(([k, q, v]) => `${k}=${q}${v}`) },
  { weight: 3, arbitrary: fc.tuple(name, quote, value, space).map(([k, q, v, sp]) => `${k}=${q}${v}${q}${sp}`) },
  { weight: 1, arbitrary: fc.constantFrom('SECRET_A=1', 'secret_b=2', '__proto__=x', 'A.B=1', 'A-B=1', 'BARE', 'K="multi\nline"', "K='q'") },
)
const document = fc.tuple(
  fc.array(line, { maxLength: 12 }),
  fc.constantFrom('\n', '\n', '\n', '\r\n', '\r\n', '\r'),
  fc.boolean(),
  fc.constantFrom('', '', '', '', '', '', '', '', '', '\uFEFF'),
).map(([lines, eol, last, bom]) => bom + lines.join(eol) + (last ? eol : ''))

test('wherever encodePlain answers, it answers what encodeEnv does (20,000 documents)', () => {
  let answered = 0
  let declined = 0
  fc.assert(fc.property(document, (text) => {
    if (agrees(text)) answered++
    else declined++
  }), { numRuns: 20_000, seed: Number(process.env.FC_SEED ?? Date.now() % 2 ** 31) })
  // Both ways are exercised: a generator that never reaches the fast path would prove nothing.
  assert.ok(answered > 2_000, `fast path taken ${answered} times`)
  assert.ok(declined > 2_000, `fast path declined ${declined} times`)
})

// Files that are plain by the definition in src/core/plain.ts.
const plainValue = fc.oneof(
  fc.constant(''),
  fc.tuple(
    fc.constantFrom('a', 'Z', '0', '=', '/', '+', '-', '.', '\\', '$', '{', '}', '@'),
    fc.string({ unit: fc.constantFrom('a', ' ', '\t', '"', "'", '`', '\\', '=', 'é', '€', '😀', '\u00a0', '\u3000'), maxLength: 10 }),
    fc.constantFrom('a', 'Z', '9', '"', "'", '`', '\\', '=', '}'),
  ).map(([first, middle, last]) => first + middle + last),
)
// Quoted on their line: no quote of the kind inside, no backslash inside double quotes or before
// the closing quote, only space after it.
const closedValue = fc.tuple(quote,
  fc.string({ unit: fc.constantFrom('a', ' ', '#', '=', 'é', '😀', '\\', '"', "'", '`', '\u00a0', '\t'), maxLength: 8 }),
  fc.constantFrom('', ' ', '\t'),
).map(([q, inner, sp]) => {
  let text = inner.split(q).join('')
  if (q === '"') text = text.split('\\').join('')
  if (text.endsWith('\\')) text += 'a'
  return `${q}${text}${q}${sp}`
})
// An opening quote with no quote of its kind after it on the line, and the rest as a plain unquoted
// value (no backslash after a double quote); plainDocument keeps those that no later quote closes.
const unclosedValue = fc.tuple(quote,
  fc.string({ unit: fc.constantFrom('a', ' ', '=', 'é', '😀', '\\', '"', "'", '`', '\u00a0'), maxLength: 8 }),
  fc.constantFrom('', 'a', 'Z', '=', '}', '\\', '"', "'", '`'),
).map(([q, middle, last]) => {
  let rest = (middle + last).split(q).join('')
  if (q === '"') rest = rest.split('\\').join('')
  return q + (rest === '' || /[!-~]$/.test(rest) ? rest : rest + 'x')
})
/** Whether a quote that opens a value and is not closed on its line is closed by the next one. */
function closedLater(text: string): boolean {
  for (const m of text.matchAll(/^\w+=(["'`])(.*)$/gm)) {
    const q = m[1] as string
    if ((m[2] as string).includes(q)) continue
    const at = (m.index as number) + m[0].indexOf('=') + 1
    const next = text.indexOf(q, at + 1)
    if (next === -1) continue
    if (text[next - 1] === '\\' || !/^[!-~]$/.test(text[next + 1] ?? '') || text[next + 1] === '#') return true
  }
  return false
}
const plainLine = (index: number) => fc.oneof(
  { weight: 6, arbitrary: plainValue.map((v) => `K${index}=${v}`) },
  { weight: 2, arbitrary: closedValue.map((v) => `K${index}=${v}`) },
  { weight: 2, arbitrary: unclosedValue.map((v) => `K${index}=${v}`) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(' ', '\t', '\v', '\f'), maxLength: 3 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('', ' ', '\t'), fc.string({ unit: fc.constantFrom('a', ' ', '#', '=', 'é', '"'), maxLength: 8 }), fc.constantFrom('.', 'x'), fc.constantFrom('', ' ', '\t')).map(([i, t, e, sp]) => `${i}#${t}${e}${sp}`) },
)
const plainDocument = fc.tuple(fc.integer({ min: 0, max: 12 }), fc.constantFrom('\n', '\r\n'), fc.boolean())
  .chain(([n, eol, last]) => fc.tuple(...Array.from({ length: n }, (_, i) => plainLine(i))).map((lines) => ({ lines, eol, last })))
  // An empty value followed, past white space, by a quote would be read as that quoted value.
  .filter(({ lines }) => !lines.some((l, i) => /=$/.test(l) && /^\s*['"`]/.test(lines.slice(i + 1).join('\n'))))
  .map(({ lines, eol, last }) => lines.join(eol) + (last && lines.length > 0 ? eol : ''))
  .filter((text) => !closedLater(text))

test('every plain file takes the fast path, with the same output (5,000 documents)', () => {
  let unclosed = 0
  fc.assert(fc.property(plainDocument, (text) => {
    assert.ok(agrees(text), `not taken: ${JSON.stringify(text)}`)
    if (encodePlain(Buffer.from(text))?.diagnostics.some((d) => d.code === 'unterminated-quote')) unclosed++
  }), { numRuns: 5_000 })
  // The unclosed quotes are reached, not all filtered out.
  assert.ok(unclosed > 500, `${unclosed} documents with an unclosed quote`)
})

test('the fixtures and the examples: the fast path agrees wherever it answers', () => {
  const dirs = [join(ROOT, 'test', 'fixtures'), join(ROOT, 'test', 'fixtures', 'formats'), join(ROOT, 'examples')]
  let files = 0
  for (const dir of dirs) {
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.env'))) {
      agrees(readFileSync(join(dir, f), 'utf8'))
      files++
    }
  }
  assert.ok(files >= 20)
})

test('edge cases: what the fast path declines, and what it must take', () => {
  const declines = [
    'A=\n"x"\n', // an empty value: dotenv reads the quoted line below as its value
    'A=\n  \'x\'', 'A=1\rB=2\n', 'A=1\r', '\uFEFFA=1\n', 'A=1 # c\n', 'A=1#c\n', ' A=1\n', 'A =1\n', 'A= 1\n',
    'A=1 \n', 'A=x\u2028y\n', '# c\u2029d\n', '# c\u00a0\n', 'A=1\nA=2\n', 'a=1\nA=2\n', 'SECRET_A=1\n',
    'Secret_A=1\n', '__proto__=1\n', 'export A=1\n', 'A.B=1\n', 'A=1\nB\n', 'A=é\n', 'A=1\n\u00a0\n', 'A=1\0\n',
  ]
  // Quotes: text or a comment after the closing one, a backslash in double quotes or before a
  // quote, a quote closed on a later line (followed by space, a line end, `#`, or the end).
  declines.push('A="x"y\n', 'A="x" # c\n', 'A="x"#c\n', 'A="a\\nb"\n', 'A="a\\b\n', "A='a\\'\n", "A='a\\'b'\n",
    'A="x\nB=" y\n', 'A="x\nB="', 'A="x\nB="\n', 'A="x\nB="#\n', 'A="x\n#"\n', 'A="x # y\nB="z\n', 'A="x\nB=\\"y\n',
    'A="x \n', 'A="x\u00a0\n', 'A=`x\u2028`\n', 'A="x"\u00a0\n', "A=' x'\rB=1\n",
    // 16 bytes, so that the output (already begun) follows the input in the module's memory.
    'Q=12345\nA="x\nB="')
  for (const text of declines) assert.equal(encodePlain(Buffer.from(text, 'utf8')), undefined, JSON.stringify(text))
  const takes = [
    '', '\n', '   ', 'A=1', 'A=1\n   ', 'A=\n', 'A=\n\n# c\nB=2\n', '  # c  \t\r\nA=b c\r\n', 'A=xéy\n',
    'A=x"\n', 'SECRE=1\n', '_proto__=1\n', '__PROTO__=1\n', `A=${'x'.repeat(70_000)}\n`, '#\n#  \n',
    // Quoted on the line, and unclosed quotes (dotenv keeps the quote; a warning each).
    "A='x'\n", 'A="x"\n', 'A=``\n', 'A="" \t\r\n', "A='a\\nb' \n", 'A="a#b c"\n', 'A="é😀"', "A='x\"'\n",
    'A="\n', 'A="x', 'A="x\nB="y\n', "A='x\nB='y'\n", 'A="x\n# "quoted"\n', 'A=`x\r\nB="y"\r\n', "A='a\\b\n",
    `A="${'x'.repeat(70_000)}"\n`,
  ]
  for (const text of takes) assert.ok(agrees(text), JSON.stringify(text))
  assert.deepEqual(encodePlain(Buffer.from('A="x\nB=1\nC=\'y\n'))?.diagnostics.map((d) => [d.code, d.line, d.key]),
    [['unterminated-quote', 1, 'A'], ['unterminated-quote', 3, 'C']])
  // A long line is reported by checkLimits from the fast path's entries as from encodeEnv's.
  const long = encodePlain(Buffer.from(`A=1\nLONG=${'x'.repeat(70_000)}\n`))
  assert.equal(long?.long.length, 1)
  assert.equal(checkLimits('env', long?.long ?? [])[0]?.line, 2)
})

test('100,000 entries and their names: a name twice, in any case, anywhere, declines', () => {
  const lines = Array.from({ length: 100_000 }, (_, i) => `KEY_${i}=value${i}`)
  const text = lines.join('\n') + '\n'
  assert.ok(agrees(text))
  assert.equal(encodePlain(Buffer.from(`${text}key_99999=again\n`)), undefined)
  assert.equal(encodePlain(Buffer.from(`KEY_0=x\n${text}`)), undefined)
})

test('the CLI takes the fast path for a large plain file, and writes what encodeEnv writes', () => withTempDir((dir) => {
  const lines = Array.from({ length: 3_000 }, (_, i) => (i % 100 === 0 ? `# part ${i / 100}\n\n` : '') + `KEY_${i}=v@lue-${i}/${'x'.repeat(i % 7)}`)
  const text = lines.join('\r\n') + '\r\n'
  assert.ok(Buffer.byteLength(text) > 16 * 1024)
  assert.ok(encodePlain(Buffer.from(text)) !== undefined)
  writeFileSync(join(dir, '.env'), text)
  const r = runCli(['encode', '.env'], { cwd: dir })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stderr, 'encoded 3000 secrets from .env to .env_encoded\n')
  assert.equal(readFileSync(join(dir, '.env_encoded'), 'utf8'), encodeEnv(text).text)
  assert.equal(statSync(join(dir, '.env_encoded')).mode & 0o777, 0o600)
  const out = runCli(['encode', '.env', '--stdout'], { cwd: dir })
  assert.equal(out.stdout, encodeEnv(text).text)
}))

test('the CLI through the fast path with quotes: the output, warnings and exit code of encodeEnv', () => withTempDir((dir) => {
  // Quoted values, and every 50th line an unclosed quote (its next quote, a line below, is followed
  // by a letter): 60 warnings, of which 20 are printed.
  const lines = Array.from({ length: 3_000 }, (_, i) => {
    const q = ['"', "'", '`'][i % 3] as string
    return i % 50 === 7 ? `OPEN_${i}=${q}never closed ${i}` : `QUOTED_${i}=${q}v@lue #${i} ${'x'.repeat(i % 5)}${q}`
  })
  const text = lines.join('\n') + '\n'
  assert.ok(Buffer.byteLength(text) > 16 * 1024)
  const plain = encodePlain(Buffer.from(text))
  const full = encodeEnv(text)
  assert.ok(plain !== undefined)
  assert.equal(full.diagnostics.length, 60)
  writeFileSync(join(dir, '.env'), text)
  const r = runCli(['encode', '.env'], { cwd: dir })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(readFileSync(join(dir, '.env_encoded'), 'utf8'), full.text)
  const shown = full.diagnostics.slice(0, MAX_SHOWN_PER_CODE).map((d) => `.env:${d.line}: warning: ${d.message}`)
  assert.equal(r.stderr, [...shown, '.env: ... and 40 more like the above (unterminated-quote)',
    'encoded 3000 secrets from .env to .env_encoded (60 warnings)'].join('\n') + '\n')
  assert.match(r.stderr, /^\.env:8: warning: the value of OPEN_7 opens a quote that is never closed/)
  // With --strict the warnings are errors: nothing is written.
  const strict = runCli(['encode', '.env', '--strict', '-o', 'strict.out'], { cwd: dir })
  assert.equal(strict.status, 1)
  assert.match(strict.stderr, /^\.env:8: error: the value of OPEN_7/)
  assert.ok(!existsSync(join(dir, 'strict.out')))
}))

test('the retries: more long lines than first made room for, more names than first estimated', () => {
  const long = Array.from({ length: 70 }, (_, i) => `LONG_${i}=${'y'.repeat(50_000)}`).join('\n') + '\n'
  assert.ok(agrees(long))
  assert.equal(encodePlain(Buffer.from(long))?.long.length, 70)
  // The first 1,000 lines are long, so the table of names is first made for too few.
  const first = Array.from({ length: 1_000 }, (_, i) => `FIRST_${i}=${'z'.repeat(200)}`)
  const then = Array.from({ length: 60_000 }, (_, i) => `N${i}=1`)
  const text = [...first, ...then].join('\n') + '\n'
  assert.ok(agrees(text))
  assert.equal(encodePlain(Buffer.from(text))?.count, 61_000)
})

test('no memory for the fast path: it declines, and the general encoder answers', () => {
  // (lib.dom has the WebAssembly types; the tests do not load it.)
  const memory = (globalThis as unknown as { WebAssembly: { Memory: { prototype: { grow(pages: number): number } } } })
    .WebAssembly.Memory.prototype
  const grow = memory.grow
  memory.grow = () => {
    throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded')
  }
  try {
    assert.equal(encodePlain(Buffer.from('A=1\n')), undefined)
  } finally {
    memory.grow = grow
  }
  assert.ok(encodePlain(Buffer.from('A=1\n')) !== undefined)
})
