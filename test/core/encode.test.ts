import { test } from 'node:test'
import assert from 'node:assert/strict'
import { encodeEnv } from '../../src/core/encode.js'
import { decodeEnv } from '../../src/core/decode.js'
import { checkEncoded } from '../../src/core/check.js'
import type { DiagnosticCode } from '../../src/core/diagnostics.js'
import dotenv from 'dotenv'
import fc from 'fast-check'
import { repeatedNames } from '../../src/core/names.js'
import { scan } from '../../src/core/scan.js'
import { kestraDecode, runs } from '../helpers.js'

const codes = (src: string, opts = {}): DiagnosticCode[] => encodeEnv(src, opts).diagnostics.map((d) => d.code)
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64')

test('each entry becomes SECRET_<NAME>=<base64 of the UTF-8 value>', () => {
  const r = encodeEnv('A=hello\nB="wörld 🎉"\nC=\n')
  assert.equal(r.ok, true)
  assert.equal(r.text, `SECRET_A=${b64('hello')}\nSECRET_B=${b64('wörld 🎉')}\nSECRET_C=\n`)
  assert.deepEqual(r.entries.map((e) => [e.name, e.variable, e.line]), [['A', 'SECRET_A', 1], ['B', 'SECRET_B', 2], ['C', 'SECRET_C', 3]])
})

test('long values stay on one line, padded, standard alphabet', () => {
  const value = 'x'.repeat(300) + '\u00ff\u00fe>?'
  const r = encodeEnv(`LONG=${value}\n`)
  const line = r.text.trimEnd()
  assert.equal(line.split('\n').length, 1)
  const encoded = line.slice('SECRET_LONG='.length)
  assert.match(encoded, /^[A-Za-z0-9+/]+={0,2}$/)
  assert.equal(encoded.length % 4, 0)
  assert.equal(kestraDecode(encoded), value)
})

test('comments and blank lines stay in place; inline comments move above their entry', () => {
  const src = '# header\n\nA=1 # the first\n  # indented comment\n\n\nB="two" #second\nC=3\n# trailer\n'
  const r = encodeEnv(src)
  assert.equal(r.text, [
    '# header', '', '# the first', `SECRET_A=${b64('1')}`, '  # indented comment', '', '',
    '#second', `SECRET_B=${b64('two')}`, `SECRET_C=${b64('3')}`, '# trailer', '',
  ].join('\n'))
})

test('multi-line values become one line; export and KEY: value forms are read', () => {
  const r = encodeEnv('export A="line1\nline2"\nB: colon value\nexport C=\'single\'\n')
  assert.deepEqual(r.entries.map((e) => [e.variable, kestraDecode(e.encoded)]), [
    ['SECRET_A', 'line1\nline2'], ['SECRET_B', 'colon value'], ['SECRET_C', 'single'],
  ])
  assert.equal(r.text.split('\n').length, 4)
})

test('CRLF in, CRLF out; a BOM is not copied and never joins a name', () => {
  const r = encodeEnv('\uFEFF# c\r\nA=1\r\n\r\nB=2')
  assert.equal(r.text, `# c\r\nSECRET_A=${b64('1')}\r\n\r\nSECRET_B=${b64('2')}\r\n`)
  const bomKey = encodeEnv('\uFEFFKEY=v\n')
  assert.equal(bomKey.text, `SECRET_KEY=${b64('v')}\n`)
})

test('a last line without a newline is kept', () => {
  assert.equal(encodeEnv('A=1\nLAST=end').entries.at(-1)?.name, 'LAST')
})

test('names that differ only in case are an error, even with --allow-duplicates', () => {
  for (const opts of [{}, { allowDuplicates: true }]) {
    const r = encodeEnv('token=a\nTOKEN=b\n', opts)
    assert.equal(r.ok, false)
    assert.equal(r.text, '')
    const d = r.diagnostics.find((x) => x.code === 'case-collision')
    assert.equal(d?.severity, 'error')
    assert.equal(d?.line, 2)
    assert.match(d?.message ?? '', /TOKEN and token \(line 1\)/)
  }
})

