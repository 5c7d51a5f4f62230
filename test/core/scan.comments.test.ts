// Commented-out values over several lines: a comment whose assignment opens a quote that its line
// does not close is read over the comment lines after it, as dotenv would read the block
// uncommented (see CommentLine in scan.ts). The items are checked against dotenv on the block
// uncommented, and the shapes that would make the look-ahead quadratic are read in one pass.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import dotenv from 'dotenv'
import fc from 'fast-check'
import { scan, scanEntries, type CommentLine, type Entry, type ScanItem } from '../../src/core/scan.js'
import { runs } from '../helpers.js'

const RUNS = runs(20000)

/** The items as [kind, first line, last line, key, value, unclosed] (blank runs as their count). */
function shape(items: readonly ScanItem[]): unknown[] {
  return items.map((i) => {
    if (i.kind === 'comment') {
      const a = i.assignment
      return a === undefined ? ['comment', i.line, i.lastLine] : ['comment', i.line, i.lastLine, a.key, a.value, a.unclosed]
    }
    if (i.kind === 'entry') return ['entry', i.line, i.key, i.value]
    if (i.kind === 'blank') return ['blank', i.count]
    return ['skipped', i.line]
  })
}

const PEM = '# OLD="-----BEGIN KEY-----\n# abc\n# -----END KEY-----"\nA=1\n'

test('a commented-out quoted value over several lines is one item, with the value dotenv reads uncommented', () => {
  const r = scan(PEM)
  assert.deepEqual(shape(r.items), [
    ['comment', 1, 3, 'OLD', '-----BEGIN KEY-----\nabc\n-----END KEY-----', false],
    ['entry', 4, 'A', '1'],
  ])
  const c = r.items[0] as CommentLine
  assert.deepEqual([c.start, c.hash, c.end], [0, 0, PEM.indexOf('\nA=1')])
  assert.equal(c.assignment?.value, dotenv.parse('OLD="-----BEGIN KEY-----\nabc\n-----END KEY-----"\nA=1\n').OLD)
  // Single quotes and backticks; `#` with no space, indentation, export, a `#` inside the value.
  const cases: Array<[string, string]> = [
    ["# K='line 1\n# line 2'\n", 'line 1\nline 2'],
    ['# K=`line 1\n# line 2`\n', 'line 1\nline 2'],
    ['#K="a\n#b\n#c"', 'a\nb\nc'],
    ['  # K="a\n\t#  b\n   #c"\n', 'a\n b\nc'],
    ['# export K="a\n# b # not a comment\n# c" # a comment\n', 'a\nb # not a comment\nc'],
    ['# K="a\n#\n# c"\n', 'a\n\nc'],
    ['# K="a\\n\n# b"\n', 'a\n\nb'],
    // An assignment inside the value is part of it.
    ['# K="a\n# B=2\n# c"\n', 'a\nB=2\nc'],
  ]
  for (const [doc, value] of cases) {
    const items = scan(doc).items
    assert.equal(items.length, 1, JSON.stringify(doc))
    assert.deepEqual(shape(items)[0], ['comment', 1, doc.trimEnd().split('\n').length, 'K', value, false], JSON.stringify(doc))
  }
})

test('the items after a commented-out value keep their lines; CRLF and U+2028 read as in one line', () => {
  const doc = '# A=1\n# K="a\n# b"\n\n# plain\nB=2\n# C="x\n#y"'
  assert.deepEqual(shape(scan(doc).items), [
    ['comment', 1, 1, 'A', '1', false],
    ['comment', 2, 3, 'K', 'a\nb', false],
    ['blank', 1],
    ['comment', 5, 5],
    ['entry', 6, 'B', '2'],
    ['comment', 7, 8, 'C', 'x\ny', false],
  ])
  assert.deepEqual(shape(scan(doc.replace(/\n/g, '\r\n')).items), shape(scan(doc).items))
  // A line separator in a comment line is a space there, as for a comment read on its own.
  assert.deepEqual(shape(scan('# K="a\u2028b\n# c\u2028"\n').items), [['comment', 1, 2, 'K', 'a b\nc ', false]])
})

test('where dotenv closes the quote: escaped quotes, text after the closing quote', () => {
  // The first quote without a backslash before it closes the value, unless text follows it;
  // then one with a backslash before it can, the last first.
  assert.deepEqual(shape(scan('# K="a\\"\n# b"\n').items), [['comment', 1, 2, 'K', 'a\\"\nb', false]])
  assert.deepEqual(shape(scan('# K="a\\"\n# b\\" x\n# B=1\n').items), [['comment', 1, 1, 'K', 'a\\', false], ['comment', 2, 2], ['comment', 3, 3, 'B', '1', false]])
  assert.deepEqual(shape(scan('# K="a\n# b\\"\n# c" x\n').items), [['comment', 1, 2, 'K', 'a\nb\\', false], ['comment', 3, 3]])
  // Settled on its own line: the lines after are items of their own, as before.
  assert.deepEqual(shape(scan('# K="a"\n# b"\n').items), [['comment', 1, 1, 'K', 'a', false], ['comment', 2, 2]])
  assert.deepEqual(shape(scan('# K="a" x\n# b"\n').items), [['comment', 1, 1, 'K', '"a" x', false], ['comment', 2, 2]])
  assert.deepEqual(shape(scan('# K=a"\n# b"\n').items), [['comment', 1, 1, 'K', 'a"', false], ['comment', 2, 2]])
})

