import type { Paint } from '../commands/report.js'

export type ColorLevel = 0 | 1 | 2 | 3

/**
 * Whether and how much colour to write on a stream, decided once. In order: `--no-color`, then
 * FORCE_COLOR (which chalk and Node both let win over NO_COLOR), then NO_COLOR, then whether the
 * stream is a terminal that is not `dumb`.
 */
export function colorLevel(flag: boolean | undefined, env: NodeJS.ProcessEnv, isTTY: boolean): ColorLevel {
  if (flag === false) return 0
  const force = env.FORCE_COLOR
  if (force !== undefined) {
    if (force === '' || force === 'true') return 1
    if (force === 'false') return 0
    const n = Number.parseInt(force, 10)
    if (!Number.isNaN(n)) return Math.max(0, Math.min(3, n)) as ColorLevel
    return 1
  }
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0
  if (!isTTY || env.TERM === 'dumb') return 0
  if (env.COLORTERM === 'truecolor' || env.COLORTERM === '24bit') return 3
  if (env.TERM !== undefined && env.TERM.includes('256')) return 2
  return 1
}

const plain: Paint = { error: (s) => s, warning: (s) => s, dim: (s) => s, ok: (s) => s }

/** Colours for stderr; chalk is loaded only when colour is on. */
export async function paintFor(level: ColorLevel): Promise<Paint> {
  if (level === 0) return plain
  const { Chalk } = await import('chalk')
  const chalk = new Chalk({ level })
  return {
    error: (s) => chalk.red.bold(s),
    warning: (s) => chalk.yellow(s),
    dim: (s) => chalk.dim(s),
    ok: (s) => chalk.green(s),
  }
}