test('a duplicate name is an error unless allowed; then the last one is kept at its place', () => {
  const src = 'A=first\nB=b\nA=last\n'
  const strict = encodeEnv(src)
  assert.equal(strict.ok, false)
  assert.deepEqual(strict.diagnostics.map((d) => [d.code, d.severity, d.line]), [['duplicate', 'error', 3]])
  const allowed = encodeEnv(src, { allowDuplicates: true })
  assert.equal(allowed.ok, true)
  assert.equal(allowed.text, `SECRET_B=${b64('b')}\nSECRET_A=${b64('last')}\n`)
  assert.deepEqual(allowed.diagnostics.map((d) => [d.code, d.severity, d.line]), [['duplicate', 'warning', 1]])
})

test('input that already looks encoded is refused unless forced', () => {
  const src = `SECRET_A=${b64('x')}\nSECRET_B=\n`
  const r = encodeEnv(src)
  assert.equal(r.ok, false)
  assert.deepEqual(codes(src), ['already-encoded'])
  assert.match(r.diagnostics[0]?.message ?? '', /decode/)
  const forced = encodeEnv(src, { force: true })
  assert.equal(forced.ok, true)
  assert.equal(forced.entries[0]?.variable, 'SECRET_SECRET_A')
  assert.deepEqual(codes(src, { force: true }), ['already-encoded'])
  // One plain value is enough to make it a plain file (with a prefix warning).
  assert.deepEqual(codes('SECRET_A=not base64!\n'), ['already-prefixed'])
})

test('warnings: each hard case is named with its line and key', () => {
  const cases: Array<[string, DiagnosticCode, number | undefined]> = [
    ['A=1\nthis is not an entry\n', 'ignored-line', 2],
    ['A=1\nBARE_NAME\n', 'bare-name', 2],
    ['PASS=abc#def\n', 'hash-in-value', 1],
    ['PASS=#def\n', 'hash-in-value', 1],
    ['Q="abc" tail\n', 'text-after-quote', 1],
    ['Q="abc\nB=2\n', 'unterminated-quote', 1],
    ['E="tab\\there"\n', 'literal-escape', 1],
    ['my.key=1\n', 'name-not-portable', 1],
    ['my-key=1\n', 'name-not-portable', 1],
    ['SECRET_X=plain text\n', 'already-prefixed', 1],
    ['__proto__=x\nA=1\n', 'ignored-name', 1],
    ['KEY=-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwg==\n-----END KEY-----\n', 'value-in-name', 2],
    ['# only a comment\n', 'no-entries', undefined],
  ]
  for (const [src, code, line] of cases) {
    const r = encodeEnv(src)
    const d = r.diagnostics.find((x) => x.code === code)
    assert.ok(d, `${JSON.stringify(src)} should warn ${code}, got ${JSON.stringify(r.diagnostics)}`)
    assert.equal(d.severity, 'warning')
    assert.equal(d.line, line)
    assert.equal(r.ok, true)
  }
})

test('no warning for ordinary values: spaced comments, \\n escapes, = and # inside quotes, $ in single quotes', () => {
  const src = 'A=1 # fine\nB="x\\ny"\nC="p=q#s"\nD=\'it\\\'s\'\nE=\'${HOME}/x\'\nF=\nG=a$\nH=$(cmd)\n'
  assert.deepEqual(codes(src), [])
})

test('${VAR} and $VAR in unquoted and double-quoted values are warnings; a name is shown only when it is one', () => {
  const r = encodeEnv('HOST=db\nURL=postgres://${HOST}/db\nP="pa$word"\nQ=\'$HOST\'\nS=${HOME:-x}\n', { env: { HOME: '/root' } })
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.line, d.key]), [['reference', 2, 'URL'], ['reference', 3, 'P'], ['reference', 5, 'S']])
  assert.match(r.diagnostics[0]?.message ?? '', /a reference to HOST,/)
  assert.match(r.diagnostics[1]?.message ?? '', /holds a \$ reference,/)
  assert.doesNotMatch(r.diagnostics[1]?.message ?? '', /word/)
  assert.match(r.diagnostics[2]?.message ?? '', /a reference to HOME,/)
  assert.equal(r.text.split('\n')[1], `SECRET_URL=${b64('postgres://${HOST}/db')}`)
  // What every object inherits is no variable of the environment: the text after `$` stays unshown.
  for (const member of ['toString', 'constructor', 'hasOwnProperty', '__proto__', 'valueOf']) {
    for (const src of [`DB_PASSWORD=pa$${member}\n`, `A=x\${${member}}y\n`]) {
      const message = encodeEnv(src).diagnostics[0]?.message ?? ''
      assert.match(message, /holds a \$ reference,/, src)
      assert.ok(!message.includes(member), src)
    }
  }
})

