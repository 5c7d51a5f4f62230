// The pure core of decode: Kestra's decoding rules, dotenv quoting, and decodeEnv on inline strings
// and on the fixtures under test/fixtures/encoded/ (among them the output of the shell loop in
// Kestra's docs, made with bash and GNU base64).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import dotenv from 'dotenv'
import { decodeEnv, WrittenEntries } from '../../src/core/decode.js'
import { encodeEnv } from '../../src/core/encode.js'
import { decodeKestraValue, kestraName, stripLineBreaks } from '../../src/core/kestra.js'
import { base64Problem, isStrictBase64 } from '../../src/core/base64.js'
import { quoteValue } from '../../src/core/quote.js'
import { ROOT } from '../helpers.js'

const ENCODED = join(ROOT, 'test', 'fixtures', 'encoded')
const fixture = (name: string): string => readFileSync(join(ENCODED, name), 'utf8')
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64')
/** What Kestra makes of a value, without the bytes: compared whole, a failure shows the difference. */
const kestra = (s: string): { text: string; utf8: boolean } | { ok: false; problem: string } => {
  const d = decodeKestraValue(s)
  return d.ok ? { text: d.text, utf8: d.utf8 } : d
}
const codes = (r: { diagnostics: ReadonlyArray<{ line?: number; key?: string; code: string; severity: string }> }) =>
  r.diagnostics.map((d) => [d.line ?? null, d.key ?? null, d.code, d.severity])

test('Kestra removes every line break of Java\'s \\R before decoding', () => {
  for (const br of ['\n', '\r\n', '\r', '\u2028', '\u2029', '\u0085', '\u000B', '\u000C']) {
    assert.equal(stripLineBreaks(`YW${br}Jj${br}`), 'YWJj', JSON.stringify(br))
    assert.deepEqual(kestra(`YW${br}Jj`), { text: 'abc', utf8: true }, JSON.stringify(br))
  }
  // Other white space stays, and the decoder rejects it.
  for (const ws of [' ', '\t', '\u00a0']) assert.deepEqual(decodeKestraValue(`YW${ws}Jj`), { ok: false, problem: 'whitespace' })
})

test('java.util.Base64.getDecoder(): padding optional but never wrong, standard alphabet only', () => {
  const accepted = ['', 'YQ', 'YQ==', 'YWI', 'YWI=', 'YWJj', 'YWJjZA', 'YWJjZA==', '+/+/', 'YR==']
  for (const s of accepted) {
    assert.equal(isStrictBase64(s), true, s)
    assert.equal(base64Problem(s), undefined, s)
    assert.equal(decodeKestraValue(s).ok, true, s)
  }
  const rejected: Array<[string, string]> = [
    ['YQ=', 'padding'], ['YWI==', 'padding'], ['YWJj=', 'padding'], ['YQ===', 'padding'], ['Y=Q=', 'padding'],
    ['=', 'padding'], ['YWJjZ', 'length'], ['Y', 'length'], ['-_-_', 'url-safe'], ['YW_j', 'url-safe'],
    ['YW Jj', 'whitespace'], ['"YWJj"', 'alphabet'], ['YWJj#', 'alphabet'], ['{{ x }}', 'whitespace'], ['YWJj!', 'alphabet'],
  ]
  for (const [s, problem] of rejected) {
    assert.equal(base64Problem(s), problem, s)
    assert.deepEqual(decodeKestraValue(s), { ok: false, problem }, s)
  }
  // The unused low bits of a last group are ignored, as Java does.
  assert.deepEqual(kestra('YR=='), { text: 'a', utf8: true })
})

test('bytes that are not UTF-8 become U+FFFD and are flagged; a BOM is kept', () => {
  assert.deepEqual(kestra(Buffer.from([0x61, 0xff, 0x62]).toString('base64')), { text: 'a\uFFFDb', utf8: false })
  assert.deepEqual(kestra(b64('\uFEFFx')), { text: '\uFEFFx', utf8: true })
  const plain = decodeKestraValue('password')
  assert.equal(plain.ok, true, 'a plain word can be valid base64')
  assert.equal(plain.ok && plain.utf8, false, 'of bytes that are not text')
})

