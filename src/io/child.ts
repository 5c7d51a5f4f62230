import { readFileSync } from 'node:fs'
import { constants } from 'node:os'
import type { ChildProcess } from 'node:child_process'
import { builtin } from './builtin-module.js'
import { TERMINATING } from './signals.js'

/** How a started command ended, or why it could not start. */
export type ChildEnd =
  /** `code` is its exit code, or 128 + the signal's number when a signal ended it (as a shell says). */
  | { started: true; code: number }
  | { started: false; reason: StartFailure }

/**
 * Why a command did not start: no such program (a shell's 127), a program that cannot be run, or
 * an environment larger than the system passes to a program (both 126).
 */
export type StartFailure = 'not-found' | 'not-executable' | 'too-large' | 'failed'

/** The signals a terminal sends its foreground process group from the keyboard: Ctrl-C, Ctrl-\. */
const KEYBOARD_SIGNALS: ReadonlySet<string> = new Set(['SIGINT', 'SIGQUIT'])

/**
 * The signals sent on to the command: those that would end this process and can be handled
 * (signals.ts's TERMINATING), and SIGUSR1, which would open Node's inspector on a local port,
 * where any local user could read the secrets this process holds (a listener keeps it closed).
 */
const FORWARDED = [...TERMINATING, 'SIGUSR1'] as const

/**
 * Starts `argv` with `env` as its whole environment and the terminal (stdin, stdout, stderr) of
 * this process, and waits for it to end. Meanwhile no signal that would end this process and can
 * be handled ends it, and SIGUSR1 does not open the inspector: each is sent on to the command
 * (FORWARDED), which decides when to stop, and its end is ours. Otherwise the command would be
 * left running with nobody waiting for it (a JVM, as Kestra runs on, prints its threads on SIGQUIT
 * and goes on).
 */
export async function runChild(argv: readonly [string, ...string[]], env: NodeJS.ProcessEnv): Promise<ChildEnd> {
  const { spawn } = await builtin<typeof import('node:child_process')>('node:child_process')
  const [file, ...args] = argv
  return new Promise((resolve) => {
    let child: ChildProcess
    try {
      child = spawn(file, args, { stdio: 'inherit', env })
    } catch (e) {
      // Synchronous failures: E2BIG, and arguments Node refuses (a NUL byte in an argument).
      resolve({ started: false, reason: startFailure(e) })
      return
    }
    // run writes no file, so signals.ts's holdSignals (which would exit on these) is never on.
    const forwarders = FORWARDED.map((signal) => {
      // Only a signal this system has ever comes, so the name is one kill() knows (Node's type
      // leaves out SIGEMT and SIGLOST, which Linux lacks).
      const forward = (): void => {
        if (!KEYBOARD_SIGNALS.has(signal) || !gotKeyboardSignalToo(child.pid)) child.kill(signal as NodeJS.Signals)
      }
      process.on(signal, forward)
      return () => process.off(signal, forward)
    })
    const done = (end: ChildEnd): void => {
      for (const off of forwarders) off()
      resolve(end)
    }
    child.once('error', (e) => {
      // After a successful start, an error is a signal that could not be sent to a process that
      // is already gone: its exit follows.
      if (child.pid === undefined) done({ started: false, reason: startFailure(e) })
    })
    child.once('exit', (code, signal) => {
      done({ started: true, code: code ?? 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0)) })
    })
  })
}

function startFailure(e: unknown): StartFailure {
  switch ((e as NodeJS.ErrnoException).code) {
    case 'ENOENT': return 'not-found'
    case 'EACCES':
    case 'EPERM':
    case 'ENOEXEC':
    case 'EISDIR': return 'not-executable'
    case 'E2BIG': return 'too-large'
    default: return 'failed'
  }
}

/**
 * Ctrl-C in a terminal sends SIGINT to every process of the foreground process group: to this one
 * and to the command, which has it already. Sending it a second one would be read by some as
 * "press Ctrl-C again to force" (docker compose stops its containers without waiting then). So
 * SIGINT is not sent on when this process and the command are both in their terminal's
 * foreground process group, as /proc tells on Linux. Elsewhere, or when /proc cannot be read, it
 * is sent on. SIGQUIT (Ctrl-\) comes from the keyboard the same way and follows the same rule;
 * the others come from `kill`, a timer or a closing terminal and are always sent on.
 */
function gotKeyboardSignalToo(pid: number | undefined): boolean {
  if (pid === undefined) return false
  const self = processGroups('self')
  const child = processGroups(String(pid))
  if (self === undefined || child === undefined) return false
  return self.group === self.foreground && child.group === self.group
}

/** The process group of a process and the foreground process group of its terminal (-1: none). */
function processGroups(pid: string): { group: number; foreground: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1')
    // `pid (comm) state ppid pgrp session tty_nr tpgid ...`; comm may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const group = Number(fields[2])
    const foreground = Number(fields[5])
    if (!Number.isInteger(group) || !Number.isInteger(foreground) || foreground <= 0) return undefined
    return { group, foreground }
  } catch {
    return undefined
  }
}
