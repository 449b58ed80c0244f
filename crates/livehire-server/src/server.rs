//! The listener: accepts HTTP/1.1 connections, caps how many are open,
//! closes the slow and the idle ones, and shuts down within a grace.
//!
//! `axum::serve` has neither a connection cap nor timeouts, and a socket that
//! never sends a byte stays open for ever (21,000 of them exhausted the file
//! descriptors and `/healthz` timed out). Here every connection is registered
//! with what it is doing: requests in flight (counted until their response
//! body is dropped, so an open event stream counts), when it was last active,
//! and since when it has been sending the head of a request. A reaper closes
//! connections that take longer than the header-read timeout to send a head,
//! and those idle (no request in flight) past the idle timeout. At the cap, a
//! new connection closes the one idle the longest, so a prober such as
//! `/healthz` is answered however many idle sockets a client holds; only when
//! every connection is busy does accepting wait.

use std::collections::HashMap;
use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tower::ServiceExt;

/// How connections are bounded.
#[derive(Clone, Debug)]
pub struct ConnectionLimits {
    /// Most connections open at once.
    pub max_connections: usize,
    /// Longest a client may take to send a request's head, from its first
    /// byte (a slow client holding a connection half-sent is closed).
    pub header_read_timeout: Duration,
    /// Longest a connection may stay open with no request in flight (a fresh
    /// one that sends nothing, or a kept-alive one between requests).
    pub idle_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            max_connections: 10_000,
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
        }
    }
}

/// Why a connection was closed by the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CloseReason {
    /// No request in flight for longer than the idle timeout.
    Idle,
    /// A request head took longer than the header-read timeout.
    HeaderTimeout,
    /// The cap was reached and this was the connection idle the longest.
    Evicted,
    /// The server shut down.
    Shutdown,
}

impl CloseReason {
    fn as_str(self) -> &'static str {
        match self {
            CloseReason::Idle => "idle",
            CloseReason::HeaderTimeout => "header_timeout",
            CloseReason::Evicted => "evicted",
            CloseReason::Shutdown => "shutdown",
        }
    }
}

const CLOSE_NONE: u8 = 0;
/// Finish the request in flight, if any, then close.
const CLOSE_GRACEFUL: u8 = 1;
/// Close now (nothing is in flight, or the grace is over).
const CLOSE_NOW: u8 = 2;

/// One open connection, as the reaper and the cap see it.
struct Conn {
    /// Requests whose response has not been dropped yet.
    in_flight: AtomicU32,
    /// When a request last ended (or the connection opened), clock ms.
    last_active_ms: AtomicU64,
    /// When the first byte of a request head arrived while nothing was in
    /// flight, clock ms; 0 when no head is being read.
    reading_since_ms: AtomicU64,
    /// What the connection's task is asked to do.
    close_mode: AtomicU8,
    close_reason: Mutex<Option<CloseReason>>,
    close: Notify,
}

impl Conn {
    fn ask_to_close(&self, mode: u8, reason: CloseReason) {
        if self.close_mode.fetch_max(mode, Ordering::AcqRel) < mode {
            if let Ok(mut r) = self.close_reason.lock() {
                r.get_or_insert(reason);
            }
            self.close.notify_one();
        }
    }
}

/// Every open connection.
struct Registry {
    clock: Instant,
    conns: Mutex<HashMap<u64, Arc<Conn>>>,
    next_id: AtomicU64,
    /// Signalled when a connection closes.
    closed: Notify,
}

impl Registry {
    /// Milliseconds since the server started (never 0).
    fn now_ms(&self) -> u64 {
        self.clock.elapsed().as_millis() as u64 + 1
    }

    fn len(&self) -> usize {
        self.conns.lock().map(|c| c.len()).unwrap_or(0)
    }

