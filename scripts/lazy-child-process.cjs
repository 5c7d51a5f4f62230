// commander requires child_process when it loads, for executable subcommands, which this CLI has
// none of; loading it (with the stream and socket code it brings) is a tenth of a small run. The
// bundle gets this stand-in, which loads the real module on first use.
let real
module.exports = new Proxy({}, { get: (_, key) => (real ??= require('child_process'))[key] })
