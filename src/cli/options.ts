import { FORMATS } from '../core/formats/index.js'

/**
 * The command line, as data: the program (program.ts) is built from these lists, and the README's
 * option tables are rendered from them (`optionsTable`, checked by test/readme.test.ts), so help,
 * docs and code say the same thing.
 */
export interface OptionSpec {
  flags: string
  /** The line of `--help`. */
  description: string
  /** The README's table cell (Markdown), when it says more than the help line. */
  readme?: string
  /** The only values the option takes, when it takes a value from a fixed list. */
  choices?: string[]
  /** For an option that takes a path: what to give, said when the path is empty (`-o ''`). */
  path?: string
}

export interface CommandSpec {
  name: string
  argument: { name: string; description: string }
  /**
   * What follows `--` on the command line, for a command that starts another one (`run`):
   * everything after the first `--` is that command's, options included.
   */
  passThrough?: string
  summary: string
  options: OptionSpec[]
}

/** `encode [file]`, `run [file] -- command [args...]`: the heading of the command's README section. */
export function synopsis(spec: CommandSpec): string {
  return [spec.name, spec.argument.name, ...(spec.passThrough === undefined ? [] : [spec.passThrough])].join(' ')
}

/** The options of the program, which every command takes too. */
export const globalOptions: OptionSpec[] = [
  { flags: '--no-color', description: 'no colour on stderr (NO_COLOR and FORCE_COLOR are honoured too)', readme: 'no colour on stderr (`NO_COLOR` and `FORCE_COLOR` are honoured too)' },
  { flags: '-h, --help', description: 'show help' },
  { flags: '-V, --version', description: 'print the version' },
]

const expand: OptionSpec = {
  flags: '--expand',
  description: 'expand ${VAR} and $VAR in unquoted and double-quoted values as dotenv-expand does, from the earlier ' +
    'entries of the file, then the environment (never runs a command)',
  readme: 'expand `${VAR}` and `$VAR` (also `${VAR:-default}`, `${VAR-default}`, `\\$`) in unquoted and double-quoted ' +
    'values as dotenv-expand does, from the file\'s earlier entries, then the environment; `$(...)` stays as it is ' +
    '(see [References](#references))',
}

/** How a plain .env is read: the same for every command that reads one (encode, run). */
const readingOptions: OptionSpec[] = [
  {
    flags: '--allow-duplicates',
    description: 'keep the last definition of a repeated name (as dotenv does) instead of failing',
    readme: 'keep the last definition of a repeated name (as dotenv does) instead of failing; the earlier ones are left out with a warning',
  },
  { flags: '--force', description: 'encode even when the input already looks encoded' },
  expand,
]

const strict: OptionSpec = { flags: '--strict', description: 'treat warnings as errors: exit 1 and write nothing' }
const quiet: OptionSpec = { flags: '-q, --quiet', description: 'print errors only: no warnings, no summary' }

/**
 * How a .env is read, shared by encode and run (src/commands/encode-options.ts turns them into
 * encodeEnv's options): an option added here reaches both.
 */

export const encodeCommand: CommandSpec = {
  name: 'encode',
  argument: { name: '[file]', description: '.env file to read, or - for stdin (default: .env)' },
  summary: 'base64-encode every value of a .env file into SECRET_<NAME> variables for Kestra',
  options: [
    {
      flags: '-o, --output <path>',
      description: 'where to write (default: beside the input, <file>_encoded or the --format\'s file name; - for stdout)',
      readme: 'where to write (default: beside the input, `<file>_encoded`, or the file name of the `--format`; `-` for stdout)',
      path: 'a file path, or - for stdout',
    },
    { flags: '--stdout', description: 'print the result on stdout instead of writing a file' },
    {
      flags: '--format <format>',
      description: 'what to write (default: env); helm and helm-legacy are values for chart 1.0+ and 0.x, k8s-secret a Secret manifest',
      readme: 'what to write: `env` (default), `helm`, `helm-legacy`, `k8s-secret` or `json` (see [Formats](#formats))',
      choices: [...FORMATS],
    },
    {
      flags: '--name <name>',
      description: 'with --format k8s-secret: the Secret\'s name (default: kestra-secrets)',
      readme: 'with `--format k8s-secret`: the Secret\'s name, a DNS-1123 subdomain (default: `kestra-secrets`)',
    },
    {
      flags: '--namespace <namespace>',
      description: 'with --format k8s-secret: the Secret\'s namespace (default: none, kubectl\'s current one)',
      readme: 'with `--format k8s-secret`: the Secret\'s namespace (default: none, so kubectl\'s current one)',
    },
    ...readingOptions,
    { ...strict, description: 'treat warnings as errors (for CI): exit 1 and write nothing' },
    quiet,
  ],
}