test('text cut at a # without a space is not copied into the output', () => {
  const r = encodeEnv('PASS=abc#MARKER\n')
  assert.equal(r.text.includes('MARKER'), false)
  assert.equal(r.text, `SECRET_PASS=${b64('abc')}\n`)
})

test('lines dotenv ignores are left out of the output', () => {
  const r = encodeEnv('A=1\njunk line here\nB=2\n')
  assert.equal(r.text, `SECRET_A=${b64('1')}\nSECRET_B=${b64('2')}\n`)
})

test('a NUL character makes the text binary', () => {
  const r = encodeEnv('A=1\nB=\0\n')
  assert.equal(r.ok, false)
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.line]), [['binary', 2]])
  assert.match(r.diagnostics[0]?.message ?? '', /^contains a NUL byte: this looks like a binary file/)
})

test('half of a surrogate pair, which no UTF-8 text holds, is an error of every command, at its line; a whole pair is text', () => {
  for (const half of ['\ud800', '\udfff', '\udc00x\ud83d']) {
    const src = `A=1\n# c\nB=Mk9${half}Zq\n`
    for (const [name, r] of [['encode', encodeEnv(src)], ['decode', decodeEnv(src)]] as const) {
      assert.equal(r.ok, false, name)
      assert.deepEqual(r.diagnostics.map((d) => [d.code, d.severity, d.line]), [['lone-surrogate', 'error', 3]], name)
      assert.match(r.diagnostics[0]?.message ?? '', /^has half of a UTF-16 surrogate pair/)
      assert.ok(!(r.diagnostics[0]?.message ?? '').includes('Mk9'), 'nothing of the text')
    }
    const checked = checkEncoded([{ name: 'e', text: `SECRET_A=${b64('1')}\nSECRET_B=x${half}\n` }])
    assert.deepEqual(checked.findings.map((f) => [f.code, f.line]), [['lone-surrogate', 2]])
    // The plain file of --against too: an error at its line, and nothing compared with it.
    const against = checkEncoded([{ name: 'e', text: `SECRET_A=${b64('1')}\n` }], { against: { name: 'p', text: `A=1${half}\n` } })
    assert.deepEqual(against.findings.map((f) => [f.file, f.code, f.line]), [['p', 'lone-surrogate', 1]])
  }
  const pair = encodeEnv('A=\ud83d\ude00\n')
  assert.ok(pair.ok)
  assert.equal(pair.text, `SECRET_A=${b64('\u{1f600}')}\n`)
})

test('UTF-16 text read as UTF-8 or Latin-1 is said to be UTF-16, with or without its byte-order mark', () => {
  const le = Buffer.from('TOKEN=abc\nB=2\n', 'utf16le')
  const be = Buffer.from(le).swap16()
  const marked = (mark: number[], bytes: Buffer): Buffer => Buffer.concat([Buffer.from(mark), bytes])
  for (const bytes of [le, be, marked([0xff, 0xfe], le), marked([0xfe, 0xff], be)]) {
    for (const encoding of ['utf8', 'latin1'] as const) {
      const r = encodeEnv(bytes.toString(encoding))
      assert.equal(r.ok, false)
      assert.deepEqual(r.diagnostics.map((d) => [d.code, d.line]), [['binary', 1]])
      assert.match(r.diagnostics[0]?.message ?? '', /^has a NUL between its characters: this looks like UTF-16 text read as UTF-8/)
    }
  }
  // A NUL beside short text, or a NUL here and there, is binary.
  for (const text of ['A\0', 'AB=1\n\0\0\0\0\0\0\0\0']) assert.match(encodeEnv(text).diagnostics[0]?.message ?? '', /binary file/)
})

