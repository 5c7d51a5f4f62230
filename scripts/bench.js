#!/usr/bin/env node
// The benchmark of issue 5: `npm run bench` (full) or `npm run bench -- --quick`.
//
// Runs, side by side in one run, `node -e 0`, `kestra-secrets encode` on generated inputs and the
// shell loop from Kestra's docs. The runs of all cases are interleaved round-robin (the starting
// case rotates each round) so that machine noise hits every case alike; each case is reported as
// the median of its runs and as a ratio to the median of `node -e 0`. Peak RSS comes from separate
// runs under GNU `/usr/bin/time -f %M` (or, without it, an `--import` hook that records
// `process.resourceUsage().maxRSS`), so the timed runs carry no wrapper. With hyperfine on PATH it
// times the cases instead of the built-in harness (it runs them one after the other, not
// interleaved; `--harness node` keeps the built-in one).
//
// Inputs are generated in a temporary folder that is removed afterwards. Targets are printed as
// information only: the exit code is 0 unless the benchmark itself could not run (a case exited
// non-zero, the build is missing, ...), then 1.
//
// Options (flags win over the environment):
//   --runs N         timed runs per case            BENCH_RUNS     (15; quick: 5)
//   --warmup N       untimed rounds before them      BENCH_WARMUP   (2; quick: 1)
//   --rss-runs N     runs per case for peak RSS      BENCH_RSS_RUNS (3; quick: 1), 0 to skip
//   --inproc-runs N  samples per in-process case     BENCH_INPROC_RUNS (7; quick: 3)
//   --harness H      auto | node | hyperfine         BENCH_HARNESS  (auto: hyperfine if on PATH)
//   --rss M          auto | time | hook | off        BENCH_RSS      (auto: time if present, else hook)
//   --quick          fewer runs, same inputs         BENCH_QUICK=1
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const BIN = path.join(ROOT, 'bin', 'kestra-secrets.js')
const SCAN = path.join(ROOT, 'dist', 'core', 'scan.js')
const MB = 1024 * 1024

/** A failure of the benchmark itself (as opposed to a target that is not met). */
class BenchError extends Error {}

// ---------------------------------------------------------------------------------------------
// Options

