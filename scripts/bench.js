#!/usr/bin/env node
// The benchmark of issue 5: `npm run bench` (full: 5 minutes on an idle 2-core machine, 9 on a busy
// one) or `npm run bench -- --quick` (fewer runs, same inputs, under 2 minutes).
//
// What. Every case is a command run as a child process: `node -e 0`, the built `kestra-secrets
// encode|decode|check` on generated inputs, a naive dotenv script and the shell loop from Kestra's
// docs. The table gives, per case, the median wall time, the wall ratio and the CPU ratio to
// `node -e 0`, and the peak RSS; targets are judged on the wall ratio and the peak RSS.
//
// Interleaved, paired runs. Each run of a case comes right after a run of `node -e 0` with the same
// node binary: baseline, case, baseline, case, ..., and the order of the cases rotates each round.
// Both ratios of a case are the median of its per-pair ratios (case run / the baseline run just
// before it). This machine's speed drifts by up to 1.5x within minutes (hyperfine, which times one
// case after the other, saw its ratios move that much); a baseline run milliseconds before each case
// run sees the same machine, so the drift cancels out of the ratio.
//
// CPU time. Wall time also counts waiting for a core and for the disk; the CPU time of the child
// (user + sys, all of its threads) counts the work done, so it is the steadier figure on a busy
// 2-core machine, and it shows the work of helper threads (GC, compiler) that the wall time hides.
// Node's spawnSync returns no rusage, /proc/<pid> is gone once the child is reaped, and GNU time and
// bash's `times` round to 10 ms. So every timed run, baseline and cases alike, goes through one small
// Python wrapper (written to the temporary folder; one wrapper process runs a whole round, one run
// after the other) that starts each command with posix_spawn and reaps it with os.wait4, whose
// rusage has µs resolution; on Linux its user + sys sum is the scheduler's exact runtime (only the
// split between user and sys is sampled at ticks). The wrapper also takes the wall time, from just
// before the spawn to just after the reaping, so that Python's own start-up is not counted.
// python3 must be on PATH.
//
// Peak RSS is the ru_maxrss of the same wait4, the largest over the timed runs: the figure GNU
// `/usr/bin/time -f %M` prints (it reads it from wait4 too), without runs of its own, which would
// double the time of the 1,000,000-entry cases. It cannot read below the wrapper's own RSS, about
// 8 MB (posix_spawn starts the child in the wrapper's memory): only the shell loop is that small.
//
// Slow cases (the 1,000,000-entry inputs, the shell loop: seconds a run) run in fewer rounds, spread
// evenly over the timed rounds, none in the warm-up rounds. Targets that
// compare two cases (1,000,000 entries with 100,000, linear: ≤ 12x; encode with the naive dotenv
// script: ≤ 1x) take the median, over the rounds in which both ran, of the ratio of their wall times.
//
// Inputs are generated deterministically in a temporary folder that is removed afterwards; the
// inputs of decode and check are the tool's own encode output, made once in set-up. NODE_COMPILE_CACHE
// points into that folder too, so runs do not touch the user's compile cache, and every start-up
// case runs once untimed in set-up, so that its caches exist before the first timed run (--quick has
// no warm-up round: set-up has run the tool already). Targets are information only: the exit code is
// 0 unless the benchmark itself failed, then 1: the build is missing, a case was killed by a signal
// or exited otherwise than it may (0; check, and anything of an adversarial input: 0 or 1).
//
// Case ids, for --only: baseline (always run), startup, encode-100k, decode-100k, check-100k,
// {encode,decode,check}-100k-mixed, {encode,decode,check}-1m-mixed, encode-adv-NAME and
// {decode,check}-adv-NAME (of the encode output), {decode,check}-adv-NAME-raw (of the adversarial
// input itself: that is what their parser meets there), for NAME in spaces, value, quotes,
// backslash, u2028, names, names-plain; naive-10k-mixed, encode-10k-mixed, naive-100k-mixed, naive-decode-100k,
// floor-decode-100k, shell-1k, encode-1k;
// startup@vX.Y.Z for the start-up case on another node.
//
// Options (flags win over the environment):
//   --runs N         timed rounds                          BENCH_RUNS      (20; quick: 4)
//   --warmup N       untimed rounds before them            BENCH_WARMUP    (2; quick: 0)
//   --slow-runs N    timed runs of each slow case          BENCH_SLOW_RUNS (5; quick: 1)
//   --only REGEX     only the cases whose id matches (and their baseline)
//   --node PATH      also the start-up case on this node binary (repeatable, or a comma list)
//   --nodes 22,24    the same with node-<platform>-<arch>@<major> from npm, installed on first
//                    use into node_modules/.cache/kestra-secrets-bench/node-<major>
//   --quick          fewer runs, same inputs               BENCH_QUICK=1
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { floodNames } from './flood-names.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const BIN = path.join(ROOT, 'bin', 'kestra-secrets.js')
const NODE_CACHE = path.join(ROOT, 'node_modules', '.cache', 'kestra-secrets-bench')
const MB = 1024 * 1024
const LOAD_AT_START = os.loadavg()[0]

