// Forces an internal error whose message quotes a value, to prove the bug report leaves it out.
const from = Buffer.from
Buffer.from = function (value, ...rest) {
  if (typeof value === 'string' && value.includes('LEAKME')) throw new TypeError(`cannot encode ${value}`)
  return from.call(this, value, ...rest)
}
