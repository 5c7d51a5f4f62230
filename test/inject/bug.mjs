// Forces an internal error whose message quotes a value, to prove the bug report leaves it out:
// turning a value into bytes fails, whichever Buffer call the encoder uses.
const boom = (value) => new TypeError(`cannot encode ${value}`)
const from = Buffer.from
Buffer.from = function (value, ...rest) {
  if (typeof value === 'string' && value.includes('LEAKME')) throw boom(value)
  return from.call(this, value, ...rest)
}
const write = Buffer.prototype.write
Buffer.prototype.write = function (value, ...rest) {
  if (typeof value === 'string' && value.includes('LEAKME')) throw boom(value)
  return write.call(this, value, ...rest)
}