/** A failure of the benchmark itself (as opposed to a target that is not met). */
class BenchError extends Error {}

// ---------------------------------------------------------------------------------------------
// Options

function readOptions() {
  let values
  try {
    values = parseOptions()
  } catch (e) {
    throw new BenchError(`${e.message} (see --help)`)
  }
  if (values.help) printHelp()
  const env = process.env
  const quick = values.quick === true || /^(1|true|yes)$/i.test(env.BENCH_QUICK ?? '')
  const count = (flag, name, dflt, min) => {
    const raw = values[flag] ?? env[name]
    if (raw === undefined || raw === '') return dflt
    const n = Number(raw)
    if (!Number.isInteger(n) || n < min) throw new BenchError(`--${flag} / ${name} must be an integer >= ${min}, not ${JSON.stringify(raw)}`)
    return n
  }
  const list = (xs) => (xs ?? []).flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean)
  let only
  try {
    only = values.only === undefined ? undefined : new RegExp(values.only)
  } catch (e) {
    throw new BenchError(`--only: ${e.message}`)
  }
  const majors = list(values.nodes)
  const bad = majors.find((m) => !/^\d+$/.test(m))
  if (bad !== undefined) throw new BenchError(`--nodes takes major versions such as 22,24, not ${JSON.stringify(bad)}`)
  const runs = count('runs', 'BENCH_RUNS', quick ? 4 : 20, 1)
  return {
    runs,
    warmup: count('warmup', 'BENCH_WARMUP', quick ? 0 : 2, 0),
    slowRuns: Math.min(runs, count('slow-runs', 'BENCH_SLOW_RUNS', quick ? 1 : 5, 1)),
    only,
    nodePaths: list(values.node),
    majors,
  }
}

function parseOptions() {
  return parseArgs({
    options: {
      runs: { type: 'string' },
      warmup: { type: 'string' },
      'slow-runs': { type: 'string' },
      only: { type: 'string' },
      node: { type: 'string', multiple: true },
      nodes: { type: 'string', multiple: true },
      quick: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }).values
}

/** Prints the header comment of this file. */
function printHelp() {
  const lines = fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1)
  const end = lines.findIndex((l) => !l.startsWith('//'))
  process.stdout.write(lines.slice(0, end).map((l) => l.slice(3)).join('\n') + '\n')
  process.exit(0)
}

// ---------------------------------------------------------------------------------------------
// Inputs

/** A small deterministic generator (xorshift32), so every run benchmarks the same bytes. */
function random(seed) {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    return x
  }
}

const ALNUM = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')

/**
 * n lines `KEY_000001=<30..46 random letters and digits>`: 50 bytes a line on average. Mixed, every
 * 10th line (from the 4th) has its value in double quotes, every 10th (from the 7th) starts with
 * `export ` and every 10th (from the 10th) ends with an inline comment ` # note`. Written byte by
 * byte into one buffer: 1,000,000 lines take a second, not the seven of string concatenation.
 */
function manyEntries(n, seed, mixed = false) {
  const next = random(seed)
  const width = Math.max(6, String(n).length)
  const out = Buffer.allocUnsafe(n * (width + 68)) // the longest line: export KEY_…="<46>" # note
  let p = 0
  for (let i = 0; i < n; i++) {
    const kind = mixed ? i % 10 : -1
    if (kind === 6) p += out.write('export ', p, 'latin1')
    p += out.write(`KEY_${String(i + 1).padStart(width, '0')}=`, p, 'latin1')
    if (kind === 3) out[p++] = 0x22 // "
    const len = 30 + (next() % 17)
    for (let j = 0; j < len; j++) out[p++] = ALNUM[next() % ALNUM.length]
    if (kind === 3) out[p++] = 0x22
    if (kind === 9) p += out.write(' # note', p, 'latin1')
    out[p++] = 0x0a // \n
  }
  return out.subarray(0, p)
}

/** A typical hand-written .env: 20 entries with comments, blank lines, quotes and `export`. */
const SMALL_ENV = `# Kestra secrets for the staging flows
# Generated for the benchmark: 20 entries.

POSTGRES_HOST=db.staging.internal
POSTGRES_PORT=5432
POSTGRES_USER=kestra
POSTGRES_PASSWORD="k3stra-p@ss w0rd"
POSTGRES_DB=kestra

# Object storage
AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
AWS_REGION=eu-west-1
S3_BUCKET=kestra-staging-artifacts

# Notifications
SLACK_WEBHOOK_URL="https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX"
SMTP_HOST=smtp.example.com
SMTP_PORT=587
SMTP_USER='alerts@example.com'
SMTP_PASSWORD='s3cr3t#not-a-comment'

export GITHUB_TOKEN=ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789
OPENAI_API_KEY=sk-test-0123456789abcdef0123456789abcdef
DBT_PROFILE=staging # trailing comment
JSON_CONFIG='{"retries": 3, "timeout": "30s"}'
EMPTY_VALUE=
`

