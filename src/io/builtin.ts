/**
 * A built-in module, loaded when first needed. `process.getBuiltinModule` (Node 20.16 and later)
 * loads it directly; `import()` also works, but in the bundled CommonJS CLI it starts the ES
 * module loader, which costs as much again as the module.
 */
export async function builtin<T>(name: 'node:tty' | 'node:child_process'): Promise<T> {
  const get = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule
  return get !== undefined ? (get(name) as T) : ((await import(name)) as T)
}

/** Where bin/kestra-secrets.js lends its `import()` (see importPackage). */
const LENT_IMPORT = Symbol.for('kestra-secrets.import')

/**
 * A package loaded with `import()` (chalk is an ES module only). bin/kestra-secrets.js runs the
 * bundled CLI from V8's code cache, and code run that way cannot call `import()` on Node 20
 * without an experimental flag; the bin then lends its own, which this uses.
 */
export async function importPackage<T>(name: 'chalk' | 'yaml'): Promise<T> {
  const lent = (globalThis as Record<symbol, unknown>)[LENT_IMPORT] as ((name: string) => Promise<unknown>) | undefined
  return (lent !== undefined ? await lent(name) : await import(name)) as T
}
