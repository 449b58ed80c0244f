//! Per-viewer join/leave edges, their pairing into watch intervals, and the
//! concurrency curve (a step function) the viewer metrics are read from.
//!
//! Storage is one flat vector of `(viewer hash, ts << 1 | is_leave)`: 16 bytes an
//! edge, no per-viewer allocation, no strings. A metrics pass sorts it by viewer
//! then time (only the part appended since the last pass needs sorting; the
//! merge is linear), pairs each viewer's edges, and sorts the interval
//! boundaries by time to sweep the curve. Everything depends only on the multiset
//! of edges, never on arrival order.

/// Minutes after first join at which the after-join retention is measured.
pub(crate) const AFTER_JOIN_MINUTES: [u32; 11] = [1, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180];

const MINUTE_MS: i64 = 60_000;
/// The most `per_minute` points a curve reports: one week of minutes, so one
/// event with a stray time cannot make a default window's series huge.
pub(crate) const MAX_MINUTE_POINTS: usize = 7 * 24 * 60 + 1;
/// An interval still open (no leave yet).
const OPEN: i64 = i64::MAX;

/// All viewers' join and leave edges.
#[derive(Clone, Debug, Default)]
pub(crate) struct Viewers {
    /// `(viewer hash, ts_ms << 1 | is_leave)`; the first `sorted` are in order.
    edges: Vec<(u64, i64)>,
    sorted: usize,
    leaves: u64,
}

/// What one pass over the viewers found for a window.
#[derive(Debug, Default)]
pub(crate) struct ViewerPass {
    /// Viewers with at least one counted interval.
    pub unique: u64,
    /// Buyers (of those passed in) with no counted interval: they count as
    /// viewers too, so conversion never exceeds 1.
    pub buyers_not_watching: u64,
    /// Counted intervals (joins that started watching).
    pub views: u64,
    /// Per entry of the `minutes` asked for: `(minutes, eligible viewers, watching)`.
    pub after_join: Vec<(u32, u64, u64)>,
    /// Interval boundaries relative to the window start, `rel << 1 | is_start`,
    /// sorted; ends are clipped to `end + 1` so the curve at `end` counts viewers
    /// still watching then.
    pub keys: Vec<u64>,
}

impl Viewers {
    /// Records a join (`leave == false`) or a leave at `ts_ms` (|ts_ms| < 2⁶¹).
    pub fn push(&mut self, viewer: u64, ts_ms: i64, leave: bool) {
        self.edges.push((viewer, (ts_ms << 1) | i64::from(leave)));
        if leave {
            self.leaves += 1;
        }
    }

    /// Leave edges recorded.
    pub fn leaves(&self) -> u64 {
        self.leaves
    }

    /// Bytes held on the heap.
    pub fn heap_bytes(&self) -> usize {
        self.edges.capacity() * std::mem::size_of::<(u64, i64)>()
    }

    /// Sorts by viewer then time: the new tail alone, then a linear merge of the
    /// two runs (the standard stable sort detects and merges them).
    fn sort(&mut self) {
        if self.sorted == self.edges.len() {
            return;
        }
        self.edges[self.sorted..].sort_unstable();
        if self.sorted > 0 {
            self.edges.sort();
        }
        self.sorted = self.edges.len();
    }

    /// Pairs every viewer's edges and collects the window's figures. `minutes`
    /// are the after-join offsets to measure, ascending; `buyers` are the
    /// buyers' viewer hashes, sorted and without repeats (those with no counted
    /// interval are counted in [`ViewerPass::buyers_not_watching`]).
    pub fn pass(&mut self, start: i64, end: i64, minutes: &[u32], buyers: &[u64]) -> ViewerPass {
        self.sort();
        let mut out = ViewerPass {
            after_join: minutes.iter().map(|&m| (m, 0, 0)).collect(),
            ..ViewerPass::default()
        };
        out.keys.reserve(self.edges.len() + self.edges.len() / 8);
        let mut intervals: Vec<(i64, i64)> = Vec::new();
        let edges = &self.edges;
        let mut i = 0;
        let mut b = 0;
        while i < edges.len() {
            let viewer = edges[i].0;
            let mut j = i + 1;
            while j < edges.len() && edges[j].0 == viewer {
                j += 1;
            }
            pair(&edges[i..j], &mut intervals);
            let before = out.unique;
            count_viewer(&intervals, start, end, &mut out);
            // Buyers below this viewer never joined; this viewer, if a buyer,
            // counts as one only when no interval of theirs counted.
            while b < buyers.len() && buyers[b] < viewer {
                out.buyers_not_watching += 1;
                b += 1;
            }
            if b < buyers.len() && buyers[b] == viewer {
                if out.unique == before {
                    out.buyers_not_watching += 1;
                }
                b += 1;
            }
            i = j;
        }
        out.buyers_not_watching += (buyers.len() - b) as u64;
        out.keys.sort_unstable();
        out
    }
}

