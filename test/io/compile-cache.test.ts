// Node's compile cache (issue 15): bin/kestra-secrets.js enables it on Node 22.1 and later, and
// nothing that its folder holds may change what a run does, make it hang or crash it: a truncated,
// corrupt or symbolically linked cache file, a named pipe in its place, a cache planted from
// another script under the bundle's path, one forged to pass Node's own check (same length, same
// CRC-32), and a folder that someone else can write. Each run must give exactly the output and exit
// code of a run without any cache, within seconds.
//
// On Node 20 there is no compile cache and these tests are skipped; `npm run test:full` runs them on
// Node 22, 24 and 26 (scripts/test-nodes.js).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, chownSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs'
import module from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT } from '../helpers.js'

const supported = typeof (module as { enableCompileCache?: unknown }).enableCompileCache === 'function'
const skip = supported ? false : `Node ${process.version} has no compile cache (22.1 and later): run by npm run test:full on Node 22, 24 and 26`
const isRoot = process.getuid?.() === 0

const ENV = 'A=1\nB="two"\n# a comment\nC=three\n'

interface Outcome {
  status: number | null
  signal: string | null
  stdout: string
  stderr: string
}

/**
 * A copy of the installed package (bin/ and dist/) under build/, so that the cache entries made
 * here are keyed by paths of this test only; dist/ resolves its packages from the repository's
 * node_modules, above it.
 */
function packageCopy(): string {
  const root = join(ROOT, 'build', `compile-cache-${process.pid}`)
  rmSync(root, { recursive: true, force: true })
  cpSync(join(ROOT, 'bin'), join(root, 'bin'), { recursive: true })
  cpSync(join(ROOT, 'dist'), join(root, 'dist'), { recursive: true })
  return root
}

/** Runs `encode` of the copy with TMPDIR at `tmp`, so that Node's cache folder is tmp/node-compile-cache. */
function run(pkg: string, tmp: string, env: NodeJS.ProcessEnv = {}): Outcome {
  const full: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', TMPDIR: tmp, NODE_COMPILE_CACHE: undefined, NODE_DISABLE_COMPILE_CACHE: undefined, ...env }
  for (const k of Object.keys(full)) if (full[k] === undefined) delete full[k]
  // umask 022: the folders Node makes are then writable by their owner alone, as on most systems.
  const r = spawnSync('sh', ['-c', `umask 022; exec "${process.execPath}" "${join(pkg, 'bin', 'kestra-secrets.js')}" encode .env --stdout`],
    { cwd: pkg, env: full, encoding: 'utf8', timeout: 20_000 })
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr }
}

/** The cache files of this Node version under `base`. */
function cacheFiles(base: string): string[] {
  const versions = readdirSync(base).filter((v) => v.startsWith(`${process.version}-${process.arch}-`))
  return versions.flatMap((v) => readdirSync(join(base, v)).map((f) => join(base, v, f)))
}

/** A fresh temporary folder for Node's cache, private as a user's own tmp is. */
function privateTmp(parent: string, name: string): string {
  const dir = join(parent, name)
  mkdirSync(dir, { mode: 0o700 })
  chmodSync(dir, 0o700)
  return dir
}

interface Copy {
  /** The package copy, with a .env beside its bin. */
  pkg: string
  /** A folder for the temporary folders the cases use. */
  tmps: string
  /** The copy's bundle and its real bytes, put back however the test ends. */
  bundle: string
  real: Buffer
  /** What a run without any cache gives. */
  expected: Outcome
}

/** Runs `fn` on a fresh copy of the package, removed afterwards. */
function withCopy(fn: (copy: Copy) => void): void {
  const pkg = packageCopy()
  const tmps = mkdtempSync(join(tmpdir(), 'kestra-secrets-cache-'))
  const bundle = join(pkg, 'dist', 'cli.cjs')
  const real = readFileSync(bundle)
  try {
    writeFileSync(join(pkg, '.env'), ENV)
    const expected = run(pkg, privateTmp(tmps, 'none'), { NODE_DISABLE_COMPILE_CACHE: '1' })
    assert.equal(expected.status, 0, expected.stderr)
    fn({ pkg, tmps, bundle, real, expected })
  } finally {
    writeFileSync(bundle, real)
    rmSync(pkg, { recursive: true, force: true })
    rmSync(tmps, { recursive: true, force: true })
  }
}