/** n lines `K00001="xxx…`, no closing quote anywhere, padded to `total` bytes in all. */
function unterminatedQuotes(n, total) {
  const per = Math.floor(total / n)
  const extra = total - per * n
  const lines = new Array(n)
  for (let i = 0; i < n; i++) {
    const head = `K${String(i + 1).padStart(5, '0')}="`
    lines[i] = head + 'x'.repeat(Math.max(1, per - head.length - 1 + (i < extra ? 1 : 0)))
  }
  return lines.join('\n') + '\n'
}

/** n entries `K00001="v"` joined by U+2028 into one line (dotenv also ends lines at U+2028). */
function u2028Joined(n) {
  const parts = new Array(n)
  for (let i = 0; i < n; i++) parts[i] = `K${String(i + 1).padStart(5, '0')}="v"`
  return parts.join('\u2028') + '\n'
}

const ADVERSARIAL = [
  { name: 'spaces', label: '" \\n" × 524,288', make: () => ' \n'.repeat(MB / 2) },
  { name: 'value', label: 'one 1 MB value', make: () => `K=${'a'.repeat(MB - 3)}\n` },
  { name: 'quotes', label: '10,000 unterminated quotes', make: () => unterminatedQuotes(10_000, MB) },
  { name: 'backslash', label: '1 MB of \\ in double quotes', make: () => `K="${'\\'.repeat(MB - 5)}"\n` },
  // A search per entry that runs to the next line feed would be quadratic here.
  { name: 'u2028', label: '60,000 entries joined by U+2028', make: () => u2028Joined(60_000) },
  // Names that would all want one slot of a hash table with a fixed hash: quadratic there. Not a
  // target of the issue: what it shows is the same time as for as many ordinary names as long.
  { name: 'names', label: '8,192 names made to meet in a hash table', untargeted: true, make: () => floodNames(13).map((name) => `${name}=1\n`).join('') },
  { name: 'names-plain', label: '8,192 ordinary names as long, to compare', untargeted: true, make: () => ordinaryNames(8192, 104) },
  // Each line a value the user commented out, read as its own little .env and encoded, with a
  // note each: the costliest line per byte we know of. Not a target of the issue.
  { name: 'commented', label: '100,000 commented-out entries', untargeted: true,
    make: () => Array.from({ length: 100_000 }, (_, i) => `#K${i}=v\n`).join('') },
]

/** n distinct names of `length` characters, `K` and a number: a table's everyday input. */
function ordinaryNames(n, length) {
  const lines = new Array(n)
  for (let i = 0; i < n; i++) lines[i] = `K${String(i).padStart(length - 1, '0')}=1`
  return lines.join('\n') + '\n'
}

// The loop from Kestra's docs (open-source secrets), unchanged but for the output name.
const SHELL_LOOP = `cd "\${0%/*}" || exit 1
while IFS='=' read -r key value; do echo "SECRET_$key=$(echo -n "$value" | base64)"; done < .env > out
`

/** What a user might write to decode instead of the tool: dotenv.parse, then each value from base64. */
function naiveDecodeScript(dotenvUrl) {
  return `import fs from 'node:fs'
import dotenv from ${JSON.stringify(dotenvUrl)}
const [input, output] = process.argv.slice(2)
const parsed = dotenv.parse(fs.readFileSync(input))
fs.writeFileSync(output, Object.entries(parsed).map(([k, v]) => k.slice(7) + '=' + Buffer.from(v, 'base64').toString()).join('\\n') + '\\n')
`
}

/**
 * The least any decode of a file of one-line `SECRET_NAME=<base64>` entries can do in Node: read it,
 * cut each line at its first `=`, decode the value into one reused buffer, join, write. No grammar,
 * no check, no quoting: not a decoder, the floor under the decode and check cases.
 */
const FLOOR_DECODE = `const fs = require('node:fs')
const [input, output] = process.argv.slice(2)
const t = fs.readFileSync(input, 'utf8')
const bytes = Buffer.allocUnsafe(1 << 16)
const out = []
for (let pos = 0; pos < t.length;) {
  let lf = t.indexOf('\\n', pos)
  if (lf === -1) lf = t.length
  const eq = t.indexOf('=', pos)
  out.push(t.slice(pos + 7, eq) + '=' + bytes.toString('utf8', 0, bytes.write(t.slice(eq + 1, lf), 0, 'base64')))
  pos = lf + 1
}
fs.writeFileSync(output, out.join('\\n') + '\\n')
`

/** What a user might write instead of the tool: dotenv.parse, then base64 of each value. */
function naiveScript(dotenvUrl) {
  return `import fs from 'node:fs'
import dotenv from ${JSON.stringify(dotenvUrl)}
const [input, output] = process.argv.slice(2)
const parsed = dotenv.parse(fs.readFileSync(input))
fs.writeFileSync(output, Object.entries(parsed).map(([k, v]) => 'SECRET_' + k + '=' + Buffer.from(v).toString('base64')).join('\\n') + '\\n')
`
}

function sizeLabel(bytes) {
  return bytes >= MB ? `${(bytes / MB).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} KB`
}

