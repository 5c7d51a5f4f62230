// Forces an internal error whose message quotes a value, to prove the bug report leaves it out:
// turning a value into bytes fails, whichever Buffer call the encoder uses; and the fast path of
// plain files, which never makes a value a string, fails when it looks for the input's lines.
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
const indexOf = Buffer.prototype.indexOf
Buffer.prototype.indexOf = function (value, ...rest) {
  if (value === 0x0a && indexOf.call(this, 'LEAKME') !== -1) throw boom(this.toString('latin1'))
  return indexOf.call(this, value, ...rest)
}