test('no message contains a value', () => {
  const marker = (i: number): string => `MARK${i}ER`
  const inputs = [
    `token=${marker(1)}\nTOKEN=${marker(2)}\n`,
    `A=${marker(3)}\nA=${marker(4)}\n`,
    `PASS=${marker(5)}#${marker(6)}\n`,
    `Q="${marker(7)}" ${marker(8)}\n`,
    `Q="${marker(9)}\n`,
    `E="${marker(10)}\\t"\n`,
    `${marker(11)} ${marker(12)}\n`,
    `SECRET_A=${b64(marker(13))}\n`,
  ]
  for (const src of inputs) {
    for (const opts of [{}, { allowDuplicates: true }, { force: true }]) {
      for (const d of encodeEnv(src, opts).diagnostics) {
        assert.doesNotMatch(d.message, /MARK\d+ER/, `${d.code} leaks a value`)
        assert.ok(!d.message.includes(b64(marker(13))))
      }
    }
  }
})

test('a BOM in the indentation of a comment is dropped (kubectl would read the line as a key)', () => {
  const r = encodeEnv('A=1\n\uFEFF# c\n \uFEFF # d\nB=2\n')
  assert.equal(r.text, `SECRET_A=${b64('1')}\n# c\n  # d\nSECRET_B=${b64('2')}\n`)
})

test('isStrictBase64 is the strict decoder grammar, on short texts and on megabytes', async () => {
  const { isStrictBase64 } = await import('../../src/core/base64.js')
  const fc = (await import('fast-check')).default
  const reference = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/
  fc.assert(fc.property(fc.string({ unit: fc.constantFrom('A', 'z', '0', '+', '/', '=', '-', '_', ' ', 'é'), maxLength: 12 }),
    (s) => isStrictBase64(s) === reference.test(s)), { numRuns: 5000 })
  assert.equal(isStrictBase64('A'.repeat(8_000_000)), true)
  assert.equal(isStrictBase64('A'.repeat(8_000_001) + '='), false)
  assert.equal(isStrictBase64('A'.repeat(8_000_002) + '=='), true)
})

test('commented-out entries are written encoded, never in plain text; ordinary comments stay', () => {
  const src = '# DB_PASSWORD=old-pass\n#API_KEY="sk-live-123"\n# export X=y\n# rotate monthly\n# Note: x\n# see https://a.b/?x=y\nA=1\n'
  const r = encodeEnv(src)
  assert.equal(r.text, `# SECRET_DB_PASSWORD=${b64('old-pass')}\n# SECRET_API_KEY=${b64('sk-live-123')}\n# SECRET_X=${b64('y')}\n` +
    `# rotate monthly\n# Note: x\n# see https://a.b/?x=y\nSECRET_A=${b64('1')}\n`)
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.severity, d.line, d.key]),
    [['commented-entry', 'note', 1, 'DB_PASSWORD'], ['commented-entry', 'note', 2, 'API_KEY'], ['commented-entry', 'note', 3, 'X']])
  for (const secret of ['old-pass', 'sk-live-123']) {
    assert.ok(!r.text.includes(secret) && r.diagnostics.every((d) => !d.message.includes(secret)), secret)
  }
})

test('an inline comment that holds an assignment is a commented-out entry: moved to its own line, it is written encoded', () => {
  const r = encodeEnv('A=1 # OLD_A=LEAKME1\nB=2 # export OLD_B="LEAKME2"\nC=3 # plain note\n')
  assert.equal(r.text, `# SECRET_OLD_A=${b64('LEAKME1')}\nSECRET_A=${b64('1')}\n# SECRET_OLD_B=${b64('LEAKME2')}\nSECRET_B=${b64('2')}\n` +
    `# plain note\nSECRET_C=${b64('3')}\n`)
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.severity, d.line, d.key]),
    [['commented-entry', 'note', 1, 'OLD_A'], ['commented-entry', 'note', 2, 'OLD_B']])
  assert.ok(r.diagnostics.every((d) => !d.message.includes('LEAKME')))
})