test('names: SECRET_ is case-sensitive, the rest is upper-cased', () => {
  assert.equal(kestraName('SECRET_db_Password'), 'DB_PASSWORD')
  assert.equal(kestraName('secret_x'), undefined)
  assert.equal(kestraName('Secret_X'), undefined)
  assert.equal(kestraName('SECRET_'), '')
})

test('quoteValue: bare where safe, else the quoting dotenv reads back', () => {
  const table: Array<[string, string | undefined]> = [
    ['plain', 'plain'],
    ['', ''],
    ['with spaces inside', 'with spaces inside'],
    ['$HOME=x:y', '$HOME=x:y'],
    ["it's", "it's"],
    ['C:\\new\\dir', 'C:\\new\\dir'],
    ['pa#ss', "'pa#ss'"],
    [' padded ', "' padded '"],
    ['"quoted"', `'"quoted"'`],
    ["'single'", `"'single'"`],
    ['line1\nline2', '"line1\\nline2"'],
    ['cr\r\nlf', '"cr\\r\\nlf"'],
    ['back\\n slash\nnewline', "'back\\n slash\nnewline'"],
    [`it's "both" #`, `\`it's "both" #\``],
    ['\uFEFFbom', "'\uFEFFbom'"],
    ['a\u2028b', 'a\u2028b'],
    // A quote of the same kind inside, read by dotenv's plain alternative, which strips the ends.
    [`'a' "b" \`c\` `, `'\'a\' "b" \`c\` '`],
    // Double quotes with a quote inside still work on one line, escapes included.
    [`'"\`\n`, `"'"\`\\n"`],
    // Nothing carries these: every quote kind inside, and a # or a line break that no form takes.
    [`'\`\\n\n"`, undefined],
    [`# ' " \``, undefined],
    // A value that needs quotes and ends with a backslash: the closing quote reads as escaped, so
    // dotenv looks on for another one, and decode's verify tells whether it finds one.
    [' trailing\\', "' trailing\\'"],
  ]
  for (const [value, written] of table) {
    assert.equal(quoteValue(value), written, JSON.stringify(value))
    if (written !== undefined) assert.equal(dotenv.parse(`K=${written}\n`).K, value, JSON.stringify(value))
  }
})

test('decode: SECRET_ removed, values decoded and quoted, comments, blanks and order kept', () => {
  const src = `# db\n\nSECRET_DB_PASSWORD=${b64('s3cr3t with spaces')}\n# key\nSECRET_PEM=${b64('-----BEGIN-----\nabc\n-----END-----')}\n` +
    `SECRET_HASH=${b64('a#b')}\nSECRET_EMPTY=\nSECRET_UNICODE=${b64('pässwörd ✓')}\n`
  const r = decodeEnv(src)
  assert.ok(r.ok)
  assert.equal(r.text, "# db\n\nDB_PASSWORD=s3cr3t with spaces\n# key\nPEM=\"-----BEGIN-----\\nabc\\n-----END-----\"\n" +
    "HASH='a#b'\nEMPTY=\nUNICODE=pässwörd ✓\n")
  assert.deepEqual(r.diagnostics, [])
  assert.deepEqual(r.entries.map((e) => [e.variable, e.name, e.line, e.decoded]), [
    ['SECRET_DB_PASSWORD', 'DB_PASSWORD', 3, true], ['SECRET_PEM', 'PEM', 5, true], ['SECRET_HASH', 'HASH', 6, true],
    ['SECRET_EMPTY', 'EMPTY', 7, true], ['SECRET_UNICODE', 'UNICODE', 8, true],
  ])
})