/** Files in the temporary folder, each made on first use only (--only skips the others). */
function inputStore(dir, env) {
  const made = new Map()
  const once = (key, make) => {
    if (!made.has(key)) made.set(key, make())
    return made.get(key)
  }
  const write = (name, text) => {
    const file = path.join(dir, name)
    fs.writeFileSync(file, text)
    return { file, bytes: fs.statSync(file).size }
  }
  return {
    /** The input `name`, written from make() on first use: { file, bytes }. */
    text: (name, make) => once(name, () => write(name, make())),
    /** The tool's encode output of an input: { file, bytes }, or { error } when encode exits non-zero. */
    encoded: (input) => once(`${input.file}.encoded`, () => {
      progress(`set-up: encoding ${path.basename(input.file)}`)
      const file = `${input.file}.encoded`
      const r = spawnSync(process.execPath, [BIN, 'encode', input.file, '-o', file], { stdio: ['ignore', 'ignore', 'pipe'], env, encoding: 'utf8' })
      if (r.error || r.signal || r.status !== 0) return { error: r.error?.message ?? r.signal ?? `exit ${r.status}: ${r.stderr.trim().split('\n').pop()}` }
      return { file, bytes: fs.statSync(file).size }
    }),
    /** A file written as is (scripts). */
    script: (name, text) => once(name, () => write(name, text).file),
  }
}

// ---------------------------------------------------------------------------------------------
// Cases and targets

// A target judges a row of results: { ok: true | false | undefined (cannot tell), detail }.
const wallAtMost = (x) => ({
  text: `≤ ${x.toFixed(2)}x`,
  judge: (row) => ({ ok: row.wallRatio <= x, detail: `wall ${row.wallRatio.toFixed(3)}x (≤ ${x.toFixed(2)}x)` }),
})
const rssAtMost = (mb, why = '') => ({
  text: `≤ ${mb.toFixed(0)} MB${why}`,
  judge: (row) => ({ ok: row.rssMb <= mb, detail: `peak RSS ${row.rssMb.toFixed(1)} MB (≤ ${mb.toFixed(0)} MB${why})` }),
})
/** At most x times the wall time of case `other`, run for run in the same rounds. */
const sameRoundsAtMost = (other, x, text) => ({
  text,
  judge: (row, rows) => {
    const ratio = rows.has(other) ? sameRoundRatio(row, rows.get(other)) : undefined
    if (ratio === undefined) return { ok: undefined, detail: `${text}: n/a (${other} not run)` }
    return { ok: ratio <= x, detail: `${ratio.toFixed(3)}x ${other} (${text})` }
  },
})