test('a commented-out entry with an empty value is written # SECRET_K=\'\' before a comment line that starts with a quote', () => {
  // `# K=` there would read its value from that quote on: the comment after `=`, or the empty
  // quotes, that kept it from doing so in the input are not written.
  for (const src of ['# K= # c\n# "a"\n', '# K=""\n#\n# `a`\n', '# K=\nA=1 # "a"\n']) {
    const r = encodeEnv(src)
    assert.match(r.text, /^# SECRET_K=''\n/, JSON.stringify(src))
    const back = decodeEnv(r.text)
    assert.equal(encodeEnv(back.text).text, r.text, JSON.stringify(src))
  }
  assert.equal(encodeEnv('# K=\n# a\n').text, '# SECRET_K=\n# a\n')
})

test('commented-out entries, comments and blank lines keep their order and quotes across the batches values are encoded in', () => {
  // Hundreds of commented-out values among plain comments and blank runs, each batch's end at a
  // different kind of line, and empty commented-out values whose quotes depend on the lines after.
  const input: string[] = []
  const expected: string[] = []
  for (let i = 0; i < 700; i++) {
    if (i % 7 === 3) {
      input.push(`# E${i}= # c`, '#', '# "q"')
      expected.push(`# SECRET_E${i}=''`, '#', '# "q"')
    } else if (i % 5 === 0) {
      input.push(`# note ${i}`, '', '')
      expected.push(`# note ${i}`, '', '')
    } else if (i % 11 === 0) {
      input.push(`A${i}=v${i}`)
      expected.push(`SECRET_A${i}=${b64(`v${i}`)}`)
    } else {
      input.push(`# K${i}=secret ${i}`)
      expected.push(`# SECRET_K${i}=${b64(`secret ${i}`)}`)
    }
  }
  const r = encodeEnv(input.join('\n') + '\n')
  assert.equal(r.text, expected.join('\n') + '\n')
  assert.ok(r.ok)
  // A run of empty commented-out values, longer than a batch, then blank comment lines and a
  // quote: only the last value is undecided until the quote, and only it gets the quotes.
  for (const blanks of [0, 3, 200]) {
    const empties = Array.from({ length: 300 }, (_, i) => `# E${i}=`)
    // The last one's own comment keeps the quote from opening its value in the input.
    const out = encodeEnv([...empties.slice(0, -1), '# E299= # c', ...Array(blanks).fill('#'), '# "q"', ''].join('\n')).text
    const want = [...empties.map((l, i) => `# SECRET_${l.slice(2)}${i === 299 ? "''" : ''}`), ...Array(blanks).fill('#'), '# "q"', '']
    assert.equal(out, want.join('\n'), `${blanks} blank comment lines`)
  }
  // The empty value as the last of a batch (128 values), and on either side of that.
  for (const before of [126, 127, 128, 255]) {
    const entries = Array.from({ length: before }, (_, i) => `A${i}=v`)
    const out = encodeEnv([...entries, '# E= # c', '#', '# "q"', ''].join('\n')).text
    assert.ok(out.endsWith(`SECRET_A${before - 1}=dg==\n# SECRET_E=''\n#\n# "q"\n`), `${before}: ${out.slice(-60)}`)
  }
})

test('a commented-out value over several lines is one encoded line: none of its lines is left in plain text', () => {
  const src = '# OLD="-----BEGIN KEY-----\n# abc\n# -----END KEY-----"\nA=1\n'
  const r = encodeEnv(src)
  assert.equal(r.text, '# SECRET_OLD=LS0tLS1CRUdJTiBLRVktLS0tLQphYmMKLS0tLS1FTkQgS0VZLS0tLS0=\nSECRET_A=MQ==\n')
  assert.equal(kestraDecode('LS0tLS1CRUdJTiBLRVktLS0tLQphYmMKLS0tLS1FTkQgS0VZLS0tLS0='), '-----BEGIN KEY-----\nabc\n-----END KEY-----')
  for (const line of r.text.split('\n')) {
    for (const body of ['abc', 'BEGIN', 'END', 'KEY-']) assert.ok(!line.includes(body), `${body} in ${line}`)
  }
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.severity, d.line, d.key]), [['commented-entry', 'note', 1, 'OLD']])
  assert.match((r.diagnostics[0] as { message: string }).message, /^OLD is commented out over lines 1-3: /)
  // Single quotes, backticks, `#` with no space, CRLF: the same value, the same single line.
  for (const doc of [
    "# OLD='-----BEGIN KEY-----\n# abc\n# -----END KEY-----'\nA=1\n",
    '# OLD=`-----BEGIN KEY-----\n# abc\n# -----END KEY-----`\nA=1\n',
    '#OLD="-----BEGIN KEY-----\n#abc\n#-----END KEY-----"\nA=1\n',
    '  # export OLD = "-----BEGIN KEY-----\n  # abc\n  # -----END KEY-----" # old key\nA=1\n',
  ]) {
    assert.equal(encodeEnv(doc).text, r.text, JSON.stringify(doc))
    assert.equal(encodeEnv(doc.replace(/\n/g, '\r\n')).text, r.text.replace(/\n/g, '\r\n'), JSON.stringify(doc))
  }
  // The lines after keep their numbers.
  const after = encodeEnv(`${src}B=2\nB=3\n`)
  assert.deepEqual(after.diagnostics.map((d) => [d.code, d.line]), [['commented-entry', 1], ['duplicate', 6]])
  assert.match((after.diagnostics[1] as { message: string }).message, /already defined on line 5/)
})