test('a commented-out value encode read over several lines decodes to commented-out lines that encode back the same', () => {
  const encoded = encodeEnv('# OLD="-----BEGIN KEY-----\n# abc\n# -----END KEY-----"\nA=1\n').text
  const r = decodeEnv(encoded)
  assert.equal(r.text, '# OLD="-----BEGIN KEY-----\\nabc\\n-----END KEY-----"\nA=1\n')
  assert.equal(dotenv.parse(r.text.slice(2)).OLD, '-----BEGIN KEY-----\nabc\n-----END KEY-----')
  assert.equal(encodeEnv(r.text).text, encoded)
  // A value no one-line form holds goes on over comment lines, which encode reads back as it.
  for (const [src, text] of [
    ['# OLD="-----BEGIN KEY-----\n# abc\n# -----END KEY-----\nA=1\n', '# OLD=\'"-----BEGIN KEY-----\n# abc\n# -----END KEY-----\'\nA=1\n'],
    ["# OLD='say \"hi\"\n# bye'\n", "# OLD='say \"hi\"\n# bye'\n"],
    ['# OLD=`it\'s "hi"\n# bye`\n', '# OLD=`it\'s "hi"\n# bye`\n'],
  ]) {
    const plain = encodeEnv(src as string).text
    const back = decodeEnv(plain)
    assert.equal(back.text, text)
    assert.deepEqual(back.diagnostics.filter((d) => d.line !== undefined).map((d) => [d.code, d.line]), [['commented-entry', 1]])
    assert.equal(encodeEnv(back.text).text, plain)
  }
  // An encoded value commented out over several lines is read as the scanner reads it: one item,
  // whose lines the decoded line replaces (Kestra drops the line break inside the base64).
  const wrapped = decodeEnv(`# SECRET_X="${b64('hello world').slice(0, 8)}\n# ${b64('hello world').slice(8)}"\nSECRET_A=${b64('1')}\n`)
  assert.equal(wrapped.text, '# X=hello world\nA=1\n')
  assert.deepEqual(wrapped.diagnostics.map((d) => [d.code, d.line]), [['commented-entry', 1]])
})

test('a commented-out value whose quoted form ends with a backslash stays encoded, on one line too', () => {
  // `# K='#\\'` would read on over the comment line after it, which would join the value.
  const encoded = encodeEnv('# K="#\\"\n# \\\'\n').text
  assert.equal(encoded, `# SECRET_K=${b64('#\\')}\n# \\'\n`)
  const r = decodeEnv(encoded)
  assert.equal(r.text, encoded)
})

test('decode keeps CRLF, a BOM, export, inline comments and a last line without newline', () => {
  const r = decodeEnv(`\uFEFF# c\r\nexport SECRET_A=${b64('x y')} # note\r\nSECRET_B=${b64('z')}`)
  assert.ok(r.ok)
  assert.equal(r.text, '\uFEFF# c\r\nexport A=x y # note\r\nB=z')
  assert.equal(r.eol, '\r\n')
  assert.deepEqual(dotenv.parse(r.text), { A: 'x y', B: 'z' })
})

test('decode reads values as dotenv does (quotes, colon form), then by Kestra\'s rules', () => {
  const r = decodeEnv(`SECRET_Q="${b64('q')}"\nSECRET_C: ${b64('c')}\nSECRET_V='YW\u000BJj'\n`)
  assert.ok(r.ok)
  assert.deepEqual(dotenv.parse(r.text), { Q: 'q', C: 'c', V: 'abc' })
})

test('entries without the prefix, and lines dotenv skips, are kept as they are, with a warning', () => {
  const src = 'PLAIN=kept as is\nsecret_lower=eA==\nSECRET_=\n!junk line\nBARE\n'
  const r = decodeEnv(src)
  assert.ok(r.ok)
  assert.equal(r.text, src)
  assert.deepEqual(codes(r), [
    [1, 'PLAIN', 'not-prefixed', 'warning'], [2, 'secret_lower', 'not-prefixed', 'warning'],
    [3, 'SECRET_', 'empty-name', 'warning'], [4, null, 'ignored-line', 'warning'], [5, null, 'ignored-line', 'warning'],
  ])
  assert.match(r.diagnostics[1]?.message ?? '', /upper-case SECRET_/)
  assert.deepEqual(r.entries.filter((e) => !e.decoded).map((e) => e.name), ['PLAIN', 'secret_lower', 'SECRET_'])
})

