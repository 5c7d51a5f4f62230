import { builtin } from './builtin-module.js'

/**
 * The signals whose default action ends the process and that a JavaScript handler can wait for.
 * Left out, with their reasons:
 * - SIGKILL and SIGSTOP cannot be caught;
 * - SIGPIPE and SIGXFSZ are ignored by Node (a write then fails with EPIPE or EFBIG instead), and
 *   SIGUSR1 opens Node's inspector: none of them ends a Node process;
 * - SIGPROF is the sampling signal of V8's profiler (`--cpu-prof`, `--prof`): a handler would end
 *   a profiled run at its first sample;
 * - SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP and SIGSYS report a fault of the instruction that was
 *   running: after a handler the instruction runs again, so a crash would become a hang (Node's
 *   documentation warns of it). A crash of Node may leave the temporary file behind;
 * - the real-time signals, which Node has no names for.
 * SIGABRT is held too: `kill -ABRT` waits like the others, and a real abort() still ends the
 * process, since abort() raises it again with the default action once the handler returns.
 */
export const TERMINATING = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGABRT', 'SIGUSR2', 'SIGALRM', 'SIGTERM', 'SIGSTKFLT',
  'SIGXCPU', 'SIGVTALRM', 'SIGIO', 'SIGPWR', 'SIGEMT', 'SIGLOST'] as const

let holding = false

/**
 * From the first write of a file on, the terminating signals no longer end the process at once:
 * JavaScript runs their handler only after the synchronous write and rename have finished (or the
 * temporary file has been removed), and the handler then exits with 128 + the signal's number, as
 * a shell reports a process ended by a signal, without the core dump (holding secrets) that
 * SIGQUIT, SIGABRT and SIGXCPU would leave. A signal that already has a listener (such as Node's
 * `--heapsnapshot-signal`) is left to it.
 */
export function holdSignals(): void {
  if (holding) return
  holding = true
  // A name this system lacks (SIGPWR on macOS, SIGEMT on Linux) is only an event that never comes.
  for (const name of TERMINATING) {
    if (process.listenerCount(name) > 0) continue
    process.once(name, () => {
      void builtin<typeof import('node:os')>('node:os').then((os) => process.exit(128 + (os.constants.signals[name as keyof typeof os.constants.signals] ?? 0)))
    })
  }
}

/**
 * Lets a signal that arrived during a synchronous write reach its handler. Node hears of signals
 * in the poll phase of its event loop, and a run whose work is done ends without another turn,
 * which would lose the signal and exit 0 as if nothing had been asked. One immediate is not
 * enough: when this runs inside an I/O callback (with `--import`, the whole CLI does), the poll
 * of the current turn is over and its immediates run next; one more turn, with its poll, is needed.
 */
export function deliverHeldSignals(): void {
  if (holding) setImmediate(() => setImmediate(() => {}))
}
