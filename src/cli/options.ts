/**
 * The command line, as data: the program (program.ts) is built from these lists and a test checks
 * that the README documents every flag, so help, docs and code say the same thing.
 */
export interface OptionSpec {
  flags: string
  description: string
  /** The only values the option takes, when it takes a value from a fixed list. */
  choices?: string[]
}

export interface CommandSpec {
  name: string
  argument: { name: string; description: string }
  summary: string
  options: OptionSpec[]
}

export const globalOptions: OptionSpec[] = [
  { flags: '--no-color', description: 'no colour on stderr (NO_COLOR and FORCE_COLOR are honoured too)' },
]

export const encodeCommand: CommandSpec = {
  name: 'encode',
  argument: { name: '[file]', description: '.env file to read, or - for stdin (default: .env)' },
  summary: 'base64-encode every value of a .env file into SECRET_<NAME> variables for Kestra',
  options: [
    { flags: '-o, --output <path>', description: 'where to write (default: <file>_encoded beside the input; - for stdout)' },
    { flags: '--stdout', description: 'print the result on stdout instead of writing a file' },
    { flags: '--allow-duplicates', description: 'keep the last definition of a repeated name (as dotenv does) instead of failing' },
    { flags: '--force', description: 'encode even when the input already looks encoded' },
    { flags: '--strict', description: 'treat warnings as errors (for CI): exit 1 and write nothing' },
    { flags: '-q, --quiet', description: 'print errors only: no warnings, no summary' },
  ],
}

export const commands: CommandSpec[] = [encodeCommand]