test('a commented-out quote that no comment line closes: its lines are encoded together, with a warning', () => {
  const key = '"-----BEGIN KEY-----\nabc\n-----END KEY-----'
  // To the end of the comments: a line that is not one, or the end of the text.
  for (const [src, rest] of [
    ['# OLD="-----BEGIN KEY-----\n# abc\n# -----END KEY-----\nA=1\n', `SECRET_A=${b64('1')}\n`],
    ['# OLD="-----BEGIN KEY-----\n# abc\n# -----END KEY-----', ''],
  ] as const) {
    const r = encodeEnv(src)
    assert.equal(r.text, `# SECRET_OLD=${b64(key)}\n${rest}`)
    assert.ok(!r.text.includes('abc') && r.diagnostics.every((d) => !d.message.includes('abc') && !d.message.includes('BEGIN')))
    assert.deepEqual(r.diagnostics.filter((d) => d.line !== undefined).map((d) => [d.code, d.severity, d.line, d.key]),
      [['commented-entry', 'note', 1, 'OLD'], ['unterminated-quote', 'warning', 1, 'OLD']])
    assert.match((r.diagnostics.find((d) => d.code === 'unterminated-quote') as { message: string }).message, /lines 1-3 are encoded together/)
  }
  // A blank line ends the comments; a line with an assignment of its own is one of its own.
  assert.equal(encodeEnv('# OLD="-----BEGIN KEY-----\n# abc\n\n# -----END KEY-----"\nA=1\n').text,
    `# SECRET_OLD=${b64('"-----BEGIN KEY-----\nabc')}\n\n# -----END KEY-----"\nSECRET_A=${b64('1')}\n`)
  assert.equal(encodeEnv('# OLD="a\n# b\n# NEW=c\n# rotate monthly\n').text,
    `# SECRET_OLD=${b64('"a\nb')}\n# SECRET_NEW=${b64('c')}\n# rotate monthly\n`)
  // As before: a quote that is never closed, alone or before another assignment, is one line.
  const before = '# A="x\n# B="y\n# C=z\n'
  assert.equal(encodeEnv(before).text, `# SECRET_A=${b64('"x')}\n# SECRET_B=${b64('"y')}\n# SECRET_C=${b64('z')}\n`)
  assert.deepEqual(codes(before), ['no-entries', 'commented-entry', 'commented-entry', 'commented-entry'])
})