/// Pairs one viewer's edges (sorted by time, joins before leaves at a time) into
/// watch intervals `(join, leave)`, `leave == OPEN` when still watching.
///
/// A join while watching and a leave while not watching are ignored. At one
/// millisecond with both a join and a leave, the one that changes the state goes
/// first: not watching → a zero-length visit; watching → leave and re-join.
fn pair(edges: &[(u64, i64)], out: &mut Vec<(i64, i64)>) {
    out.clear();
    let mut watching_since: Option<i64> = None;
    let mut k = 0;
    while k < edges.len() {
        let ts = edges[k].1 >> 1;
        let (mut join, mut leave) = (false, false);
        while k < edges.len() && edges[k].1 >> 1 == ts {
            if edges[k].1 & 1 == 1 {
                leave = true;
            } else {
                join = true;
            }
            k += 1;
        }
        match watching_since {
            None if join && leave => out.push((ts, ts)),
            None if join => watching_since = Some(ts),
            Some(since) if leave => {
                out.push((since, ts));
                watching_since = join.then_some(ts);
            }
            _ => {}
        }
    }
    if let Some(since) = watching_since {
        out.push((since, OPEN));
    }
}

/// Adds one viewer's intervals that reach into `[start, end]` to the pass.
fn count_viewer(intervals: &[(i64, i64)], start: i64, end: i64, out: &mut ViewerPass) {
    let mut first: Option<i64> = None;
    let mut counted = 0;
    for &(join, leave) in intervals {
        if join > end || leave <= start {
            continue;
        }
        counted += 1;
        let from = join.max(start);
        first.get_or_insert(from);
        let to = leave.min(end.saturating_add(1));
        if from < to {
            let rel = |t: i64| (t.saturating_sub(start)) as u64;
            out.keys.push((rel(from) << 1) | 1);
            out.keys.push(rel(to) << 1);
        }
    }
    let Some(first) = first else {
        return;
    };
    out.unique += 1;
    out.views += counted;
    // Retention: watching at first join + m minutes, if that is within the window.
    let mut idx = 0;
    for slot in &mut out.after_join {
        let t = first.saturating_add(i64::from(slot.0) * MINUTE_MS);
        if t > end {
            break;
        }
        slot.1 += 1;
        while idx < intervals.len() && intervals[idx].1 <= t {
            idx += 1;
        }
        if idx < intervals.len() && intervals[idx].0.max(start) <= t {
            slot.2 += 1;
        }
    }
}

/// What the concurrency curve says about a window.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct CurveReport {
    /// Value at `end`.
    pub at_end: u64,
    /// Highest value in `[start, end]`.
    pub peak: u64,
    /// First time the peak was reached (`None` when the peak is 0).
    pub peak_at: Option<i64>,
    /// Area under the curve over `[start, end]`, in viewer-milliseconds.
    pub area_ms: u128,
    /// Value at `start + k minutes`, for every whole minute up to `end` (at most
    /// [`MAX_MINUTE_POINTS`]).
    pub per_minute: Vec<u64>,
    /// Highest value in each bucket (when buckets were asked for).
    pub buckets: Vec<u64>,
}

/// Walks a step function given as time-ordered changes `(t, new value)`.
pub(crate) struct Curve {
    start: i64,
    end: i64,
    value: u64,
    begun: bool,
    last_t: i64,
    next_minute: i64,
    bucket_ms: i64,
    n_buckets: usize,
    bucket_max: u64,
    report: CurveReport,
}

impl Curve {
    /// A curve over `[start, end]` (`start ≤ end`), with buckets of `bucket_ms`
    /// (0: none).
    pub fn new(start: i64, end: i64, bucket_ms: i64) -> Self {
        let span = end - start;
        let n_buckets = if bucket_ms > 0 {
            usize::try_from(span.div_euclid(bucket_ms) + i64::from(span % bucket_ms != 0))
                .unwrap_or(0)
                .max(1)
        } else {
            0
        };
        Curve {
            start,
            end,
            value: 0,
            begun: false,
            last_t: start,
            next_minute: start,
            bucket_ms,
            n_buckets,
            bucket_max: 0,
            report: CurveReport::default(),
        }
    }

    /// The curve takes `value` from `t` on. Calls come in ascending `t`.
    pub fn step(&mut self, t: i64, value: u64) {
        if t <= self.start {
            self.value = value;
            return;
        }
        if t > self.end {
            return;
        }
        self.advance_to(t);
        self.value = value;
        if value > self.report.peak {
            self.report.peak = value;
            self.report.peak_at = Some(t);
        }
        self.bucket_max = self.bucket_max.max(value);
    }