    fn add(&self) -> (u64, Arc<Conn>) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let conn = Arc::new(Conn {
            in_flight: AtomicU32::new(0),
            last_active_ms: AtomicU64::new(self.now_ms()),
            reading_since_ms: AtomicU64::new(0),
            close_mode: AtomicU8::new(CLOSE_NONE),
            close_reason: Mutex::new(None),
            close: Notify::new(),
        });
        if let Ok(mut c) = self.conns.lock() {
            c.insert(id, conn.clone());
        }
        (id, conn)
    }

    fn remove(&self, id: u64) {
        if let Ok(mut c) = self.conns.lock() {
            c.remove(&id);
        }
        self.closed.notify_waiters();
    }

    /// Closes the connection idle the longest; false when every one is busy.
    fn evict_oldest_idle(&self) -> bool {
        let oldest = self.conns.lock().ok().and_then(|c| {
            c.values()
                .filter(|c| {
                    c.in_flight.load(Ordering::Acquire) == 0
                        && c.close_mode.load(Ordering::Acquire) == CLOSE_NONE
                })
                .min_by_key(|c| c.last_active_ms.load(Ordering::Relaxed))
                .cloned()
        });
        match oldest {
            Some(c) => {
                c.ask_to_close(CLOSE_NOW, CloseReason::Evicted);
                true
            }
            None => false,
        }
    }

    /// Asks every connection to close: gracefully, or now.
    fn close_all(&self, mode: u8) {
        if let Ok(c) = self.conns.lock() {
            for conn in c.values() {
                conn.ask_to_close(mode, CloseReason::Shutdown);
            }
        }
    }

    /// One pass of the reaper.
    fn reap(&self, limits: &ConnectionLimits) {
        let now = self.now_ms();
        let header = limits.header_read_timeout.as_millis() as u64;
        let idle = limits.idle_timeout.as_millis() as u64;
        let Ok(c) = self.conns.lock() else { return };
        for conn in c.values() {
            if conn.in_flight.load(Ordering::Acquire) > 0 {
                continue;
            }
            let reading = conn.reading_since_ms.load(Ordering::Acquire);
            if reading != 0 {
                if now.saturating_sub(reading) > header {
                    conn.ask_to_close(CLOSE_NOW, CloseReason::HeaderTimeout);
                }
            } else if now.saturating_sub(conn.last_active_ms.load(Ordering::Relaxed)) > idle {
                conn.ask_to_close(CLOSE_GRACEFUL, CloseReason::Idle);
            }
        }
    }

    /// Waits until no connection is open, or `deadline`; whether none is.
    async fn wait_empty(&self, deadline: tokio::time::Instant) -> bool {
        loop {
            let notified = self.closed.notified();
            if self.len() == 0 {
                return true;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.len() == 0;
            }
        }
    }
}

/// The socket, watched: the first bytes of a request head that arrive while
/// nothing is in flight start the header-read clock.
struct Watched {
    stream: TcpStream,
    conn: Arc<Conn>,
    registry: Arc<Registry>,
}

impl AsyncRead for Watched {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let r = Pin::new(&mut this.stream).poll_read(cx, buf);
        if buf.filled().len() > before
            && this.conn.in_flight.load(Ordering::Acquire) == 0
            && this.conn.reading_since_ms.load(Ordering::Relaxed) == 0
        {
            this.conn
                .reading_since_ms
                .store(this.registry.now_ms(), Ordering::Release);
        }
        r
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

/// A response body that marks its request finished when dropped (sent in
/// full, or its connection gone).
struct Tracked {
    body: Body,
    conn: Arc<Conn>,
    registry: Arc<Registry>,
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.conn
            .last_active_ms
            .store(self.registry.now_ms(), Ordering::Relaxed);
        self.conn.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

impl hyper::body::Body for Tracked {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.body.size_hint()
    }
}

/// How a serve ended.
#[derive(Debug, Default)]
pub struct Served {
    /// Connections still open when the grace ran out, closed then.
    pub forced: usize,
    /// From the shutdown signal to the last connection closed.
    pub took: Duration,
}

/// File descriptors kept for what is not a connection (the database's,
/// the log's, the runtime's).
const SPARE_FDS: u64 = 64;

/// The process's soft limit of open files, where the system says (Linux).
fn open_file_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// The connection cap to enforce: the one asked for, kept under the
/// open-file limit (a cap the process cannot reach protects nothing).
fn effective_cap(asked: usize) -> usize {
    match open_file_limit() {
        Some(files) if (asked as u64).saturating_add(SPARE_FDS) > files => {
            let cap = files.saturating_sub(SPARE_FDS).max(1) as usize;
            tracing::warn!(
                asked,
                open_file_limit = files,
                cap,
                "the connection cap is above the open-file limit (ulimit -n); capping lower"
            );
            cap
        }
        _ => asked,
    }
}

/// Serves `router` on `listener` until `shutdown` turns true; then stops
/// accepting, lets the requests in flight finish (event streams end on the
/// same signal) and closes what is still open after `grace`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    mut limits: ConnectionLimits,
    mut shutdown: watch::Receiver<bool>,
    grace: Duration,
) -> Served {
    limits.max_connections = effective_cap(limits.max_connections);
    let registry = Arc::new(Registry {
        clock: Instant::now(),
        conns: Mutex::new(HashMap::new()),
        next_id: AtomicU64::new(0),
        closed: Notify::new(),
    });
    let reaper = tokio::spawn(reap(registry.clone(), limits.clone()));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.keep_alive(true);
    let shared = Arc::new(Shared {
        registry: registry.clone(),
        router,
        http,
    });
    loop {
        let accepted = tokio::select! {
            biased;
            _ = shutdown.wait_for(|s| *s) => break,
            a = listener.accept() => a,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                accept_failed(&registry, &e).await;
                continue;
            }
        };
        if registry.len() >= limits.max_connections && !registry.evict_oldest_idle() {
            // Every connection is busy: wait for one to finish.
            loop {
                let closed = registry.closed.notified();
                if registry.len() < limits.max_connections || *shutdown.borrow() {
                    break;
                }
                tokio::select! {
                    () = closed => {}
                    () = tokio::time::sleep(Duration::from_millis(100)) => {
                        registry.evict_oldest_idle();
                    }
                }
            }
        }
        let (id, conn) = registry.add();
        metrics::gauge!("livehire_http_connections").set(registry.len() as f64);
        tokio::spawn(connection(stream, peer, (id, conn), shared.clone()));
    }
    drop(listener);
    let began = tokio::time::Instant::now();
    let deadline = began + grace;
    registry.close_all(CLOSE_GRACEFUL);
    let mut served = Served::default();
    if !registry.wait_empty(deadline).await {
        served.forced = registry.len();
        registry.close_all(CLOSE_NOW);
        registry
            .wait_empty(tokio::time::Instant::now() + Duration::from_secs(1))
            .await;
    }
    reaper.abort();
    served.took = began.elapsed();
    served
}

