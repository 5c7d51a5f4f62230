import type { EncodeOptions } from '../core/encode.js'
import type { CommandArgs } from './invocation.js'

/**
 * encodeEnv's options from the command line (the reading options of src/cli/options.ts), the
 * same for every command that reads a plain .env (run; encode passes the same ones).
 */
export function encodeOptions(o: CommandArgs, env: NodeJS.ProcessEnv): EncodeOptions {
  return { allowDuplicates: o.allowDuplicates, force: o.force, expand: o.expand === true, env }
}
