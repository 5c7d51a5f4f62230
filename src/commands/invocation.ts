/** What the command line asked for, as the commands receive it (cli/program.ts builds it). */

/** The options of every command, as commander names them (camelCase of the long flag). */
export interface CommandArgs {
  output?: string
  stdout?: boolean
  allowDuplicates?: boolean
  force?: boolean
  strict?: boolean
  quiet?: boolean
  [option: string]: string | boolean | string[] | undefined
}

export interface Invocation {
  /** The command's name, as in options.ts. */
  command: string
  /** The file argument as given, or undefined for the command's default. */
  file: string | undefined
  /** Every file argument, for a command that takes several (check). */
  files: string[]
  options: CommandArgs
  /** false with --no-color, undefined otherwise. */
  color: boolean | undefined
  /**
   * For a command that starts another (`run`): the words after the first `--`, as given; undefined
   * when there was no `--`.
   */
  passThrough?: string[]
}