    /// Feeds sorted interval keys (see [`ViewerPass::keys`]).
    pub fn feed_keys(&mut self, keys: &[u64]) {
        let mut value: i64 = 0;
        let mut k = 0;
        while k < keys.len() {
            let rel = keys[k] >> 1;
            while k < keys.len() && keys[k] >> 1 == rel {
                value += if keys[k] & 1 == 1 { 1 } else { -1 };
                k += 1;
            }
            let t = self
                .start
                .saturating_add(i64::try_from(rel).unwrap_or(i64::MAX));
            self.step(t, u64::try_from(value).unwrap_or(0));
        }
    }

    /// Sets the value at `start` as the initial peak and bucket maximum.
    fn begin(&mut self) {
        if !self.begun {
            self.begun = true;
            self.report.peak = self.value;
            self.report.peak_at = (self.value > 0).then_some(self.start);
            self.bucket_max = self.value;
        }
    }

    /// Accounts for the constant stretch `[last_t, t)`: minute probes, area,
    /// finished buckets.
    fn advance_to(&mut self, t: i64) {
        self.begin();
        while self.next_minute < t
            && self.next_minute <= self.end
            && self.report.per_minute.len() < MAX_MINUTE_POINTS
        {
            self.report.per_minute.push(self.value);
            self.next_minute += MINUTE_MS;
        }
        let until = t.min(self.end);
        if until > self.last_t {
            let width = u128::try_from(until - self.last_t).unwrap_or(0);
            self.report.area_ms += u128::from(self.value) * width;
            self.last_t = until;
        }
        if self.n_buckets > 0 {
            let b = usize::try_from((t.min(self.end) - self.start) / self.bucket_ms)
                .unwrap_or(0)
                .min(self.n_buckets - 1);
            while self.report.buckets.len() < b {
                self.report.buckets.push(self.bucket_max);
                self.bucket_max = self.value;
            }
        }
    }

    /// Closes the curve at `end`.
    pub fn finish(mut self) -> CurveReport {
        self.advance_to(self.end.saturating_add(1));
        while self.report.buckets.len() < self.n_buckets {
            self.report.buckets.push(self.bucket_max);
            self.bucket_max = self.value;
        }
        self.report.at_end = self.value;
        self.report
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn intervals(edges: &[(i64, bool)]) -> Vec<(i64, i64)> {
        let mut e: Vec<(u64, i64)> = edges
            .iter()
            .map(|&(t, l)| (1, (t << 1) | i64::from(l)))
            .collect();
        e.sort_unstable();
        let mut out = Vec::new();
        pair(&e, &mut out);
        out
    }

    #[test]
    fn pairs_joins_with_the_next_leave() {
        assert_eq!(intervals(&[(10, false), (20, true)]), vec![(10, 20)]);
        assert_eq!(
            intervals(&[(10, false), (20, true), (30, false)]),
            vec![(10, 20), (30, OPEN)]
        );
    }

    #[test]
    fn a_join_while_watching_and_a_leave_while_not_are_ignored() {
        assert_eq!(
            intervals(&[(10, false), (15, false), (20, true)]),
            vec![(10, 20)]
        );
        assert_eq!(
            intervals(&[(5, true), (10, false), (20, true), (25, true)]),
            vec![(10, 20)]
        );
        assert_eq!(intervals(&[(5, true)]), vec![]);
    }

    #[test]
    fn a_join_and_leave_at_the_same_millisecond_is_a_blip() {
        assert_eq!(intervals(&[(10, false), (10, true)]), vec![(10, 10)]);
        assert_eq!(
            intervals(&[(0, false), (10, true), (10, false)]),
            vec![(0, 10), (10, OPEN)]
        );
        assert_eq!(
            intervals(&[(10, false), (10, false), (10, true)]),
            vec![(10, 10)]
        );
    }

    #[test]
    fn the_curve_reads_probes_peaks_area_and_buckets() {
        // 0 viewers until 30 s, 2 until 90 s, 1 until the end at 150 s.
        let mut c = Curve::new(0, 150_000, 60_000);
        c.step(30_000, 2);
        c.step(90_000, 1);
        let r = c.finish();
        assert_eq!(r.at_end, 1);
        assert_eq!((r.peak, r.peak_at), (2, Some(30_000)));
        assert_eq!(r.area_ms, 2 * 60_000 + 60_000);
        assert_eq!(r.per_minute, vec![0, 2, 1]);
        assert_eq!(r.buckets, vec![2, 2, 1]);
    }

    #[test]
    fn values_before_the_start_set_the_initial_value() {
        let mut c = Curve::new(1_000, 2_000, 0);
        c.step(0, 4);
        c.step(500, 3);
        c.step(5_000, 9);
        let r = c.finish();
        assert_eq!((r.peak, r.peak_at, r.at_end), (3, Some(1_000), 3));
        assert_eq!(r.area_ms, 3_000);
        assert_eq!(r.per_minute, vec![3]);
        assert!(r.buckets.is_empty());
    }
}