function readOptions() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string' },
      warmup: { type: 'string' },
      'rss-runs': { type: 'string' },
      'inproc-runs': { type: 'string' },
      harness: { type: 'string' },
      rss: { type: 'string' },
      quick: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  })
  if (values.help) {
    const text = fs.readFileSync(fileURLToPath(import.meta.url), 'utf8')
    const header = text.split('\n').slice(1)
    const end = header.findIndex((l) => !l.startsWith('//'))
    process.stdout.write(header.slice(0, end).map((l) => l.slice(3)).join('\n') + '\n')
    process.exit(0)
  }
  const env = process.env
  const quick = values.quick === true || /^(1|true|yes)$/i.test(env.BENCH_QUICK ?? '')
  const count = (flag, name, dflt, min) => {
    const raw = values[flag] ?? env[name]
    if (raw === undefined || raw === '') return dflt
    const n = Number(raw)
    if (!Number.isInteger(n) || n < min) throw new BenchError(`--${flag} / ${name} must be an integer >= ${min}, not ${JSON.stringify(raw)}`)
    return n
  }
  const choice = (flag, name, allowed) => {
    const v = values[flag] ?? env[name] ?? 'auto'
    if (!allowed.includes(v)) throw new BenchError(`--${flag} / ${name} must be one of ${allowed.join(', ')}, not ${JSON.stringify(v)}`)
    return v
  }
  return {
    quick,
    runs: count('runs', 'BENCH_RUNS', quick ? 5 : 15, 1),
    warmup: count('warmup', 'BENCH_WARMUP', quick ? 1 : 2, 0),
    rssRuns: count('rss-runs', 'BENCH_RSS_RUNS', quick ? 1 : 3, 0),
    inprocRuns: count('inproc-runs', 'BENCH_INPROC_RUNS', quick ? 3 : 7, 1),
    harness: choice('harness', 'BENCH_HARNESS', ['auto', 'node', 'hyperfine']),
    rss: choice('rss', 'BENCH_RSS', ['auto', 'time', 'hook', 'off']),
  }
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

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** n lines `KEY_000001=<30..46 random letters and digits>`: 50 bytes a line on average. */
function manyEntries(n, seed) {
  const next = random(seed)
  const width = Math.max(6, String(n).length)
  const lines = new Array(n)
  for (let i = 0; i < n; i++) {
    const len = 30 + (next() % 17)
    let v = ''
    for (let j = 0; j < len; j++) v += ALNUM[next() % ALNUM.length]
    lines[i] = `KEY_${String(i + 1).padStart(width, '0')}=${v}`
  }
  return lines.join('\n') + '\n'
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

// The loop from Kestra's docs (open-source secrets), unchanged but for the output name. `cd` first
// so that it runs the same under both harnesses (hyperfine has no working-directory option).
const SHELL_LOOP = `cd "\${0%/*}" || exit 1
while IFS='=' read -r key value; do echo "SECRET_$key=$(echo -n "$value" | base64)"; done < .env > out
`

const ADVERSARIAL = [
  { id: 'adv-spaces', label: 'adversarial: " \\n" × 524,288', make: () => ' \n'.repeat(MB / 2) },
  { id: 'adv-value', label: 'adversarial: one 1 MB value', make: () => `K=${'a'.repeat(MB - 3)}\n` },
  { id: 'adv-quotes', label: 'adversarial: 10,000 unterminated quotes', make: () => unterminatedQuotes(10_000, MB) },
  { id: 'adv-backslash', label: 'adversarial: 1 MB of \\ in double quotes', make: () => `K="${'\\'.repeat(MB - 5)}"\n` },
  // Entries that share one line (dotenv also ends lines at U+2028): a search per entry that runs
  // to the next line feed would be quadratic here.
  { id: 'adv-u2028', label: 'adversarial: 1 MB of quoted values joined by U+2028', make: () => u2028Joined(MB), extra: true },
]

/** `K00001="v"` entries joined by U+2028 into one line of about `total` bytes. */
function u2028Joined(total) {
  const parts = []
  for (let i = 0, size = 0; size < total; i++) {
    const part = `K${String(i + 1).padStart(6, '0')}="v"`
    parts.push(part)
    size += part.length + 3
  }
  return parts.join('\u2028') + '\n'
}

/** What encode writes for a file of plain `NAME=value` lines. */
function encodedLines(text) {
  return text.replace(/^([^=\n]+)=(.*)$/gm, (_, name, value) => `SECRET_${name}=${Buffer.from(value).toString('base64')}`)
}

function sizeLabel(bytes) {
  return bytes >= MB ? `${(bytes / MB).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} KB`
}

/** Writes every input into dir and returns the cases to run, the baseline first. */
function makeCases(dir, hasBash) {
  const node = process.execPath
  const cases = [{ id: 'baseline', label: '`node -e 0`', argv: [node, '-e', '0'], node: true }]
  const encodeCase = (id, what, text, why = '') => {
    const input = path.join(dir, `${id}.env`)
    fs.writeFileSync(input, text)
    cases.push({
      id,
      label: `encode, ${what} (${sizeLabel(Buffer.byteLength(text))})${why}`,
      argv: [node, BIN, 'encode', input, '-o', path.join(dir, `${id}.out`)],
      node: true,
    })
  }
  encodeCase('startup', '20 entries', SMALL_ENV, ', start-up')
  encodeCase('100k', '100,000 entries', manyEntries(100_000, 42))
  for (const a of ADVERSARIAL) encodeCase(a.id, a.label, a.make())
  const thousand = manyEntries(1_000, 7)
  if (hasBash) {
    const shellDir = path.join(dir, 'shell')
    fs.mkdirSync(shellDir)
    fs.writeFileSync(path.join(shellDir, '.env'), thousand)
    fs.writeFileSync(path.join(shellDir, 'loop.sh'), SHELL_LOOP)
    cases.push({
      id: 'shell',
      label: 'shell loop from Kestra\'s docs, 1,000 entries',
      argv: ['bash', path.join(shellDir, 'loop.sh')],
      node: false,
    })
  }
  encodeCase('1k', '1,000 entries', thousand, ', same file as the shell loop')
  // decode and check have no targets; they are here so that a slowdown of theirs shows too.
  const encoded = encodedLines(manyEntries(100_000, 42))
  for (const command of ['decode', 'check']) {
    const input = path.join(dir, `${command}-100k.env_encoded`)
    fs.writeFileSync(input, encoded)
    cases.push({
      id: `${command}-100k`,
      label: `${command}, 100,000 entries (${sizeLabel(Buffer.byteLength(encoded))}), information`,
      argv: [node, BIN, command, input, ...(command === 'decode' ? ['-o', path.join(dir, 'decoded.env')] : [])],
      node: true,
    })
  }
  return cases
}

// ---------------------------------------------------------------------------------------------
// Running

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
  return /^[\w./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`
}

function describe(argv) {
  return argv.map(shellQuote).join(' ')
}

let interrupted = false

/** Runs a case once, stdout to /dev/null and stderr to a file; returns the wall time in ms. */
function runOnce(c, errFile, extraEnv) {
  if (interrupted) throw new BenchError('interrupted')
  const fd = fs.openSync(errFile, 'w')
  let r
  let t0
  let t1
  try {
    const options = { stdio: ['ignore', 'ignore', fd], env: extraEnv ? { ...process.env, ...extraEnv } : process.env }
    t0 = process.hrtime.bigint()
    r = spawnSync(c.argv[0], c.argv.slice(1), options)
    t1 = process.hrtime.bigint()
  } finally {
    fs.closeSync(fd)
  }
  if (interrupted) throw new BenchError('interrupted')
  if (r.error) throw new BenchError(`${c.label}: could not start ${describe(c.argv)}: ${r.error.message}`)
  if (r.status !== 0) {
    const how = r.signal ? `was killed by ${r.signal}` : `exited with status ${r.status}`
    throw new BenchError(`${c.label} ${how}\n  command: ${describe(c.argv)}\n  its stderr:\n${tail(errFile)}`)
  }
  return Number(t1 - t0) / 1e6
}

/** The built-in harness: warm-up rounds, then timed rounds; every round runs each case once. */
function timeWithNode(cases, opts, dir) {
  const times = new Map(cases.map((c) => [c.id, []]))
  const rounds = opts.warmup + opts.runs
  const errFile = path.join(dir, 'stderr.txt')
  for (let round = 0; round < rounds; round++) {
    progress(`round ${round + 1}/${rounds}${round < opts.warmup ? ' (warm-up)' : ''}`)
    for (let k = 0; k < cases.length; k++) {
      const c = cases[(k + round) % cases.length]
      const ms = runOnce(c, errFile)
      if (round >= opts.warmup) times.get(c.id).push(ms)
    }
  }
  return times
}


/** hyperfine, without a shell in between (-N), one invocation per case (they run one after the other). */
function timeWithHyperfine(cases, opts, dir) {
  const json = path.join(dir, 'hyperfine.json')
  const times = new Map()
  for (const c of cases) {
    if (interrupted) throw new BenchError('interrupted')
    progress(`hyperfine: ${c.id}`)
    const args = ['-N', '--style', 'none', '--warmup', String(opts.warmup), '--runs', String(opts.runs),
      '--export-json', json, '-n', c.id, c.argv.map(shellQuote).join(' ')]
    const r = spawnSync('hyperfine', args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' })
    if (r.error || r.status !== 0) {
      throw new BenchError(`${c.label}: hyperfine failed (${r.error ? r.error.message : `status ${r.status}`})\n` +
        `  command: ${describe(c.argv)}\n  ${(r.stderr ?? '').trim()}\n  (--harness node shows the stderr of the case)`)
    }
    times.set(c.id, JSON.parse(fs.readFileSync(json, 'utf8')).results[0].times.map((t) => t * 1000))
  }
  return times
}

/** How peak RSS can be measured here: GNU time if it works, else the --import hook. */
function rssMethod(mode, dir) {
  if (mode === 'off') return 'off'
  if (mode === 'auto' || mode === 'time') {
    const probe = path.join(dir, 'time-probe.txt')
    const r = spawnSync('/usr/bin/time', ['-f', '%M', '-o', probe, '--', process.execPath, '-e', '0'], { stdio: 'ignore' })
    let ok = false
    try {
      ok = r.status === 0 && /^\d+\s*$/.test(fs.readFileSync(probe, 'utf8'))
    } catch {}
    if (ok) return 'time'
    if (mode === 'time') throw new BenchError('--rss time: /usr/bin/time -f %M -o FILE does not work here')
  }
  fs.writeFileSync(path.join(dir, 'rss-hook.mjs'),
    "import { writeFileSync } from 'node:fs'\n" +
    "process.on('exit', () => writeFileSync(process.env.BENCH_RSS_OUT, String(process.resourceUsage().maxRSS)))\n")
  return 'hook'
}

/** Peak RSS of a case in KB (the largest over the runs), or undefined when it cannot be measured. */
function measureRss(c, method, runs, dir) {
  if (method === 'off' || runs === 0) return undefined
  if (method === 'hook' && !c.node) return undefined
  const out = path.join(dir, 'rss.txt')
  const errFile = path.join(dir, 'stderr.txt')
  let peak = 0
  for (let i = 0; i < runs; i++) {
    fs.rmSync(out, { force: true })
    if (method === 'time') {
      runOnce({ ...c, argv: ['/usr/bin/time', '-f', '%M', '-o', out, '--', ...c.argv] }, errFile)
    } else {
      const hook = pathToFileURL(path.join(dir, 'rss-hook.mjs')).href
      runOnce({ ...c, argv: [c.argv[0], '--import', hook, ...c.argv.slice(1)] }, errFile, { BENCH_RSS_OUT: out })
    }
    const kb = Number.parseInt(fs.readFileSync(out, 'utf8').trim().split('\n').pop(), 10)
    if (!Number.isFinite(kb)) throw new BenchError(`${c.label}: could not read its peak RSS`)
    peak = Math.max(peak, kb)
  }
  return peak
}

// ---------------------------------------------------------------------------------------------
// In-process: dotenv.parse against our scanner

/** Median ms of fn(input): each sample repeats fn until it has run for at least 5 ms. */
function timeInProcess(fns, input, runs) {
  const reps = fns.map((f) => {
    f.fn(input) // warm-up, and calibration
    const t0 = process.hrtime.bigint()
    f.fn(input)
    const ms = Number(process.hrtime.bigint() - t0) / 1e6
    return ms >= 5 ? 1 : Math.min(10_000, Math.ceil(5 / Math.max(ms, 1e-4)))
  })
  const samples = fns.map(() => [])
  for (let r = 0; r < runs; r++) {
    fns.forEach((f, i) => {
      const t0 = process.hrtime.bigint()
      for (let k = 0; k < reps[i]; k++) f.fn(input)
      samples[i].push(Number(process.hrtime.bigint() - t0) / 1e6 / reps[i])
    })
  }
  return samples.map(median)
}

async function inProcess(opts) {
  let dotenv
  try {
    dotenv = (await import('dotenv')).default
  } catch (e) {
    return { error: `dotenv could not be imported (${e.message})` }
  }
  const { scan } = await import(pathToFileURL(SCAN).href)
  const fns = [
    { name: 'dotenv.parse', fn: (s) => dotenv.parse(s) },
    { name: 'scan', fn: (s) => scan(s) },
  ]
  const rows = []
  for (const kb of [32]) {
    const input = ' \n'.repeat((kb * 1024) / 2)
    progress(`in-process, ${kb} KB`)
    const found = [Object.keys(dotenv.parse(input)).length, scan(input).entries.length]
    const [d, s] = timeInProcess(fns, input, opts.inprocRuns)
    rows.push({ input: `" \\n" × ${(kb * 512).toLocaleString('en-US')} (${kb} KB)`, dotenv: d, scan: s, found })
  }
  // The scanner alone on the 1 MB file of the subprocess case: dotenv would take minutes there.
  const big = ' \n'.repeat(MB / 2)
  progress('in-process, 1 MB (scan only)')
  const [s] = timeInProcess([fns[1]], big, opts.inprocRuns)
  rows.push({ input: '" \\n" × 524,288 (1 MB)', dotenv: undefined, scan: s, found: [undefined, scan(big).entries.length] })
  return { rows }
}

// ---------------------------------------------------------------------------------------------
// Report

function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

function fmtMs(ms) {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2)
}

let progressShown = false
function progress(text) {
  if (!process.stderr.isTTY) return
  process.stderr.write(`\r\x1b[K${text}`)
  progressShown = true
}
function progressDone() {
  if (progressShown) process.stderr.write('\r\x1b[K')
  progressShown = false
}

function newestMtime(dir, ext) {
  let newest = 0
  if (!fs.existsSync(dir)) return newest
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith(ext)) {
      newest = Math.max(newest, fs.statSync(path.join(e.parentPath ?? e.path, e.name)).mtimeMs)
    }
  }
  return newest
}

function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0
}

async function main() {
  const opts = readOptions()
  if (!fs.existsSync(path.join(ROOT, 'dist', 'cli', 'main.js')) || !fs.existsSync(SCAN)) {
    throw new BenchError('dist/ is missing: build first (npm run build)')
  }
  const notes = []
  if (newestMtime(path.join(ROOT, 'src'), '.ts') > newestMtime(path.join(ROOT, 'dist'), '.js')) {
    notes.push('dist/ is older than src/: this measures the last build (run `npm run build` to measure the sources).')
  }
  const harness = opts.harness === 'auto' ? (onPath('hyperfine') ? 'hyperfine' : 'node') : opts.harness
  if (harness === 'hyperfine' && !onPath('hyperfine')) throw new BenchError('--harness hyperfine: hyperfine is not on PATH')
  const hasBash = onPath('bash') && onPath('base64')
  if (!hasBash) notes.push('bash or base64 is not on PATH: the shell-loop case is left out.')

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kestra-secrets-bench-'))
  const cleanup = () => fs.rmSync(dir, { recursive: true, force: true })
  process.on('SIGINT', () => {
    interrupted = true
  })
  let times
  let rss
  let cases
  let rssHow
  let inproc
  try {
    progress('generating inputs')
    cases = makeCases(dir, hasBash)
    // One untimed run of each case first: a case that fails stops the benchmark with its stderr.
    for (const c of cases) {
      progress(`checking ${c.id}`)
      runOnce(c, path.join(dir, 'stderr.txt'))
    }
    times = harness === 'hyperfine' ? timeWithHyperfine(cases, opts, dir) : timeWithNode(cases, opts, dir)
    rssHow = rssMethod(opts.rss, dir)
    rss = new Map()
    for (const c of cases) {
      progress(`peak RSS: ${c.id}`)
      rss.set(c.id, measureRss(c, rssHow, opts.rssRuns, dir))
    }
    inproc = await inProcess(opts)
  } finally {
    progressDone()
    cleanup()
  }

  // The table
  const base = median(times.get('baseline'))
  const rows = cases.map((c) => {
    const ms = median(times.get(c.id))
    const kb = rss.get(c.id)
    return { c, ms, ratio: ms / base, mb: kb === undefined ? undefined : kb / 1024 }
  })
  const out = []
  const cpus = os.cpus()
  const cpu = cpus[0]?.model?.trim() ?? 'unknown CPU'
  out.push(`Machine: ${cpu}, ${cpus.length} cores, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GB RAM, ` +
    `Node ${process.version}, ${os.platform()} ${os.arch()}, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`)
  const harnessText = harness === 'hyperfine'
    ? 'hyperfine (cases one after the other)'
    : 'Node harness (spawnSync, cases interleaved round-robin)'
  const rssText = rssHow === 'time' ? '/usr/bin/time -f %M' : rssHow === 'hook' ? 'process.resourceUsage() hook (Node cases only)' : 'not measured'
  out.push(`Median of ${opts.runs} runs after ${opts.warmup} warm-up round(s), ${harnessText}; ` +
    `peak RSS: ${rssText}${rssHow === 'off' || opts.rssRuns === 0 ? '' : `, largest of ${opts.rssRuns} run(s)`}.`)
  out.push('')
  out.push('| case | median ms | ratio to `node -e 0` | peak RSS MB |')
  out.push('|---|---:|---:|---:|')
  for (const r of rows) {
    out.push(`| ${r.c.label} | ${fmtMs(r.ms)} | ${r.ratio.toFixed(2)}x | ${r.mb === undefined ? 'n/a' : r.mb.toFixed(1)} |`)
  }

  // In-process
  out.push('')
  out.push('In-process parse of blank lines (no process start-up), median ms per call:')
  out.push('')
  if (inproc.error) {
    out.push(`(left out: ${inproc.error})`)
  } else {
    out.push('| input | `dotenv.parse` ms | `scan` (dist/core/scan.js) ms | dotenv / scan |')
    out.push('|---|---:|---:|---:|')
    for (const r of inproc.rows) {
      const d = r.dotenv === undefined ? 'not run' : fmtMs(r.dotenv)
      const ratio = r.dotenv === undefined ? '' : `${(r.dotenv / r.scan).toFixed(0)}x`
      out.push(`| ${r.input} | ${d} | ${fmtMs(r.scan)} | ${ratio} |`)
    }
  }

  // Targets
  const get = (id) => rows.find((r) => r.c.id === id)
  const verdict = (ok) => (ok ? 'met' : 'NOT met')
  const s = get('startup')
  const h = get('100k')
  out.push('')
  out.push('Targets of issue 5 (information only):')
  // Three decimals here: the table's two can round a ratio just over a target down onto it.
  out.push(`- start-up ≤ 1.10x: ${s.ratio.toFixed(3)}x, ${verdict(s.ratio <= 1.1)}`)
  out.push(`- 100,000 entries ≤ 2.0x: ${h.ratio.toFixed(3)}x, ${verdict(h.ratio <= 2.0)}; ` +
    `peak RSS ≤ 120 MB: ${h.mb === undefined ? 'not measured' : `${h.mb.toFixed(1)} MB, ${verdict(h.mb <= 120)}`}`)
  for (const a of ADVERSARIAL) {
    const r = get(a.id)
    const extra = a.extra ? ' (a case of ours, not in the issue\'s list)' : ''
    out.push(`- ${a.label} ≤ 1.5x${extra}: ${r.ratio.toFixed(3)}x, ${verdict(r.ratio <= 1.5)}`)
  }
  for (const n of notes) out.push(`\nNote: ${n}`)
  process.stdout.write(out.join('\n') + '\n')
}

try {
  await main()
} catch (e) {
  progressDone()
  if (e instanceof BenchError) {
    process.stderr.write(`bench: ${e.message}\n`)
  } else {
    process.stderr.write(`bench: unexpected failure: ${e?.stack ?? e}\n`)
  }
  process.exitCode = 1
}