test('values Kestra cannot decode, or that no .env can hold, are errors naming the key', () => {
  const r = decodeEnv(`SECRET_URL=-_-_\nSECRET_BAD=YQ=\nSECRET_WORD=password\nSECRET_NUL=${b64('a\0b')}\n` +
    `SECRET_MACRO={{ "x" | base64encode }}\nSECRET_ODD=${b64(`'\`\\n\n"`)}\nSECRET_OK=eA==\n`)
  assert.equal(r.ok, false)
  assert.equal(r.text, '')
  assert.deepEqual(r.entries, [])
  assert.deepEqual(codes(r), [
    [1, 'SECRET_URL', 'invalid-base64', 'error'], [2, 'SECRET_BAD', 'invalid-base64', 'error'],
    [3, 'SECRET_WORD', 'not-utf8', 'error'], [4, 'SECRET_NUL', 'unwritable-value', 'error'],
    [5, 'SECRET_MACRO', 'template', 'error'], [6, 'SECRET_ODD', 'unwritable-value', 'error'],
  ])
})

test('an empty value before a line that starts with a quote is written as \'\'', () => {
  const r = decodeEnv("SECRET_E=\n'unterminated\n")
  assert.ok(r.ok)
  assert.equal(r.text, "E=''\n'unterminated\n")
  assert.deepEqual(dotenv.parse(r.text), { E: '' })
})

test('a kept line that dotenv would read differently next to the decoded values is an error', () => {
  // OTHER's closing quote reads as escaped; in the encoded file no later quote ends a line, but
  // the decoded X=x' would, and dotenv would then run OTHER's value on to it.
  const r = decodeEnv(`OTHER='abc\\'\nSECRET_X=${b64("x'")}\n`)
  assert.equal(r.ok, false)
  assert.deepEqual(codes(r), [
    [1, 'OTHER', 'not-prefixed', 'warning'], [1, 'OTHER', 'unwritable-value', 'error'],
  ])
})

test('binary input is refused', () => {
  const r = decodeEnv('SECRET_A=eA==\n\0')
  assert.deepEqual(codes(r), [[2, null, 'binary', 'error']])
})

test('the shell loop\'s output: junk lines kept with warnings, the wrapped value joined', () => {
  const r = decodeEnv(fixture('loop.env_encoded'))
  assert.ok(r.ok)
  assert.deepEqual(codes(r), [
    [1, null, 'ignored-line', 'warning'], [3, null, 'ignored-line', 'warning'],
    [4, 'SECRET_', 'empty-name', 'warning'], [6, 'SECRET_SIGNING_KEY', 'wrapped-value', 'warning'],
  ])
  const plain = dotenv.parse(fixture('loop.env'))
  const decoded = dotenv.parse(r.text)
  // The loop keeps the quotes inside the value, and loses the last line (no final newline).
  assert.equal(decoded.POSTGRES_PASSWORD, `"${plain.POSTGRES_PASSWORD}"`)
  assert.equal(decoded.API_TOKEN, plain.API_TOKEN)
  assert.equal(decoded.SIGNING_KEY, plain.SIGNING_KEY)
  assert.equal(decoded.LAST_LINE, undefined)
  assert.ok(!r.text.includes('OVVzOGNLak16RWZZeWppV0E0UjQ='), 'the continuation line is gone')
})

test('a value wrapped at 76 columns over several lines is joined back whole', () => {
  const r = decodeEnv(fixture('wrapped.env_encoded'))
  assert.ok(r.ok)
  assert.deepEqual(dotenv.parse(r.text), { CERT: fixture('wrapped.cert.txt'), AFTER: 'after' })
  assert.deepEqual(codes(r), [[2, 'SECRET_CERT', 'wrapped-value', 'warning']])
  assert.match(r.text, /^# made with GNU base64/)
})

test('a well-formed encoded file decodes to the .env it was made from', () => {
  const r = decodeEnv(fixture('good.env_encoded'))
  assert.ok(r.ok)
  assert.deepEqual(r.diagnostics, [])
  assert.deepEqual(dotenv.parse(r.text), dotenv.parse(fixture('good.env')))
  const comments = (s: string): string[] => s.split('\n').filter((l) => l.startsWith('#'))
  assert.deepEqual(comments(r.text), comments(fixture('good.env')))
})

test('the macro form from the docs is an error', () => {
  const r = decodeEnv(fixture('macro.env_encoded'))
  assert.deepEqual(codes(r), [[2, 'SECRET_MY_SECRET', 'template', 'error']])
})

test('no entries: a warning', () => {
  assert.deepEqual(codes(decodeEnv('# only a comment\n')), [[null, null, 'no-entries', 'warning']])
})

test('a value that starts with a quote is written bare when dotenv reads it so (found by the property test)', () => {
  // Backtick, U+2028, backtick, backslash: no quoting carries it (the U+2028 ends a quoted line),
  // but dotenv's plain alternative reads it whole, since the quoted one fails on the backslash.
  const value = '`\u2028`\\'
  assert.equal(quoteValue(value), value)
  assert.equal(dotenv.parse(`K=${value}\nZ1=a'\nZ2=b"\nZ3=c\`\n`).K, value)
  assert.equal(quoteValue('`abc'), "'`abc'", 'no closing quote: the quoted reading could run into the next lines')
})

test('SECRET_X and X in one file would both be written as X: an error naming both lines', () => {
  const r = decodeEnv(`SECRET_X=${Buffer.from('a').toString('base64')}\nOTHER=1\nX=plain\n`)
  assert.equal(r.ok, false)
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.line, d.key]), [['decoded-twice', 3, 'X']])
  assert.match(r.diagnostics.find((d) => d.code === 'decoded-twice')?.message ?? '', /^SECRET_X \(line 1\) and X would both be written as X/)
  assert.equal(r.text, '')
})

