//! Where logs go: stderr, through a buffer.
//!
//! One access line per request means tens of thousands of lines a second
//! under load. Written straight to stderr that is a system call per line;
//! handed to a writer thread over a channel (tracing-appender) it is a
//! thread wake-up per line; either cost more than a small request on a
//! two-core machine. Here a line is appended to a buffer under a lock held
//! only for the copy, and a thread of its own writes the buffer out every
//! 50 ms (and whenever a warning or an error is logged, and at exit), so
//! no request ever waits for a system call to log.

use std::io::{self, Write};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use tracing::{Level, Metadata};
use tracing_subscriber::fmt::MakeWriter;

/// How often buffered lines are written out.
const FLUSH_EVERY: Duration = Duration::from_millis(50);
/// Past this many bytes waiting, the writer thread is woken at once.
const WAKE_AT: usize = 256 * 1024;

struct Shared {
    pending: Mutex<Vec<u8>>,
    wake: Condvar,
}

/// The buffer the subscriber writes lines to; its thread writes them to stderr.
#[derive(Clone)]
pub struct BufferedStderr {
    shared: Arc<Shared>,
}

/// Writes what is left when dropped (at the end of `main`).
pub struct FlushOnDrop(BufferedStderr);

impl Drop for FlushOnDrop {
    fn drop(&mut self) {
        self.0.write_out();
    }
}

impl BufferedStderr {
    /// The buffer and its writer thread; the guard writes out the rest.
    pub fn start() -> (BufferedStderr, FlushOnDrop) {
        let sink = BufferedStderr {
            shared: Arc::new(Shared {
                pending: Mutex::new(Vec::with_capacity(64 * 1024)),
                wake: Condvar::new(),
            }),
        };
        let writer = sink.clone();
        let _ = std::thread::Builder::new()
            .name("livehire-logs".into())
            .spawn(move || {
                loop {
                    {
                        let pending = writer.lock();
                        let _ = writer.shared.wake.wait_timeout(pending, FLUSH_EVERY);
                    }
                    writer.write_out();
                }
            });
        (sink.clone(), FlushOnDrop(sink))
    }

    fn lock(&self) -> MutexGuard<'_, Vec<u8>> {
        self.shared
            .pending
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Takes what is waiting (the lock held for a swap) and writes it.
    fn write_out(&self) {
        let lines = std::mem::take(&mut *self.lock());
        if !lines.is_empty() {
            let mut err = io::stderr().lock();
            let _ = err.write_all(&lines);
            let _ = err.flush();
        }
    }
}

/// One line being written; a warning or an error goes out at once.
pub struct Line<'a> {
    sink: &'a BufferedStderr,
    urgent: bool,
}

impl Write for Line<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let waiting = {
            let mut pending = self.sink.lock();
            pending.extend_from_slice(buf);
            pending.len()
        };
        if waiting >= WAKE_AT {
            self.sink.shared.wake.notify_one();
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for Line<'_> {
    fn drop(&mut self) {
        if self.urgent {
            self.sink.write_out();
        }
    }
}

impl<'a> MakeWriter<'a> for BufferedStderr {
    type Writer = Line<'a>;

    fn make_writer(&'a self) -> Line<'a> {
        Line {
            sink: self,
            urgent: false,
        }
    }

    fn make_writer_for(&'a self, meta: &Metadata<'_>) -> Line<'a> {
        Line {
            sink: self,
            urgent: *meta.level() <= Level::WARN,
        }
    }
}