/** All the cases of the main node, in table order; a case's build() makes its inputs. */
function catalogue(store, dir, env) {
  const node = process.execPath
  const tool = (command, input, out) => [node, BIN, command, input, ...(out ? ['-o', path.join(dir, out)] : [])]
  const cases = []
  const add = (id, build, slow = false) => cases.push({ id, build, slow })

  const mixed = (n, suffix) => () => store.text(`${suffix}.env`, () => manyEntries(n, 42, true))
  const mixed10k = mixed(10_000, '10k-mixed')
  const mixed100k = mixed(100_000, '100k-mixed')
  const thousand = () => store.text('1k.env', () => manyEntries(1_000, 7))

  add('startup', () => {
    const input = store.text('small.env', () => SMALL_ENV)
    return { label: `encode, 20 entries (${sizeLabel(input.bytes)}), start-up`, argv: tool('encode', input.file, 'small.out'), targets: [wallAtMost(1.1)] }
  })

  // 100,000 entries, plain and mixed; 1,000,000 mixed, to be linear and within 5x its input + 60 MB.
  const within = (bytes) => rssAtMost((5 * bytes) / MB + 60, ' = 5x input + 60')
  const sets = [
    {
      suffix: '100k',
      what: '100,000 entries',
      input: () => store.text('100k.env', () => manyEntries(100_000, 42)),
      targets: (command) => [wallAtMost(3), rssAtMost(command === 'encode' ? 120 : 150)],
    },
    {
      suffix: '100k-mixed',
      what: '100,000 mixed entries',
      input: mixed100k,
      targets: (command) => [wallAtMost(3), rssAtMost(command === 'encode' ? 120 : 150),
        ...(command === 'encode' ? [sameRoundsAtMost('naive-100k-mixed', 1, '≤ naive')] : [])],
    },
    {
      suffix: '1m-mixed',
      what: '1,000,000 mixed entries',
      input: mixed(1_000_000, '1m-mixed'),
      targets: (command, bytes) => [sameRoundsAtMost(`${command}-100k-mixed`, 12, '≤ 12x the 100k'), within(bytes)],
      slow: true,
    },
  ]
  for (const set of sets) {
    add(`encode-${set.suffix}`, () => {
      const i = set.input()
      return { label: `encode, ${set.what} (${sizeLabel(i.bytes)})`, argv: tool('encode', i.file, `${set.suffix}.out`), targets: set.targets('encode', i.bytes) }
    }, set.slow)
    for (const command of ['decode', 'check']) {
      add(`${command}-${set.suffix}`, () => {
        const e = mustEncode(store, set.input())
        return {
          label: `${command}, ${set.what}, encoded (${sizeLabel(e.bytes)})`,
          argv: tool(command, e.file, command === 'decode' && `${set.suffix}.decoded`),
          accept: command === 'check' ? [0, 1] : [0],
          targets: set.targets(command, e.bytes),
        }
      }, set.slow)
    }
  }

  for (const a of ADVERSARIAL) {
    const input = () => store.text(`adv-${a.name}.env`, a.make)
    add(`encode-adv-${a.name}`, () => {
      const i = input()
      return { label: `encode, adversarial: ${a.label} (${sizeLabel(i.bytes)})`, argv: tool('encode', i.file, `adv-${a.name}.out`), accept: [0, 1], targets: a.untargeted ? [] : [wallAtMost(1.5)] }
    })
    for (const command of ['decode', 'check']) {
      add(`${command}-adv-${a.name}`, () => {
        const e = store.encoded(input())
        if (e.error) return { skip: `encode of adversarial input ${a.name} failed in set-up (${e.error}): no encoded file for ${command}` }
        return {
          label: `${command}, adversarial: ${a.label}, encoded (${sizeLabel(e.bytes)})`,
          argv: tool(command, e.file, command === 'decode' && `adv-${a.name}.decoded`),
          accept: [0, 1],
          targets: a.untargeted ? [] : [wallAtMost(2)],
        }
      })
      add(`${command}-adv-${a.name}-raw`, () => {
        const i = input()
        return {
          label: `${command}, adversarial: ${a.label}, raw (${sizeLabel(i.bytes)})`,
          argv: tool(command, i.file, command === 'decode' && `adv-${a.name}.raw-decoded`),
          accept: [0, 1],
          targets: a.untargeted ? [] : [wallAtMost(2)],
        }
      })
    }
  }

  // The naive dotenv script, and the tool's encode on the same files (encode-100k-mixed above).
  const naive = (n, input) => () => {
    const i = input()
    const script = store.script('naive.mjs', naiveScript(dotenvUrl()))
    return { label: `naive dotenv script, ${n} mixed entries (${sizeLabel(i.bytes)})`, argv: [node, script, i.file, path.join(dir, `naive-${n}.out`)] }
  }
  add('naive-10k-mixed', naive('10,000', mixed10k))
  add('encode-10k-mixed', () => {
    const i = mixed10k()
    return { label: `encode, 10,000 mixed entries (${sizeLabel(i.bytes)})`, argv: tool('encode', i.file, '10k-mixed.out'), targets: [sameRoundsAtMost('naive-10k-mixed', 1, '≤ naive')] }
  })
  add('naive-100k-mixed', naive('100,000', mixed100k))

  // Beside decode-100k, on its encoded file: the naive decode script, and the floor under any decode.
  add('naive-decode-100k', () => {
    const e = mustEncode(store, store.text('100k.env', () => manyEntries(100_000, 42)))
    const script = store.script('naive-decode.mjs', naiveDecodeScript(dotenvUrl()))
    return { label: `naive dotenv decode script, 100,000 entries, encoded (${sizeLabel(e.bytes)})`, argv: [node, script, e.file, path.join(dir, 'naive-decode.out')] }
  })
  add('floor-decode-100k', () => {
    const e = mustEncode(store, store.text('100k.env', () => manyEntries(100_000, 42)))
    const script = store.script('floor-decode.cjs', FLOOR_DECODE)
    return { label: `floor: split and base64 only, no checks, 100,000 entries, encoded (${sizeLabel(e.bytes)})`, argv: [node, script, e.file, path.join(dir, 'floor-decode.out')] }
  })

  // The shell loop from the docs, and the tool on the same 1,000 entries.
  add('shell-1k', () => {
    const loopDir = path.join(dir, 'shell')
    fs.mkdirSync(loopDir, { recursive: true })
    fs.copyFileSync(thousand().file, path.join(loopDir, '.env'))
    fs.writeFileSync(path.join(loopDir, 'loop.sh'), SHELL_LOOP)
    return { label: 'shell loop from Kestra\'s docs, 1,000 entries', argv: ['bash', path.join(loopDir, 'loop.sh')] }
  }, true)
  add('encode-1k', () => {
    const i = thousand()
    return { label: `encode, 1,000 entries (${sizeLabel(i.bytes)}), same file as the shell loop`, argv: tool('encode', i.file, '1k.out') }
  })
  return cases
}

/** The encode output of a generated (non-adversarial) input: encode must succeed there. */
function mustEncode(store, input) {
  const e = store.encoded(input)
  if (e.error) throw new BenchError(`set-up: encode of ${path.basename(input.file)} failed: ${e.error}`)
  return e
}

function dotenvUrl() {
  try {
    return pathToFileURL(createRequire(path.join(ROOT, 'package.json')).resolve('dotenv')).href
  } catch (e) {
    throw new BenchError(`the naive script needs dotenv in node_modules: ${e.message}`)
  }
}

/** The start-up case on another node binary (its baseline: baselineCase of the same binary). */
function startupOn(nodeBin, version, store, dir) {
  const input = store.text('small.env', () => SMALL_ENV)
  return {
    id: `startup@${version}`,
    label: `encode, 20 entries (${sizeLabel(input.bytes)}), start-up, Node ${version}`,
    argv: [nodeBin, BIN, 'encode', input.file, '-o', path.join(dir, `small-${version}.out`)],
    targets: [wallAtMost(1.1)],
  }
}