/** One bit flipped in the middle of each file. */
function flipBit(files: string[]): void {
  for (const f of files) {
    const b = readFileSync(f)
    b[b.length >> 1] = (b[b.length >> 1] as number) ^ 0x10
    writeFileSync(f, b)
  }
}

test('a corrupt, truncated, linked or piped compile cache changes nothing and never hangs', { skip }, () => {
  withCopy(({ pkg, tmps, expected }) => {
    // Each case starts from a cache that a first run made, then damages it.
    const cases: Array<[string, (files: string[]) => void]> = [
      ['as it was made', () => {}],
      ['truncated to half', (files) => files.forEach((f) => truncateSync(f, Math.floor(readFileSync(f).length / 2)))],
      ['truncated to 10 bytes', (files) => files.forEach((f) => truncateSync(f, 10))],
      ['emptied', (files) => files.forEach((f) => truncateSync(f, 0))],
      ['overwritten with noise', (files) => files.forEach((f) => writeFileSync(f, Buffer.from(Array.from({ length: readFileSync(f).length }, (_, i) => (i * 7919) & 0xff))))],
      ['with one bit flipped in the middle', flipBit],
      ['replaced by a named pipe', (files) => files.forEach((f) => {
        rmSync(f)
        assert.equal(spawnSync('mkfifo', [f]).status, 0)
      })],
      ['replaced by a link to a named pipe', (files) => files.forEach((f) => {
        rmSync(f)
        assert.equal(spawnSync('mkfifo', [`${f}.pipe`]).status, 0)
        symlinkSync(`${f}.pipe`, f)
      })],
      ['replaced by a link to another file', (files) => files.forEach((f) => {
        rmSync(f)
        writeFileSync(join(tmps, 'other'), 'not a cache\n')
        symlinkSync(join(tmps, 'other'), f)
      })],
      ['replaced by a link to /dev/zero', (files) => files.forEach((f) => {
        rmSync(f)
        symlinkSync('/dev/zero', f)
      })],
    ]
    for (const [i, [what, damage]] of cases.entries()) {
      const tmp = privateTmp(tmps, `case-${i}`)
      const first = run(pkg, tmp)
      assert.deepEqual(first, expected, `${what}: the run that makes the cache`)
      const files = cacheFiles(join(tmp, 'node-compile-cache'))
      assert.ok(files.length > 0, `${what}: the first run made a cache (${files.length} files)`)
      damage(files)
      for (const attempt of [1, 2]) {
        const r = run(pkg, tmp)
        assert.notEqual(r.signal, 'SIGTERM', `${what}: run ${attempt} hung (killed after 20 s)`)
        assert.deepEqual(r, expected, `${what}: run ${attempt}`)
      }
    }
  })
})

test('a cache planted from another script changes nothing, nor one forged to pass Node\'s check in a folder others can write', { skip }, () => {
  withCopy(({ pkg, tmps, bundle, real, expected }) => {
    const planted = "process.stdout.write('PLANTED\\n')\n"
    const plant = (tmp: string, script: Buffer): void => {
      writeFileSync(bundle, script)
      const made = run(pkg, tmp)
      writeFileSync(bundle, real)
      assert.equal(made.stdout, 'PLANTED\n', 'the planted script ran once, to make its cache')
    }
    // Another script, of another length: Node's own check refuses it.
    const other = privateTmp(tmps, 'other')
    plant(other, Buffer.from(planted))
    assert.deepEqual(run(pkg, other), expected, 'a cache of another script')
    // A script of the bundle's length and CRC-32, which Node's check accepts: it must never be
    // read from a folder that anyone else can write, nor from one of another user.
    const forged = forgeCrc32(planted, real)
    const shared = privateTmp(tmps, 'shared')
    plant(shared, forged)
    const base = join(shared, 'node-compile-cache')
    const version = join(base, readdirSync(base)[0] as string)
    // What the check in the bin stands against: Node runs the forged code as the bundle's.
    assert.equal(run(pkg, shared).stdout, 'PLANTED\n', 'Node accepts a forged cache (if a later Node refuses it, this line can go)')
    for (const [what, open] of [
      ['a folder that all can write', () => chmodSync(base, 0o777)],
      ['a folder that its group can write', () => chmodSync(base, 0o775)],
      ['a version folder that all can write', () => { chmodSync(base, 0o755); chmodSync(version, 0o777) }],
      ...(isRoot ? [['a folder of another user', () => { chmodSync(version, 0o755); chownSync(base, 65534, 65534) }] as const] : []),
    ] as const) {
      open()
      for (const attempt of [1, 2]) assert.deepEqual(run(pkg, shared), expected, `a forged cache in ${what}: run ${attempt}`)
    }
  })
})

