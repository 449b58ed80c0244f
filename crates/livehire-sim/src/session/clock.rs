//! Simulated time onto the server's clock, for sessions sent faster than real time.

/// Time compression used when events are sent as fast as possible: one
/// simulated second becomes one millisecond on the server's clock.
pub const FAST_FACTOR: f64 = 1000.0;

/// Maps a simulated offset (ms from the session's start) onto the server's
/// clock when the session runs `factor` times faster than real time:
/// `⌊offset ÷ factor⌋` ms after the real start.
pub fn compress(offset_ms: i64, factor: f64) -> i64 {
    if factor == 1.0 || factor <= 0.0 {
        return offset_ms;
    }
    (offset_ms as f64 / factor).floor() as i64
}