test('nothing after `=`: a quote that starts the next comment line that is not blank opens the value, as dotenv reads it uncommented', () => {
  for (const doc of ['# PASSWORD=\n# "LEAKME"\n', '# PASSWORD= \n#\n#   \'LEAK\n# ME\'\n', '#export PASSWORD=\n# `LEAKME` # c\n']) {
    const uncommented = doc.split('\n').map((l) => l.replace(/^#( )?/, '')).join('\n')
    const [item] = scan(doc).items as CommentLine[]
    assert.equal(item?.assignment?.value, dotenv.parse(uncommented).PASSWORD, JSON.stringify(doc))
    assert.equal(item?.lastLine, doc.trimEnd().split('\n').length, JSON.stringify(doc))
  }
  // A quote that closes nowhere, text after the closing quote, a comment after `=`: K is empty.
  assert.deepEqual(shape(scan('# K=\n# "a\n# b\n').items), [['comment', 1, 1, 'K', '', false], ['comment', 2, 2], ['comment', 3, 3]])
  assert.deepEqual(shape(scan('# K=\n# "a" b\n').items), [['comment', 1, 1, 'K', '', false], ['comment', 2, 2]])
  assert.deepEqual(shape(scan('# K= # c\n# "a"\n').items), [['comment', 1, 1, 'K', '', false], ['comment', 2, 2]])
  assert.deepEqual(shape(scan('# K=\n\n# "a"\n').items), [['comment', 1, 1, 'K', '', false], ['blank', 1], ['comment', 3, 3]])
})

test('a quote that no comment line closes: the lines after it that hold no assignment go with it', () => {
  // To the end of the text, to a line that is not a comment, to a blank line.
  const unclosed = '"-----BEGIN KEY-----\nabc\n-----END KEY-----'
  assert.deepEqual(shape(scan('# OLD="-----BEGIN KEY-----\n# abc\n# -----END KEY-----').items), [['comment', 1, 3, 'OLD', unclosed, true]])
  assert.deepEqual(shape(scan('# OLD="-----BEGIN KEY-----\n# abc\n# -----END KEY-----\nA=1\n').items),
    [['comment', 1, 3, 'OLD', unclosed, true], ['entry', 4, 'A', '1']])
  assert.deepEqual(shape(scan('# OLD="-----BEGIN KEY-----\n# abc\n\n# -----END KEY-----"\n').items),
    [['comment', 1, 2, 'OLD', '"-----BEGIN KEY-----\nabc', true], ['blank', 1], ['comment', 4, 4]])
  // Up to a line that holds an assignment of its own, which is an item of its own.
  assert.deepEqual(shape(scan('# OLD="a\n# b\n# NEW=2\n# c\n').items),
    [['comment', 1, 2, 'OLD', '"a\nb', true], ['comment', 3, 3, 'NEW', '2', false], ['comment', 4, 4]])
  assert.deepEqual(shape(scan('# A="x\n# A="x\n# A="x\n').items),
    [['comment', 1, 1, 'A', '"x', false], ['comment', 2, 2, 'A', '"x', false], ['comment', 3, 3, 'A', '"x', false]])
  // At most to the line of the quote dotenv would have closed it with, had text not followed it.
  assert.deepEqual(shape(scan("# GREETING='hello\n# it's the default\n# see the docs\n").items),
    [['comment', 1, 2, 'GREETING', "'hello\nit's the default", true], ['comment', 3, 3]])
  // A line that dotenv reads as an entry after U+2028 ends the block there.
  assert.deepEqual(shape(scan('# K="a\n# b\u2028B=1\n').items), [['comment', 1, 2, 'K', '"a\nb ', true], ['entry', 2, 'B', '1']])
})

/** A comment line's text after `#`, and after one space if there is one (the first line's space is white space to dotenv anyway). */
const uncomment = (line: string): string => {
  const body = line.slice(line.indexOf('#') + 1)
  return body.startsWith(' ') ? body.slice(1) : body
}
const uncommented = (lines: readonly string[]): string => lines.map(uncomment).join('\n')

// Lines of a comment block whose first line is `# KEY=` and a quote: pieces of every kind, quotes
// and backslashes included, so that the quote closes on some line, on none, or is followed by text.
const PIECES = ['a', 'x', ' ', '"', "'", '`', '\\', '\\"', "\\'", '\\`', '#', ' # c', '=', 'B=1', 'KEY=2', '\\n', '\t', 'é']
const block = fc
  .tuple(
    fc.constantFrom('"', "'", '`'),
    fc.array(fc.array(fc.constantFrom(...PIECES), { maxLength: 5 }).map((p) => p.join('')), { minLength: 1, maxLength: 6 }),
    fc.array(fc.constantFrom('# ', '#', '  # ', '#  ', '\t#'), { minLength: 6, maxLength: 6 }),
    fc.constantFrom('', 'export '),
    fc.constantFrom('', '\n', '\nZ=1\n', '\n\n# z\n', '\n# "\n'),
  )
  .map(([q, parts, hashes, exported, after]) => ({
    doc: parts.map((p, i) => (i === 0 ? `# ${exported}KEY=${q}${p}` : `${hashes[i] as string}${p}`)).join('\n') + after,
  }))

test('property: every commented-out value holds what dotenv reads from its lines uncommented', () => {
  fc.assert(fc.property(block, ({ doc }) => {
    const r = scan(doc)
    const c = r.items[0] as CommentLine
    assert.equal(c.kind, 'comment')
    const a = c.assignment
    if (a === undefined) return
    const lines = doc.split('\n')
    const end = lines.findIndex((l) => !/^\s*#/.test(l))
    const block = end === -1 ? lines : lines.slice(0, end)
    const first = dotenv.parse(uncomment(block[0] as string)).KEY as string
    // The whole block uncommented, when no other line of it defines KEY (dotenv keeps the last).
    const whole = uncommented(block)
    const once = (whole.match(/^\s*(?:export\s+)?KEY\s*=/gm) ?? []).length === 1
    if (!a.unclosed) {
      assert.equal(a.value, dotenv.parse(uncommented(lines.slice(0, c.lastLine))).KEY, 'the value dotenv reads from the lines of the item')
      if (once) assert.equal(a.value, dotenv.parse(whole).KEY, 'the value dotenv reads from the whole block')
    } else {
      assert.ok(c.lastLine > c.line, 'an unclosed value takes lines after its own')
      assert.ok(/^['"`]/.test(first), 'dotenv keeps the quote it never closed')
      if (once) assert.equal(dotenv.parse(whole).KEY, first, 'dotenv reads only the first line')
      assert.equal(a.value, [first, ...lines.slice(1, c.lastLine).map(uncomment)].join('\n'), "the first line's value, then the lines")
    }
    // The next item starts on the line after the last one this covers.
    const rest = r.items[1]
    if (rest !== undefined && rest.kind !== 'blank') assert.equal(rest.line, c.lastLine + 1)
  }), { numRuns: RUNS })
})

test('property: scanEntries gives the entries among commented-out values over several lines that scan gives', () => {
  fc.assert(fc.property(block, block, fc.constantFrom('A=1\n', 'B="x\n# y"\n', ''), ({ doc: a }, { doc: b }, entry) => {
    const doc = a + entry + b + entry
    const entries: Entry[] = []
    scanEntries(doc, (e) => entries.push(e))
    assert.deepEqual(entries, scan(doc).entries)
  }), { numRuns: RUNS })
})

test('the look-ahead reads each line a bounded number of times, whatever opens or closes where', { timeout: 30_000 }, () => {
  // Each shape, were the lines after a value read again for every value, would take minutes.
  const N = 50_000
  const count = (doc: string): number => scan(doc).items.length
  // Every line opens a quote that the next line's opening quote would close, but for the text after it.
  assert.equal(count('# A="x\n'.repeat(N)), N)
  assert.equal(count('# A=`x\n'.repeat(N)), N)
  assert.equal(count('# A="x\\" y\n'.repeat(N)), N)
  // Quotes of other kinds between the opening and the closing one: one value over every line.
  assert.equal(count('# A="x\n' + "# B='y\n".repeat(N) + '# "\n'), 1)
  assert.equal(count('# A="x\n# C=`z\n' + "# B='y\n".repeat(N) + '# `\n# "\n'), 1)
  // Escaped quotes only: each may close the value (the last one does), or none may.
  assert.equal(count('# A="\n' + '# \\"\n'.repeat(N)), 1)
  assert.equal(count('# A="\n' + '# \\" y\n'.repeat(N)), 1)
  // 200,000 lines after a quote that nothing closes.
  assert.equal(count('# A="-----BEGIN KEY-----\n' + '# abc\n'.repeat(200_000)), 1)
  // Values over two lines, one after the other; values cut by blank lines.
  assert.equal(count('# A="x\n# y"\n'.repeat(N)), N)
  assert.equal(count('# A="x\n\n'.repeat(N)), 2 * N)
  assert.equal(count('# A="x\n# abc\n'.repeat(N)), N)
})