/// An accept failed: out of file descriptors makes room by closing the
/// connection idle the longest; anything else is retried after a pause.
async fn accept_failed(registry: &Registry, e: &io::Error) {
    use io::ErrorKind::*;
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionReset | ConnectionRefused | Interrupted
    ) {
        return;
    }
    tracing::warn!(error = %e, open = registry.len(), "accepting a connection failed");
    registry.evict_oldest_idle();
    tokio::time::sleep(Duration::from_millis(20)).await;
}

/// Closes connections past their timeouts, a few times per shortest timeout.
async fn reap(registry: Arc<Registry>, limits: ConnectionLimits) {
    let shortest = limits.header_read_timeout.min(limits.idle_timeout);
    let every = (shortest / 4).clamp(Duration::from_millis(20), Duration::from_secs(1));
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        registry.reap(&limits);
    }
}

/// What every connection's task shares.
struct Shared {
    registry: Arc<Registry>,
    router: Router,
    http: hyper::server::conn::http1::Builder,
}

/// Serves one connection until it ends or is asked to close.
async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    (id, conn): (u64, Arc<Conn>),
    shared: Arc<Shared>,
) {
    let registry = shared.registry.clone();
    let io = TokioIo::new(Watched {
        stream,
        conn: conn.clone(),
        registry: registry.clone(),
    });
    let service = {
        let (conn, registry, router) = (conn.clone(), registry.clone(), shared.router.clone());
        hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
            conn.in_flight.fetch_add(1, Ordering::AcqRel);
            conn.reading_since_ms.store(0, Ordering::Release);
            let mut req = req.map(Body::new);
            req.extensions_mut().insert(ConnectInfo(peer));
            let tracked = (conn.clone(), registry.clone());
            let router = router.clone();
            async move {
                let resp = match router.oneshot(req).await {
                    Ok(resp) => resp,
                    Err(never) => match never {},
                };
                let (conn, registry) = tracked;
                Ok::<_, Infallible>(resp.map(|body| Tracked {
                    body,
                    conn,
                    registry,
                }))
            }
        })
    };
    let served = shared.http.serve_connection(io, service);
    tokio::pin!(served);
    // Asked to close (by the reaper, the cap or the shutdown, which asks
    // every connection): one future, made again only once it fires.
    let mut close = std::pin::pin!(conn.close.notified());
    let mut graceful = false;
    loop {
        tokio::select! {
            biased;
            r = served.as_mut() => {
                if let Err(e) = r {
                    tracing::debug!(error = %e, %peer, "connection ended with an error");
                }
                break;
            }
            () = close.as_mut() => {
                close.set(conn.close.notified());
                if conn.close_mode.load(Ordering::Acquire) == CLOSE_NOW {
                    break;
                }
                if !graceful {
                    graceful = true;
                    served.as_mut().graceful_shutdown();
                }
            }
        }
    }
    let reason = conn.close_reason.lock().ok().and_then(|r| *r);
    if let Some(reason) = reason {
        metrics::counter!("livehire_http_connections_closed_total", "reason" => reason.as_str())
            .increment(1);
    }
    registry.remove(id);
    metrics::gauge!("livehire_http_connections").set(registry.len() as f64);
}

/// Parses a duration as flags take it: `10s`, `500ms`, `2m`, `1h`, or plain
/// seconds (`10`, `0.5`).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let n: f64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration (10s, 500ms, 2m, 1h)"))?;
    let seconds = match unit.trim() {
        "" | "s" => n,
        "ms" => n / 1000.0,
        "m" | "min" => n * 60.0,
        "h" => n * 3600.0,
        other => return Err(format!("unknown unit {other:?} in {text:?} (ms, s, m, h)")),
    };
    if !seconds.is_finite() || !(0.0..=30.0 * 86_400.0).contains(&seconds) {
        return Err(format!("{text:?} is out of range (0 to 30 days)"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_stays_under_the_open_file_limit() {
        let files = open_file_limit().expect("a Linux process has an open-file limit");
        assert!(files > SPARE_FDS);
        assert_eq!(effective_cap(10), 10);
        assert_eq!(effective_cap(usize::MAX), (files - SPARE_FDS) as usize);
    }

    #[test]
    fn durations_read_as_flags_write_them() {
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("10"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("0.5"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert!(parse_duration("10 parsecs").is_err());
        assert!(parse_duration("-1s").is_err());
        assert!(parse_duration("").is_err());
    }
}