test('a name defined twice: with a different value an error at the second line, with the same value a note', () => {
  const MARK = 'Qk1xMark'
  // SECRET_TOKEN with two values, SECRET_SAME twice alike, OTHER (kept as it is) with two values.
  const src = `SECRET_TOKEN=${b64(`${MARK}1`)}\nSECRET_SAME=${b64(MARK)}\nOTHER=a\n` +
    `SECRET_TOKEN=${b64(`${MARK}2`)}\nSECRET_SAME=${b64(MARK)}\nOTHER=b\n`
  const r = decodeEnv(src)
  assert.equal(r.ok, false)
  assert.equal(r.text, '')
  assert.deepEqual(codes(r), [
    [3, 'OTHER', 'not-prefixed', 'warning'], [4, 'SECRET_TOKEN', 'duplicate', 'error'], [5, 'SECRET_SAME', 'duplicate', 'note'],
    [6, 'OTHER', 'not-prefixed', 'warning'], [6, 'OTHER', 'duplicate', 'error'],
  ])
  const message = (line: number): string | undefined => r.diagnostics.find((d) => d.line === line && d.code === 'duplicate')?.message
  assert.equal(message(4), 'SECRET_TOKEN is already defined on line 1, with a different value: a .env holds one value per ' +
    'name, and dotenv would keep only the last: remove or rename one of them')
  assert.equal(message(5), 'SECRET_SAME is already defined on line 2, with the same value: it is written twice, and dotenv ' +
    'reads that value either way')
  assert.ok(r.diagnostics.every((d) => !d.message.includes(MARK) && !d.message.includes(b64(MARK).slice(0, 8))))

  // The same value only: written twice, as the input has it, with the note.
  const same = decodeEnv(`SECRET_A=${b64('x')}\n# again\nSECRET_A=${b64('x')}\n`)
  assert.ok(same.ok)
  assert.equal(same.text, 'A=x\n# again\nA=x\n')
  assert.deepEqual(codes(same), [[3, 'SECRET_A', 'duplicate', 'note']])
  // A value that does not decode has its own error, and is compared with nothing.
  const bad = decodeEnv(`SECRET_A=${b64('x')}\nSECRET_A=-_-_\n`)
  assert.deepEqual(codes(bad), [[2, 'SECRET_A', 'invalid-base64', 'error']])
  // Names that differ in case are two names to dotenv (Kestra's collision is check's to find).
  assert.deepEqual(codes(decodeEnv(`SECRET_a=${b64('x')}\nSECRET_A=${b64('y')}\n`)), [])
})

