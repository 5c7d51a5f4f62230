// Makes stdout non-blocking before the CLI starts (loaded with --import by
// test/io/short-writes.test.ts): creating process.stdout on a pipe does it, as libuv sets
// O_NONBLOCK on the pipes it handles. A full pipe then answers a write with EAGAIN.
void process.stdout
