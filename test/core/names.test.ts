// repeatedNames finds its repeats through a hash set of its own (names.ts, anyAlike): it must agree
// with the plain reading of the rule, two names that are one once upper-cased, on every list,
// including names that only toUpperCase makes alike (ı, ſ, ß) and lists with holes.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { displayName, repeatedNames, Repeats, type Repeat } from '../../src/core/names.js'
import { hasPrefixInAnyCase } from '../../src/core/kestra.js'
import { runs } from '../helpers.js'

/** The rule as it reads: each name against every earlier one, the latest alike one first. */
function plainRepeats(names: ReadonlyArray<string | undefined>): Repeat[] {
  const repeats: Repeat[] = []
  names.forEach((name, index) => {
    if (name === undefined) return
    for (let earlier = index - 1; earlier >= 0; earlier--) {
      const other = names[earlier]
      if (other === undefined || other.toUpperCase() !== name.toUpperCase()) continue
      repeats.push({ index, earlier, sameCase: other === name })
      return
    }
  })
  return repeats
}

const PIECES = ['a', 'A', 'b', 'B', 'i', 'I', 'ı', 's', 'S', 'ſ', 'ß', 'SS', '_', '1', 'é', 'É', 'K']

test('repeatedNames agrees with the rule on lists of names alike in every way', () => {
  const name = fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 4 }).map((p) => p.join(''))
  fc.assert(fc.property(fc.array(fc.option(name, { nil: undefined, freq: 6 }), { maxLength: 40 }), (names) => {
    assert.deepEqual(repeatedNames(names), plainRepeats(names))
  }), { numRuns: runs(2000) })
})

test('repeatedNames on a large list: no repeat, then one at the end, then one in another case', () => {
  const names = Array.from({ length: 50_000 }, (_, i) => `KEY_${i}`)
  assert.deepEqual(repeatedNames(names), [])
  assert.deepEqual(repeatedNames([...names, 'KEY_123']), [{ index: 50_000, earlier: 123, sameCase: true }])
  assert.deepEqual(repeatedNames([...names, 'key_7']), [{ index: 50_000, earlier: 7, sameCase: false }])
})

// One generator, the bench's too (scripts/ is not compiled: its path from build/test/core).
const { floodNames, fnv1a } = await import(new URL('../../../scripts/flood-names.js', import.meta.url).href) as {
  floodNames: (blocks: number) => string[]
  fnv1a: (text: string) => number
}

test('names made to share the low bits of an unseeded hash do not pile up in one slot of the table', () => {
  const names = floodNames(13)
  assert.equal(new Set(names).size, names.length)
  // They do share them: the attack is real, for the hash the table had before.
  assert.equal(new Set(names.map((name) => fnv1a(name) & 0xffffff)).size, 1)
  for (const exact of [false, true]) {
    const table = new Repeats((i) => names[i] as string, 0, exact)
    names.forEach((name, i) => assert.equal(table.add(name, 0, name.length, i), -1))
    // At most half full, linear probing passes over about half a slot per name; all in one slot
    // would be n^2 / 2 (33 million here).
    assert.ok(table.collisions < names.length * 2, `${table.collisions} slots passed over for ${names.length} names`)
    // And the table still finds a repeat, in any case unless exact.
    const last = names.length
    assert.equal(table.add(names[5] as string, 0, (names[5] as string).length, last), 5)
  }
  assert.deepEqual(repeatedNames([...names, (names[77] as string).toLowerCase()]), [{ index: names.length, earlier: 77, sameCase: false }])
})

test('hasPrefixInAnyCase: the prefix in any case, ASCII or not, as toUpperCase reads it', () => {
  const plain = (name: string): boolean => name.length >= 7 && name.slice(0, 7).toUpperCase() === 'SECRET_'
  for (const name of ['SECRET_A', 'secret_a', 'SeCrEt_', 'SECRET', 'SECRETX', 'ſecret_a', 'SECRET-A', 'XSECRET_', 'sécret_a', '']) {
    assert.equal(hasPrefixInAnyCase(name), plain(name), name)
  }
  fc.assert(fc.property(fc.array(fc.constantFrom('s', 'S', 'ſ', 'e', 'E', 'c', 'C', 'r', 'R', 't', 'T', '_', 'x', 'é'), { maxLength: 9 }),
    (chars) => assert.equal(hasPrefixInAnyCase(chars.join('')), plain(chars.join('')))), { numRuns: runs(2000) })
})

test('displayName never shows a name that may be a secret\'s base64, and shows the names people give', () => {
  const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64')
  const hidden = [
    b64('hunter2-pass'), b64('hunter2-pass!').replace(/=+$/, ''), `${b64('hunter2-pass!')}: rest`,
    b64('a1b2c3d4'), `${b64('x+y/z 1234')}=junk`, 'cGFzcw', 'cGFzczE', b64('pass').replace(/=+$/, ''), Buffer.from([0xff, 0x00, 0x81, 0x9a, 0x10, 0x20, 0x33, 0xee, 0x07, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa]).toString('base64'),
    // Text but for a NUL before it or a line feed after it.
    'AHVudGVyMlhZWg', b64('\0hunter2').replace(/=+$/, ''), b64('hunter2\n'), b64('\0\0pass\r\n'),
  ]
  for (const name of hidden) assert.equal(displayName(name), '<base64>', name)
  // Names of letters, digits and _ (an _ early, or bytes that are no text), and YAML keys cut at a value.
  const shown: Array<[string, string]> = [
    ['PASSWORD', 'PASSWORD'], ['JAVA_OPTS', 'JAVA_OPTS'], ['KESTRAURL', 'KESTRAURL'], ['hunter22', 'hunter22'],
    ['SECRET_DATABASE_PASSWORD', 'SECRET_DATABASE_PASSWORD'], ['DB', 'DB'], ['AWSACCESSKEYID', 'AWSACCESSKEYID'],
    // Fewer than 4 letters between control characters: no text.
    ['BEARER', 'BEARER'], ['SENDGRID', 'SENDGRID'],
    ['SECRET_A=czNjcmV0', 'SECRET_A…'], ['SECRET_DB:"Y3p"', 'SECRET_DB…'], ['x'.repeat(200), `${'x'.repeat(128)}…`],
  ]
  for (const [name, display] of shown) assert.equal(displayName(name), display, name)
  // After the prefix in any case, and after the prefix repeated: what follows may be a value.
  const secret = b64('hunter2-pass')
  for (const prefix of ['SECRET_', 'secret_', 'Secret_', 'SECRET_SECRET_', 'SECRET_secret_']) {
    assert.equal(displayName(`${prefix}${secret}`), `${prefix}<base64>`, prefix)
  }
  assert.equal(displayName('SECRET_SECRET_DB'), 'SECRET_SECRET_DB')
  // However long the run of prefixes: no recursion (it overflowed the stack at 8,000), and no more
  // than MAX_SHOWN_NAME characters of it.
  const many = 'SECRET_'.repeat(100_000)
  assert.equal(displayName(`${many}X`), `${many.slice(0, 128)}…`)
  assert.equal(displayName(`${many}${secret}`), `${many.slice(0, 128)}…<base64>`)
})
