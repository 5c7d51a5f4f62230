/**
 * A built-in module loaded when first needed, for those that most runs never use (child_process
 * outside a git work tree, tty when stderr is no terminal, os when no signal comes). `process.getBuiltinModule` (Node 20.16
 * and later) loads it directly; `import()`, the fallback, also starts the ES module loader.
 */
export async function builtin<T>(name: 'node:tty' | 'node:child_process' | 'node:os'): Promise<T> {
  const get = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule
  return get !== undefined ? (get(name) as T) : ((await import(name)) as T)
}