test('NODE_COMPILE_CACHE: a corrupt, truncated, linked or foreign cache changes nothing', { skip }, () => {
  // With NODE_COMPILE_CACHE set, Node itself reads that folder before any code of the tool runs,
  // and trusts it as the user said: a named pipe there would block Node before the bin starts
  // (README, Safety). What Node checks by itself is checked here.
  withCopy(({ pkg, tmps, bundle, real, expected }) => {
    const damages: Array<[string, (files: string[], cache: string) => void]> = [
      ['truncated', (files) => files.forEach((f) => truncateSync(f, 10))],
      ['flipped', flipBit],
      ['linked to each other', (files) => {
        const [a, b] = files
        if (a === undefined || b === undefined) return
        rmSync(a)
        symlinkSync(b, a)
      }],
      ['of another script', (_files, cache) => {
        writeFileSync(bundle, "process.stdout.write('PLANTED\\n')\n")
        const made = run(pkg, tmps, { NODE_COMPILE_CACHE: cache })
        writeFileSync(bundle, real)
        assert.equal(made.stdout, 'PLANTED\n')
      }],
    ]
    for (const [i, [what, damage]] of damages.entries()) {
      const cache = join(tmps, `env-${i}`)
      assert.deepEqual(run(pkg, tmps, { NODE_COMPILE_CACHE: cache }), expected, `${what}: first run`)
      const files = cacheFiles(cache)
      assert.ok(files.length >= 2, `${what}: the bin and the bundle are cached`)
      damage(files, cache)
      const r = run(pkg, tmps, { NODE_COMPILE_CACHE: cache })
      assert.deepEqual(r, expected, what)
    }
  })
})

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

/** zlib's CRC-32, the one Node's compile cache checks a source with. */
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

/**
 * `script`, padded in a comment to the length of `target`, with 12 characters of that comment
 * chosen so that its CRC-32 is `target`'s. CRC-32 is linear: flipping a bit of the text flips a
 * fixed set of bits of the checksum, so 48 free bits (the low 4 bits of 12 characters from @ to O)
 * give a set of flips that turns one checksum into the other, by Gaussian elimination.
 */
function forgeCrc32(script: string, target: Buffer): Buffer {
  const head = Buffer.from(`${script}/*`)
  const window = 12
  const text = Buffer.alloc(target.length, 0x20)
  head.copy(text)
  text.fill(0x40, head.length, head.length + window)
  Buffer.from('*/\n').copy(text, target.length - 3)
  const base = crc32(text)
  // pivots[bit]: a checksum difference whose highest set bit is `bit`, and the flips that make it.
  const pivots: Array<{ value: number; flips: number[] } | undefined> = []
  for (let i = 0; i < window; i++) {
    for (let bit = 0; bit < 4; bit++) {
      const flipped = Buffer.from(text)
      flipped[head.length + i] = (flipped[head.length + i] as number) ^ (1 << bit)
      let value = (crc32(flipped) ^ base) >>> 0
      let flips = [head.length + i, bit]
      while (value !== 0) {
        const top = 31 - Math.clz32(value)
        const pivot = pivots[top]
        if (pivot === undefined) {
          pivots[top] = { value, flips }
          break
        }
        value = (value ^ pivot.value) >>> 0
        flips = [...flips, ...pivot.flips]
      }
    }
  }
  let want = (crc32(target) ^ base) >>> 0
  const out = Buffer.from(text)
  while (want !== 0) {
    const pivot = pivots[31 - Math.clz32(want)]
    assert.ok(pivot !== undefined, 'the 48 bits span every checksum')
    want = (want ^ pivot.value) >>> 0
    for (let k = 0; k < pivot.flips.length; k += 2) out[pivot.flips[k] as number] = (out[pivot.flips[k] as number] as number) ^ (1 << (pivot.flips[k + 1] as number))
  }
  assert.equal(crc32(out), crc32(target))
  assert.equal(out.length, target.length)
  return out
}