function baselineCase(nodeBin, version, main) {
  return { id: main ? 'baseline' : `baseline@${version}`, label: `\`node -e 0\`${main ? '' : `, Node ${version}`}`, argv: [nodeBin, '-e', '0'] }
}

// ---------------------------------------------------------------------------------------------
// Other node binaries

function nodeVersion(bin) {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' })
  if (r.error || r.status !== 0) throw new BenchError(`--node ${bin}: it does not run (${r.error?.message ?? `exit ${r.status}`})`)
  return r.stdout.trim()
}

/** node-<platform>-<arch>@<major> from npm, installed into the cache folder unless it is there. */
function installedNode(major) {
  const pkg = `node-${process.platform}-${process.arch}`
  const dir = path.join(NODE_CACHE, `node-${major}`)
  const bin = path.join(dir, 'node_modules', pkg, 'bin', 'node')
  if (fs.existsSync(bin)) return bin
  progress(`installing ${pkg}@${major} into ${path.relative(ROOT, dir)}`)
  fs.mkdirSync(dir, { recursive: true })
  const r = spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', dir, `${pkg}@${major}`],
    { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' })
  if (r.error || r.status !== 0 || !fs.existsSync(bin)) {
    throw new BenchError(`--nodes ${major}: npm install ${pkg}@${major} failed (${r.error?.message ?? `exit ${r.status}`})\n${r.stderr ?? ''}`)
  }
  return bin
}

// ---------------------------------------------------------------------------------------------
// Running

// Reads a JSON list of runs { argv, err, accept } on stdin and runs them one after the other, each
// under posix_spawn and reaped by wait4; prints per run: wall ns, user + sys µs, exit code (negative:
// killed by that signal), peak RSS KB. stdin and stdout of a run are /dev/null, its stderr goes to
// the file err. It stops after a run whose exit code is not in accept.
const WRAPPER = `import json, os, sys, time
for run in json.load(sys.stdin):
    argv = run['argv']
    actions = [(os.POSIX_SPAWN_OPEN, 0, '/dev/null', os.O_RDONLY, 0),
               (os.POSIX_SPAWN_OPEN, 1, '/dev/null', os.O_WRONLY, 0),
               (os.POSIX_SPAWN_OPEN, 2, run['err'], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)]
    t0 = time.perf_counter_ns()
    pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=actions)
    _, status, ru = os.wait4(pid, 0)
    t1 = time.perf_counter_ns()
    code = os.waitstatus_to_exitcode(status)
    print(t1 - t0, round((ru.ru_utime + ru.ru_stime) * 1e6), code, ru.ru_maxrss, flush=True)
    if code not in run['accept']:
        break
`

/** The real python3 (not a pyenv shim, whose start-up is a shell script), and the wrapper file. */
function setUpWrapper(dir) {
  const r = spawnSync('python3', ['-I', '-S', '-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' })
  if (r.error || r.status !== 0) throw new BenchError('python3 is needed on PATH: it measures the CPU time of each run (see the header of scripts/bench.js)')
  const file = path.join(dir, 'wrapper.py')
  fs.writeFileSync(file, WRAPPER)
  return { python: r.stdout.trim(), file }
}

function tail(file, lines = 6) {
  let text = ''
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch {
    return ''
  }
  const all = text.trimEnd().split('\n')
  const shown = all.slice(-lines).map((l) => (l.length > 300 ? `${l.slice(0, 300)}…` : l))
  return (all.length > lines ? `  … (${all.length - lines} more lines)\n` : '') + shown.map((l) => `  ${l}`).join('\n')
}

function shellQuote(s) {
  return /^[\w./:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`
}

const SIGINT = os.constants.signals.SIGINT

/** Fails the benchmark unless the case exited with one of the codes it may (negative: killed by that signal). */
function checkExit(c, code, stderrFile) {
  if ((c.accept ?? [0]).includes(code)) return
  if (code === -SIGINT) throw new BenchError('interrupted')
  const how = code < 0 ? `was killed by signal ${-code}` : `exited with status ${code}`
  throw new BenchError(`${c.label} ${how}\n  command: ${c.argv.map(shellQuote).join(' ')}\n  its stderr:\n${tail(stderrFile)}`)
}

/** The file a case's stderr goes to. */
function errFile(c, ctx) {
  return path.join(ctx.dir, `stderr-${c.id.replace(/[^\w.-]/g, '_')}.txt`)
}

/** Runs the cases one after the other in one wrapper process: per run { wall, cpu } in ms, the exit code, rss in MB. */
function timedRuns(cases, ctx) {
  const input = JSON.stringify(cases.map((c) => ({ argv: c.argv, err: errFile(c, ctx), accept: c.accept ?? [0] })))
  const r = spawnSync(ctx.wrapper.python, ['-I', '-S', ctx.wrapper.file], { input, stdio: ['pipe', 'pipe', 'pipe'], encoding: 'utf8', env: ctx.env })
  if (r.signal === 'SIGINT') throw new BenchError('interrupted')
  const results = r.stdout.trim().split('\n').filter(Boolean).map((line) => {
    const [wallNs, cpuUs, code, rssKb] = line.split(' ').map(Number)
    return { wall: wallNs / 1e6, cpu: cpuUs / 1e3, code, rss: rssKb / 1024 }
  })
  results.forEach((x, i) => checkExit(cases[i], x.code, errFile(cases[i], ctx)))
  if (r.status !== 0 || results.length !== cases.length) {
    const c = cases[results.length] ?? cases[0]
    throw new BenchError(`the timing wrapper failed (${r.error?.message ?? `exit ${r.status}`}) at ${c.label}\n  command: ${c.argv.map(shellQuote).join(' ')}\n${r.stderr}`)
  }
  return results
}

/** Is timed round t (of runs) one of the `n` rounds, spread evenly, in which a slow case runs? */
function slowRound(t, runs, n) {
  return Math.floor(((t + 1) * n) / runs) > Math.floor((t * n) / runs)
}

/**
 * Warm-up rounds, then timed rounds; in every round each case runs once, right after a run of its
 * baseline, and the cases' order rotates by one each round. Returns, per case id, its samples:
 * { round, wall, cpu, rss, code, base: the baseline's run before it }.
 */
function runRounds(cases, opts, ctx) {
  const samples = new Map(cases.map((c) => [c.id, []]))
  const rounds = opts.warmup + opts.runs
  for (let round = 0; round < rounds; round++) {
    const t = round - opts.warmup
    const inRound = cases.filter((c) => !c.slow || (t >= 0 && slowRound(t, opts.runs, opts.slowRuns)))
    const order = inRound.map((_, k) => inRound[(k + round) % inRound.length])
    progress(`round ${round + 1}/${rounds}${t < 0 ? ' (warm-up)' : ''}: ${order.length} cases`)
    const results = timedRuns(order.flatMap((c) => [c.baseline, c]), ctx)
    if (t < 0) continue
    order.forEach((c, k) => {
      const [base, run] = [results[2 * k], results[2 * k + 1]]
      samples.get(c.id).push({ round: t, ...run, base })
    })
  }
  return samples
}

// ---------------------------------------------------------------------------------------------
// Results

function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** Median over the rounds in which both ran of a's wall time / b's. */
function sameRoundRatio(a, b) {
  const inB = new Map(b.samples.map((s) => [s.round, s.wall]))
  const ratios = a.samples.filter((s) => inB.has(s.round)).map((s) => s.wall / inB.get(s.round))
  return ratios.length ? median(ratios) : undefined
}

/** A row per case, each baseline's row (from its runs paired with its cases) before its first case's. */
function makeRows(cases, samples) {
  const rows = new Map()
  for (const c of cases) {
    const b = c.baseline
    if (!rows.has(b.id)) {
      const own = cases.filter((x) => x.baseline === b).flatMap((x) => samples.get(x.id)).map((s) => ({ round: s.round, ...s.base }))
      rows.set(b.id, { c: b, samples: own, ms: median(own.map((s) => s.wall)), wallRatio: 1, cpuRatio: 1, rssMb: Math.max(...own.map((s) => s.rss)) })
    }
    const s = samples.get(c.id)
    rows.set(c.id, {
      c,
      samples: s,
      ms: median(s.map((x) => x.wall)),
      wallRatio: median(s.map((x) => x.wall / x.base.wall)),
      cpuRatio: median(s.map((x) => x.cpu / x.base.cpu)),
      rssMb: Math.max(...s.map((x) => x.rss)),
      codes: [...new Set(s.map((x) => x.code))].sort(),
    })
  }
  return rows
}

// ---------------------------------------------------------------------------------------------
// Report

function fmtMs(ms) {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2)
}

let progressShown = false
function progress(text) {
  if (!process.stderr.isTTY) return
  process.stderr.write(`\r\x1b[K${text.slice(0, (process.stderr.columns || 80) - 1)}`)
  progressShown = true
}
function progressDone() {
  if (progressShown) process.stderr.write('\r\x1b[K')
  progressShown = false
}

/** The machine, how busy it was at the start (the load average), Node, the date and the command. */
function machineLine() {
  let cpu = os.cpus()[0]?.model?.trim() ?? 'unknown CPU'
  let memKb = os.totalmem() / 1024
  try {
    cpu = fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m)?.[1].trim() ?? cpu
    memKb = Number(fs.readFileSync('/proc/meminfo', 'utf8').match(/^MemTotal:\s*(\d+) kB/m)?.[1] ?? memKb)
  } catch {
    // Not Linux: what the os module says.
  }
  const command = ['node', path.relative(process.cwd(), process.argv[1]) || process.argv[1], ...process.argv.slice(2)].map(shellQuote).join(' ')
  return `Machine: ${cpu}, ${os.availableParallelism()} cores, ${(memKb / 1024 ** 2).toFixed(1)} GB RAM, load ${LOAD_AT_START.toFixed(1)}; ` +
    `Node ${process.version}, ${os.platform()} ${os.arch()}; ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; ` +
    `command: \`${command}\``
}

function report(rows, opts, notes) {
  const out = [machineLine()]
  out.push(`Median of ${opts.runs} timed runs after ${opts.warmup} warm-up round(s) (slow cases, *: ${opts.slowRuns} run(s), no warm-up), ` +
    'each run right after a `node -e 0` run, cases rotating each round; wall and CPU (user + sys) ratios: median of the ' +
    'per-pair ratios; peak RSS: largest ru_maxrss of wait4 over the timed runs.')
  out.push('')
  out.push('| case | median ms | wall ratio | CPU ratio | peak RSS MB | target | met? |')
  out.push('|---|---:|---:|---:|---:|---|---|')
  const judged = new Map()
  for (const row of rows.values()) {
    const targets = row.c.targets ?? []
    const verdicts = targets.map((t) => t.judge(row, rows))
    judged.set(row.c.id, verdicts)
    const met = !targets.length ? '' : verdicts.every((v) => v.ok) ? 'yes' : verdicts.some((v) => v.ok === false) ? '**no**' : 'n/a'
    const exits = row.codes && row.codes.some((c) => c !== 0) ? ` (exit ${row.codes.join('/')})` : ''
    out.push(`| ${row.c.label}${row.c.slow ? ' *' : ''}${exits} | ${fmtMs(row.ms)} | ${row.wallRatio.toFixed(2)}x | ${row.cpuRatio.toFixed(2)}x | ` +
      `${row.rssMb.toFixed(1)} | ${targets.map((t) => t.text).join(', ')} | ${met} |`)
  }
  out.push('')
  out.push('Targets of issue 5 (information only; wall ratios to `node -e 0`):')
  for (const row of rows.values()) {
    const verdicts = judged.get(row.c.id)
    if (!verdicts.length) continue
    const text = verdicts.map((v) => (v.ok === undefined ? v.detail : `${v.detail} ${v.ok ? 'met' : 'NOT met'}`)).join('; ')
    out.push(`- ${row.c.label}: ${text}`)
  }
  for (const n of notes) out.push(`\nNote: ${n}`)
  return out.join('\n') + '\n'
}

// ---------------------------------------------------------------------------------------------
// Main

function newestMtime(dir, ext) {
  let newest = 0
  if (!fs.existsSync(dir)) return newest
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith(ext)) newest = Math.max(newest, fs.statSync(path.join(e.parentPath ?? e.path, e.name)).mtimeMs)
  }
  return newest
}

/** The cases to run; each case knows its baseline. */
function selectCases(opts, store, dir, env, notes) {
  const selected = (id) => !opts.only || opts.only.test(id)
  const main = baselineCase(process.execPath, process.version, true)
  const cases = []
  for (const spec of catalogue(store, dir, env)) {
    if (!selected(spec.id)) continue
    progress(`set-up: ${spec.id}`)
    const built = spec.build()
    if (built.skip) notes.push(built.skip)
    else cases.push({ id: spec.id, slow: spec.slow, baseline: main, ...built })
  }
  const versions = new Set()
  for (const bin of [...opts.nodePaths.map((p) => path.resolve(p)), ...opts.majors.map(installedNode)]) {
    const version = nodeVersion(bin)
    if (versions.has(version)) {
      notes.push(`${bin} is Node ${version} too: it is not run a second time.`)
      continue
    }
    versions.add(version)
    const c = startupOn(bin, version, store, dir)
    if (selected(c.id)) cases.push({ ...c, baseline: baselineCase(bin, version, false) })
  }
  if (!cases.length) throw new BenchError(`--only ${opts.only}: no case id matches (the ids are listed by --help)`)
  return cases
}

function main() {
  const opts = readOptions()
  if (!fs.existsSync(path.join(ROOT, 'dist'))) throw new BenchError('dist/ is missing: build first (npm run build)')
  const notes = []
  if (newestMtime(path.join(ROOT, 'src'), '.ts') > newestMtime(path.join(ROOT, 'dist'), '.js')) {
    notes.push('dist/ is older than src/: this measures the last build (run `npm run build` to measure the sources).')
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kestra-secrets-bench-'))
  // Ctrl-C reaches the runs too (they share the terminal's process group) and they fail; ignored
  // here, it lets the benchmark stop through the finally below, which removes the folder.
  process.on('SIGINT', () => {})
  try {
    const env = { ...process.env, NODE_COMPILE_CACHE: path.join(dir, 'compile-cache') }
    const ctx = { dir, env, wrapper: setUpWrapper(dir) }
    const store = inputStore(dir, env)
    const cases = selectCases(opts, store, dir, env, notes)
    // Start-up cases once untimed, so their compile caches exist before the first timed run.
    timedRuns(cases.filter((c) => c.id.startsWith('startup')), ctx)
    const samples = runRounds(cases, opts, ctx)
    progressDone()
    process.stdout.write(report(makeRows(cases, samples), opts, notes))
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

try {
  main()
} catch (e) {
  progressDone()
  process.stderr.write(e instanceof BenchError ? `bench: ${e.message}\n` : `bench: unexpected failure: ${e?.stack ?? e}\n`)
  process.exitCode = 1
}
