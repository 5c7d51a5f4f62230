import { Command, CommanderError, Option } from 'commander'
import { readFileSync } from 'node:fs'
import { UsageError } from '../errors.js'
import type { CommandArgs, Invocation } from '../commands/invocation.js'
import { commands, globalOptions, type CommandSpec, type OptionSpec } from './options.js'

export interface Writers {
  out(text: string): void
  err(text: string): void
}

/** Set by the bundler (scripts/bundle.js); undefined when running tsc's output. */
declare const __KESTRA_SECRETS_VERSION__: string | undefined

/**
 * The version in our package.json: inlined in the bundle, otherwise found by walking up from this
 * module (dist/ or build/).
 */
function version(): string {
  if (typeof __KESTRA_SECRETS_VERSION__ === 'string') return __KESTRA_SECRETS_VERSION__
  for (let dir = new URL('./', import.meta.url); ; dir = new URL('../', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string; version?: string }
      if (pkg.name === 'kestra-secrets' && pkg.version !== undefined) return pkg.version
    } catch {
      // not here: one folder up
    }
    if (dir.pathname === '/') return '0.0.0'
  }
}

/**
 * Turns argv (without `node` and the script) into an invocation. Help and version are written
 * through `writers` and give `undefined`; a bad command line throws a UsageError whose message is
 * the one line to print.
 */
export function parseArgs(argv: readonly string[], writers: Writers): Invocation | undefined {
  const { own, passThrough, spec: passing } = splitPassThrough(argv)
  let invocation: Invocation | undefined
  // The command whose options were wrong, for the hint to its --help.
  let failedIn = ''
  const [noColor, help, versionFlag] = globalOptions as [OptionSpec, OptionSpec, OptionSpec]
  // Commander's own error line is replaced by the UsageError message below.
  const output = { writeOut: (s: string) => writers.out(s), writeErr: () => {}, outputError: () => {} }
  const program = new Command('kestra-secrets')
    .description('Turn .env files into the base64 SECRET_ variables that Kestra reads.')
    .version(version(), versionFlag.flags, versionFlag.description)
    .helpOption(help.flags, help.description)
    .helpCommand(false)
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .configureOutput(output)
    .option(noColor.flags, noColor.description)

  // Only the command named on the line gets its arguments, options and action: the others are
  // names for commander's "did you mean", and building every option of every command is most of
  // commander's start-up. The program's own help lists them all, whole.
  const at = own.findIndex((a) => !a.startsWith('-'))
  const named = at === -1 || own.slice(0, at).some((a) => HELP_OR_VERSION.has(a)) ? undefined : own[at]
  for (const spec of commands) {
    if (named !== undefined && spec.name !== named) {
      program.command(spec.name).description(spec.summary)
      continue
    }
    const cmd = program.command(spec.name).description(spec.summary)
      .argument(spec.argument.name, spec.argument.description)
      .helpOption(help.flags, help.description)
      .exitOverride((e) => {
        failedIn = `${spec.name} `
        throw e
      })
      .configureOutput(output)
    if (spec.passThrough !== undefined) {
      cmd.usage(`[options] ${spec.argument.name} ${spec.passThrough}`)
        .addHelpText('after', `\nEverything after -- is the command and its own arguments and options, e.g.:\n  kestra-secrets ${spec.name} .env -- node app.js --port 8080\n`)
    }
    for (const o of spec.options) {
      const option = new Option(o.flags, o.description)
      if (o.choices) option.choices(o.choices)
      cmd.addOption(option)
    }
    cmd.action((file: string | string[] | undefined, options: CommandArgs) => {
      const color = (program.opts() as { color?: boolean }).color
      // A variadic argument ([files...]) gives a list, perhaps empty.
      const files = Array.isArray(file) ? file : file === undefined ? [] : [file]
      invocation = { command: spec.name, file: files[0], files, options: { ...options }, color: color === false ? false : undefined }
      if (spec.passThrough !== undefined) invocation.passThrough = passThrough
    })
  }

  if (argv.length === 0) {
    writers.err(program.helpInformation())
    throw new UsageError('no command given: try `kestra-secrets encode .env`')
  }
  if (passing !== undefined && passThrough === undefined && !own.some((a) => HELP_OR_VERSION.has(a))) {
    // Without `--`, `run node -e ...` would fail on -e as an option of ours: say what is missing.
    throw new UsageError(`${passing.name} starts the command given after --: kestra-secrets ${passing.name} [file] -- command [args...] (see kestra-secrets ${passing.name} --help)`)
  }
  try {
    program.parse(own, { from: 'user' })
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return undefined
      const message = e.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ')
      throw new UsageError(`${message} (see kestra-secrets ${failedIn}--help)`)
    }
    throw e
  }
  if (invocation === undefined) {
    throw new UsageError('no command given: try `kestra-secrets encode .env`')
  }
  return validate(invocation)
}

const HELP_OR_VERSION = new Set(['-h', '--help', '-V', '--version'])

/**
 * For a command that starts another (`run`), the command line splits at the first `--` after the
 * command's name: what comes before is ours, what comes after is the other command's, options
 * included. Commander keeps no trace of where `--` was, and `run -- node -e 1` must not read
 * `node` as the file, so the split is made before commander sees the line.
 */
function splitPassThrough(argv: readonly string[]): { own: string[]; passThrough?: string[]; spec?: CommandSpec } {
  // The program's own options (--no-color, -h, -V) take no value: the first word is the command.
  const at = argv.findIndex((a) => !a.startsWith('-'))
  const spec = commands.find((c) => c.name === argv[at] && c.passThrough !== undefined)
  if (spec === undefined) return { own: [...argv] }
  const dashes = argv.indexOf('--', at + 1)
  if (dashes === -1) return { own: [...argv], spec }
  return { own: argv.slice(0, dashes), passThrough: argv.slice(dashes + 1), spec }
}

/** The checks that span options, and those commander cannot make: an empty path. */
function validate(invocation: Invocation): Invocation {
  // An empty path would reach the file system as '' and come back as `: error: no such file`.
  if (invocation.files.includes('')) {
    throw new UsageError(`the file name given to ${invocation.command} is empty: give the file to read, or - for stdin`)
  }
  for (const spec of commands.find((c) => c.name === invocation.command)?.options ?? []) {
    if (spec.path === undefined) continue
    const option = new Option(spec.flags)
    if (invocation.options[option.attributeName()] === '') {
      throw new UsageError(`${option.long ?? option.flags} is given an empty path: give ${spec.path}`)
    }
  }
  if (invocation.passThrough !== undefined && invocation.passThrough.length === 0) {
    throw new UsageError(`nothing after --: give the command to start, as in kestra-secrets ${invocation.command} .env -- node app.js`)
  }
  if (invocation.passThrough?.[0] === '') {
    throw new UsageError(`the command after -- is empty: give the command to start, as in kestra-secrets ${invocation.command} .env -- node app.js`)
  }
  const o = invocation.options
  if (o.stdout === true && o.output !== undefined && o.output !== '-') {
    throw new UsageError('--stdout and --output go to different places: give one of them')
  }
  return invocation
}
