// Every hard case under test/fixtures/ is read by `scan` exactly as dotenv 18 (default mode) reads it.
// For most fixtures the expected object is also written out by hand, so a test fails even when
// scan and dotenv would be wrong in the same way (for example after a dotenv upgrade).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import dotenv from 'dotenv'
import { scan, toRecord } from '../../src/core/scan.js'
import { ROOT } from '../helpers.js'

const dir = join(ROOT, 'test', 'fixtures')
const files = readdirSync(dir).filter((f) => f.endsWith('.env')).sort()

/** The text as it is on disk: UTF-8, BOM kept, line ends untouched. */
function read(name: string): string {
  return readFileSync(join(dir, name), 'utf8')
}

const LS = '\u2028'
const PS = '\u2029'

const expected: Record<string, Record<string, string>> = {
  'multiline.env': {
    PRIVATE_KEY: '-----BEGIN KEY-----\nline1\nline2\n-----END KEY-----',
    SINGLE: 'a\nb',
    BACKTICK: 'x\ny',
    WITH_COMMENT_INSIDE: 'first\n# not a comment\nlast',
    AFTER: 'ok',
  },
  'crlf.env': { A: '1', B: 'x\ny', C: 'multi\nline', D: 'lone', E: 'cr' },
  'bom.env': { FIRST: '1', SECOND: '2', MID: '3', LAST: '4' },
  'export.env': { A: '1', B: '2', C: '3', D: '4', export: '8', exportE: '6', F: '7' },
  // `B:2`, `C :3` and `H:: x` are not entries; `E:` takes the whole next line as its value.
  'colon.env': { A: '1', D: 'tab', E: 'F: "quoted"', G: 'spaced', URL: 'http://x:8080/a' },
  'inline-comments.env': {
    A: 'value', B: 'value', C: 'quoted', D: 'quoted', E: '', F: '', G: 'a', H: 'a # b', I: 'a#b', J: '1',
  },
  'quotes.env': {
    S: 'single',
    D: 'double',
    B: 'backtick',
    MIX: "it's",
    MIX2: 'say "hi"',
    AFTER: '"abc" xyz',
    AFTER2: "'abc'def",
    EMPTY_D: '',
    EMPTY_S: '',
    SPACED: '  padded  ',
    INDENTED: 'x',
  },
  // The first unescaped closing quote is followed by text, so the engine backs off to the last
  // escaped quote that ends a line.
  'quotes-backtrack.env': { A: 'x\\', B: 'y', C: "p\\' q\\", D: 'r', E: 'one\\"\ntwo\\', F: 'z' },
  'escapes.env': {
    NL: 'a\nb',
    CR: 'a\rb',
    BOTH: 'x\r\ny',
    SINGLE_NL: 'a\\nb',
    BT_NL: 'a\\nb',
    UNQ: 'a\\nb',
    ESC_DQ: 'say \\"hi\\"',
    ESC_SQ: "it\\'s",
    TAB: 'a\\tb',
    BS: 'C:\\\\path',
    DOUBLE_BS_N: 'a\\\nb',
    TRAIL: 'end\\\\',
    AFTER_TRAIL: 'z',
  },
  'no-final-newline.env': { A: '1', B: 'x', LAST: 'end' },
  'unicode.env': {
    GREETING: 'héllo wörld',
    EMOJI: '😀🎉',
    CJK: '中文字符',
    QUOTED: '日本語 # not comment',
    NBSP: 'value with nbsp',
    LEADING_NBSP: '1',
    IDEO: 'x',
  },
  'empty-values.env': { A: '', B: '', C: '', D: '', E: '', F: '', H: 'quoted on next line', I: '', J: 'after' },
  'key-then-equals.env': { KEY: 'value', OTHER: 'spaced', NAME: 'exported' },
  'hash-equals-dollar.env': {
    URL: 'postgres://u:p@h:5432/db?x=1&y=2',
    TEMPLATE: '${HOME}/path',
    PRICE: '$5',
    EQ: '=value=',
    HASH: '#not-a-comment',
    HASH2: '#nope',
    HASH3: 'abc',
    BRACES: '{"a": 1}',
  },
  'unterminated.env': {
    A: '"never closed', B: '2', C: "'also open", D: '4', E: '`opens', F: '1', G: 'x', H: 'starts\nstill H', I: '9',
  },
  // An unquoted value runs over U+2028/U+2029 (they are not in `[^#\r\n]`), but `^` and `$` see
  // them as line ends.
  'line-separators.env': {
    A: `1${LS}B=2${PS}C=3`, D: `x${LS}y`, E: 'before', F: '6', G: 'q', H: '8', I: `multi${PS}line`, K: `x${LS}y`,
    // One pair of quotes goes: from the quote opening a line to the last quote that ends one.
    L: `x${LS}a'${LS}'b`,
    M: 'q',
    N: '9',
  },
  'duplicates.env': { A: '3', a: '2', 10: 'ten', 2: 'two', 'key.with.dots': 'd', 'key-with-dashes': 'e' },
  'whitespace.env': { KEY: 'value', VT: '1', LAST: '2' },
  'proto.env': { constructor: 'y', toString: 'z', hasOwnProperty: 'w' },
}

test('the fixtures directory holds the hard cases', () => {
  assert.ok(files.length >= 15, `only ${files.length} fixtures found in ${dir}`)
  for (const name of Object.keys(expected)) assert.ok(files.includes(name), `missing fixture ${name}`)
})

test('fixtures are read with their BOM and line ends intact', () => {
  assert.equal(read('bom.env').charCodeAt(0), 0xfeff)
  assert.ok(read('crlf.env').includes('\r\n'))
  assert.ok(/\r[^\n]/.test(read('crlf.env')), 'crlf.env should also hold a lone CR')
  assert.ok(!read('no-final-newline.env').endsWith('\n'))
  assert.ok(read('line-separators.env').includes(LS) && read('line-separators.env').includes(PS))
})

for (const name of files) {
  test(`scan reads ${name} as dotenv.parse does`, () => {
    const text = read(name)
    const mine = toRecord(scan(text).entries)
    assert.deepStrictEqual({ ...mine }, { ...dotenv.parse(text) })
  })
}

for (const [name, want] of Object.entries(expected)) {
  test(`${name} gives the hand-written result`, () => {
    const text = read(name)
    assert.deepStrictEqual({ ...toRecord(scan(text).entries) }, want, 'scan')
    assert.deepStrictEqual({ ...dotenv.parse(text) }, want, 'dotenv')
  })
}
