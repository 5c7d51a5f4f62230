/**
 * A built-in module, loaded when first needed. `process.getBuiltinModule` (Node 20.16 and later)
 * loads it directly; `import()` also works, but in the bundled CommonJS CLI it starts the ES
 * module loader, which costs as much again as the module.
 */
export async function builtin<T>(name: 'node:tty' | 'node:child_process'): Promise<T> {
  const get = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule
  return get !== undefined ? (get(name) as T) : ((await import(name)) as T)
}
