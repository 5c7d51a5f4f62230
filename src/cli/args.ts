import { UsageError } from './errors.js'
import { commands, globalOptions, type CommandSpec, type OptionSpec } from './options.js'
import type { CommandArgs, Invocation, Writers } from './program.js'

/**
 * argv → invocation. Plain command lines (known command, known options, each once) are read here
 * from the same option lists commander is built from, so the common `npx kestra-secrets encode`
 * never loads commander; anything else (help, version, mistakes, unusual forms) goes to commander,
 * which stays the authority: a test checks that both agree wherever the quick path answers.
 */
export async function parseCommandLine(argv: readonly string[], writers: Writers): Promise<Invocation | undefined> {
  const quick = quickParse(argv)
  if (quick !== undefined) return validate(quick)
  const { parseArgs } = await import('./program.js')
  return parseArgs(argv, writers)
}

/** Checks that span options, shared by both parsers. */
export function validate(invocation: Invocation): Invocation {
  const o = invocation.options
  if (o.stdout === true && o.output !== undefined && o.output !== '-') {
    throw new UsageError('--stdout and --output go to different places: give one of them')
  }
  return invocation
}

interface Flag {
  short: string | undefined
  long: string
  /** commander's name for it: the long flag in camelCase. */
  attribute: string
  takesValue: boolean
  choices: string[] | undefined
}

function flag(spec: OptionSpec): Flag {
  const m = /^(?:(-\w), )?(--[\w-]+)(?: <[\w-]+>)?$/.exec(spec.flags)
  if (m === null) throw new Error(`option ${spec.flags} has a form quickParse does not know`)
  const long = m[2] as string
  return {
    short: m[1],
    long,
    attribute: long.slice(2).replace(/-(\w)/g, (_, c: string) => c.toUpperCase()),
    takesValue: spec.flags.endsWith('>'),
    choices: spec.choices,
  }
}

const flagsByCommand = new Map<CommandSpec, Flag[]>()
const NO_COLOR = globalOptions.map(flag).find((f) => f.long === '--no-color')?.long

/** The invocation for a plain command line, or undefined when commander should read it. */
export function quickParse(argv: readonly string[]): Invocation | undefined {
  let color: false | undefined
  let i = 0
  while (argv[i] === NO_COLOR) {
    color = false
    i++
  }
  const spec = commands.find((c) => c.name === argv[i])
  if (spec === undefined) return undefined
  let flags = flagsByCommand.get(spec)
  if (flags === undefined) flagsByCommand.set(spec, (flags = spec.options.map(flag)))
  const options: CommandArgs = {}
  let file: string | undefined
  for (i++; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === NO_COLOR) {
      color = false
      continue
    }
    if (arg === '-' || !arg.startsWith('-')) {
      if (file !== undefined) return undefined
      file = arg
      continue
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1
    const name = eq === -1 ? arg : arg.slice(0, eq)
    const f = flags.find((x) => x.long === name || x.short === name)
    if (f === undefined || options[f.attribute] !== undefined) return undefined
    if (!f.takesValue) {
      if (eq !== -1) return undefined
      options[f.attribute] = true
      continue
    }
    let value: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1)
    if (value === undefined) {
      value = argv[i + 1]
      if (value === undefined || (value.startsWith('-') && value !== '-')) return undefined
      i++
    }
    if (f.choices !== undefined && !f.choices.includes(value)) return undefined
    options[f.attribute] = value
  }
  return { command: spec.name, file, options, color }
}