test('SECRET___proto__ is left out with a warning, as encode leaves __proto__ out: dotenv would drop it', () => {
  const wrapped = b64('x'.repeat(80))
  const src = `A=1\nSECRET___proto__=${b64('p')}\n# kept\nexport SECRET___proto__=${b64('q')} # a note\nSECRET_B=${b64('b')}\n` +
    `SECRET___proto__=${wrapped.slice(0, 76)}\n${wrapped.slice(76)}\nSECRET___proto__='${b64('r')}'`
  const r = decodeEnv(src)
  assert.ok(r.ok, JSON.stringify(r.diagnostics))
  // Its lines go (the wrapped value's continuation too), a comment after it stays.
  assert.equal(r.text, 'A=1\n# kept\n# a note\nB=b\n')
  assert.deepEqual(codes(r), [
    [1, 'A', 'not-prefixed', 'warning'], [2, 'SECRET___proto__', 'ignored-name', 'warning'],
    [4, 'SECRET___proto__', 'ignored-name', 'warning'], [6, 'SECRET___proto__', 'ignored-name', 'warning'],
    [8, 'SECRET___proto__', 'ignored-name', 'warning'],
  ])
  assert.equal(r.diagnostics[1]?.message, 'dotenv ignores the name __proto__, so SECRET___proto__ is left out: rename it')
  assert.deepEqual(r.entries.map((e) => e.variable), ['A', 'SECRET_B'])
  // Left out whatever its value: nothing is decoded, so nothing is said of the value.
  assert.deepEqual(codes(decodeEnv('SECRET___proto__=-_-_\n')), [
    [null, null, 'no-entries', 'warning'], [1, 'SECRET___proto__', 'ignored-name', 'warning'],
  ])
  // Another case is another name, which dotenv reads.
  assert.equal(decodeEnv(`SECRET___PROTO__=${b64('p')}\n`).text, '__PROTO__=p\n')
})

test('WrittenEntries: the entries as places in the text, each compared by its name and value', () => {
  const t = 'export SECRET_AB=eA==\nC=y\n'
  const w = new WrittenEntries(t)
  w.add(7, 'SECRET_AB', 'AB', 1, 'x')
  w.add(22, 'C', undefined, 2, 'y')
  assert.equal(w.length, 2)
  assert.equal(w.secrets, 1)
  assert.deepEqual(w.entry(0), { variable: 'SECRET_AB', name: 'AB', value: 'x', line: 1, decoded: true })
  assert.deepEqual(w.entry(1), { variable: 'C', name: 'C', value: 'y', line: 2, decoded: false })
  assert.equal(w.isWritten(0, 'AB', 'x'), true)
  assert.equal(w.isWritten(1, 'C', 'y'), true)
  // A name or value that differs in any way is not what was written.
  for (const [name, value] of [['AB', 'y'], ['A', 'x'], ['ABC', 'x'], ['SECRET_AB', 'x'], ['ab', 'x'], ['AB', '']]) {
    assert.equal(w.isWritten(0, name as string, value as string), false, `${name}=${value}`)
  }
  assert.equal(w.isWritten(1, 'SECRET_C', 'y'), false)
  assert.equal(w.known(0), true)
})

test('WrittenEntries: the repeats of the names written, each with the latest earlier one; a value that did not decode is not known', () => {
  const t = 'SECRET_A=eA==\nA=x\nSECRET_B=-\nSECRET_A=eA==\n'
  const w = new WrittenEntries(t)
  w.add(0, 'SECRET_A', 'A', 1, 'x')
  w.add(14, 'A', undefined, 2, 'x')
  w.add(18, 'SECRET_B', 'B', 3, undefined)
  w.add(29, 'SECRET_A', 'A', 4, 'x')
  const repeats: number[][] = []
  w.eachRepeat((i, earlier) => repeats.push([i, earlier]))
  assert.deepEqual(repeats, [[1, 0], [3, 1]])
  assert.deepEqual([0, 1, 2, 3].map((i) => w.known(i)), [true, true, false, true])
  assert.equal(w.entry(2).value, '')
})