test('property: a value commented out line by line is encoded as what dotenv reads from the lines uncommented', () => {
  const quoted = fc.constantFrom('"', "'", '`').chain((q) => {
    // Anything but its own quote without a backslash, and no backslash just before the closing quote.
    const pieces = ['a', 'x', ' ', '\t', '#', ' # c', '=', 'B=1', '\\n', 'é', '😀', '\n', '\n', '"', "'", '`', `\\${q}`]
      .filter((p) => p !== q)
    return fc.tuple(fc.constant(q), fc.array(fc.constantFrom(...pieces), { maxLength: 12 }).map((a) => a.join('')))
  })
  const doc = fc.tuple(
    quoted,
    fc.array(fc.constantFrom('# ', '#', '  # ', '#  ', '\t#'), { minLength: 12, maxLength: 12 }),
    fc.constantFrom('', ' ', ' # old'),
    fc.constantFrom<[string, string]>(['', ''], ['B=1\n', `SECRET_B=${b64('1')}\n`], ['\n# c\n', '\n# c\n']),
    fc.constantFrom('\n', '\r\n'),
  )
  fc.assert(fc.property(doc, ([[q, body], hashes, suffix, [after, afterOut], eol]) => {
    const lines = `KEY=${q}${body}${q}${suffix}`.split('\n')
    const commented = lines.map((l, i) => (i === 0 ? '# ' : hashes[i % hashes.length] as string) + l)
    const src = (commented.join('\n') + '\n' + after).replace(/\n/g, eol)
    // Uncommented: the text after `#` and one space.
    const plain = commented.map((l) => l.slice(l.indexOf('#') + 1).replace(/^ /, '')).join('\n')
    const value = dotenv.parse(plain).KEY as string
    const r = encodeEnv(src)
    assert.equal(r.text, (`# SECRET_KEY=${b64(value)}\n` + afterOut).replace(/\n/g, eol))
    assert.equal(kestraDecode(r.text.slice('# SECRET_KEY='.length).split(/\r?\n/)[0] as string), value)
    assert.ok(r.diagnostics.every((d) => d.code !== 'unterminated-quote'))
  }), { numRuns: runs(5000) })
})

test('already encoded only when every value also decodes to UTF-8 text: SECRET_PASSWORD=hunter22 is encoded', () => {
  const r = encodeEnv('SECRET_PASSWORD=hunter22\n')
  assert.equal(r.ok, true)
  assert.deepEqual(r.diagnostics.map((d) => d.code), ['already-prefixed'])
  assert.equal(r.text, `SECRET_SECRET_PASSWORD=${b64('hunter22')}\n`)
  assert.deepEqual(encodeEnv(`SECRET_PASSWORD=${b64('hunter22')}\n`).diagnostics.map((d) => [d.code, d.severity]), [['already-encoded', 'error']])
})

test('repeated names: encode finds, by their places in the text, what repeatedNames finds in the names', () => {
  const name = fc.constantFrom('A', 'a', 'Ab', 'AB', 'export', 'ı', 'I', 'ſ', 'S', '__proto__', 'K.1', 'k.1')
  const line = fc.record({ name, exported: fc.boolean(), spaced: fc.boolean() })
    .map(({ name, exported, spaced }) => `${exported ? 'export  ' : ''}${name}${spaced ? ' = ' : '='}v`)
  fc.assert(fc.property(fc.array(line, { maxLength: 12 }), fc.boolean(), (lines, allowDuplicates) => {
    const source = lines.join('\n') + '\n'
    const entries = scan(source).entries
    const expected = repeatedNames(entries.map((e) => (e.key === '__proto__' ? undefined : e.key)))
      .filter((r) => !r.sameCase || !allowDuplicates)
      .map((r) => [r.sameCase ? 'duplicate' : 'case-collision', entries[r.index]?.line])
    const found = encodeEnv(source, { allowDuplicates }).diagnostics
      .filter((d) => d.code === 'case-collision' || (d.code === 'duplicate' && d.severity === 'error'))
      .map((d) => [d.code, d.line])
    assert.deepEqual(found, expected)
  }), { numRuns: runs(1000) })
})