export const decodeCommand: CommandSpec = {
  name: 'decode',
  argument: { name: '[file]', description: 'encoded file to read, or - for stdin (default: .env_encoded)' },
  summary: 'turn an encoded file back into a plain .env, each value decoded as Kestra decodes it',
  options: [
    {
      flags: '-o, --output <path>',
      description: 'write the .env to this file (mode 0600) instead of stdout; - for stdout',
      readme: 'write the `.env` to this file (mode `0600`, atomically, never over the input) instead of stdout; `-` for stdout',
      path: 'a file path, or - for stdout',
    },
    { ...expand, description: 'expand ${VAR} and $VAR in the decoded values, from the earlier entries, then the environment (never runs a command)', readme: 'expand `${VAR}` and `$VAR` in the decoded values as `encode --expand` does' },
    strict,
    quiet,
  ],
}

export const checkCommand: CommandSpec = {
  name: 'check',
  argument: { name: '[files...]', description: 'encoded files to check as one deployment (a .env_encoded, values files, Secrets, JSON), or - for stdin (default: .env_encoded)' },
  summary: 'check that every secret of an encoded file reaches Kestra intact: exit 0 when ready, 1 when not',
  options: [
    {
      flags: '--against <file>',
      description: 'the plain .env the encoded file must hold exactly: report missing, extra and changed secrets (names only)',
      readme: 'the plain `.env` the encoded file must hold exactly: report secrets that are missing, extra, or hold a different value (by name only)',
      path: 'the path of the plain .env file, or - for stdin',
    },
    {
      flags: '--flows <dir>',
      description: 'Kestra flows (*.yml, *.yaml, searched recursively): report secret(\'NAME\') calls the file does not define, and secrets no flow uses',
      readme: 'Kestra flows (`*.yml`, `*.yaml`, searched recursively; or one file), read as YAML: report each `secret(\'NAME\')` of their string values that the encoded file does not define, or whose `subkey=` field it lacks, and note each secret no flow uses',
      path: 'the path of the folder (or the file) of the flows',
    },
    { ...expand, description: 'with --against: expand ${VAR} and $VAR in its values first, as encode --expand does', readme: 'with `--against`: expand `${VAR}` and `$VAR` in its values first, as `encode --expand` does' },
    { flags: '--json', description: 'print the findings as JSON on stdout instead of lines on stderr' },
    { flags: '--strict', description: 'fail on warnings too (notes never fail)' },
    { ...quiet, description: 'print errors only: no warnings, notes or summary' },
  ],
}

export const runCommand: CommandSpec = {
  name: 'run',
  argument: { name: '[file]', description: '.env file to read, or - for stdin (default: .env)' },
  passThrough: '-- command [args...]',
  summary: 'start a command with the SECRET_<NAME> variables of a .env file in its environment, written nowhere',
  options: [
    ...readingOptions,
    { ...strict, description: 'treat warnings as errors: exit 1 and start nothing' },
    { ...quiet, description: 'print errors only: no warnings, no summary (the command\'s own output is untouched)' },
  ],
}

export const commands: CommandSpec[] = [encodeCommand, decodeCommand, checkCommand, runCommand]

/** The README's table of a command's options: its own, then those every command takes. */
export function optionsTable(spec: CommandSpec): string {
  const rows = [...spec.options, ...globalOptions].map((o) => `| \`${o.flags}\` | ${o.readme ?? o.description} |`)
  return ['| option | what it does |', '| --- | --- |', ...rows].join('\n') + '\n'
}
