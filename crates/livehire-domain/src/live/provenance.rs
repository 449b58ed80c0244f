//! Who reported a live figure, and a session's figures kept apart by it
//! (SPEC §6 "Provenance and windows"; `docs/trust.md`).
//!
//! Every stored event and order records its [`Source`]. What the assigned host
//! posts itself is [`Provenance::HostReported`]; everything from a source the
//! host does not control (the agent's key, an ingest key the agent issued to
//! its connector bridge, the flash-sale checkout, a signed TikTok Shop
//! webhook, an agent's import of a recording) is [`Provenance::Verified`].
//! Money follows only what the paid party does not control, so the payout
//! reads the verified figures of a session that has any.
//!
//! [`SessionTally`] keeps one [`SessionAggregator`] per provenance, and a
//! third with every event once both have some: the metrics shown are of every
//! event, with each provenance's key figures beside them.

use serde::{Deserialize, Serialize};

use super::aggregator::{Applied, OrderRef, SessionAggregator, Window};
use super::event::LiveEvent;
use super::metrics::{BySource, FiguresSource, KeyFigures, Metrics, Timeline};
use crate::money::Currency;

/// Where a stored event or order came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The task's assigned host, with its own key.
    Host,
    /// The task's agent, with its account key.
    Agent,
    /// A session-scoped ingest key the agent issued (its connector bridge).
    IngestKey,
    /// The flash-sale checkout (the agent's key or a checkout key).
    Checkout,
    /// A TikTok Shop order webhook whose signature verified.
    TiktokShop,
    /// The agent's import of a recording of a session that ran elsewhere.
    Import,
}

impl Source {
    /// Every source.
    pub const ALL: [Source; 6] = [
        Source::Host,
        Source::Agent,
        Source::IngestKey,
        Source::Checkout,
        Source::TiktokShop,
        Source::Import,
    ];

    /// The stored name (`host`, `ingest_key`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Host => "host",
            Source::Agent => "agent",
            Source::IngestKey => "ingest_key",
            Source::Checkout => "checkout",
            Source::TiktokShop => "tiktok_shop",
            Source::Import => "import",
        }
    }

    /// Reads a stored name.
    pub fn parse(s: &str) -> Option<Source> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Whether the figures it reports are verified or the host's own.
    pub fn provenance(self) -> Provenance {
        match self {
            Source::Host => Provenance::HostReported,
            _ => Provenance::Verified,
        }
    }
}

/// Whether a figure can be trusted for money: reported by a source the host
/// does not control, or by the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Provenance {
    /// From a source the host does not control.
    Verified,
    /// Posted by the host.
    HostReported,
}

impl Provenance {
    fn other(self) -> Provenance {
        match self {
            Provenance::Verified => Provenance::HostReported,
            Provenance::HostReported => Provenance::Verified,
        }
    }
}

/// A live session's events kept apart by provenance.
///
/// Exact and independent of arrival order, like [`SessionAggregator`]: the
/// whole is an aggregator of every event (the verified part alone, the
/// host-reported part alone, or, once both have events, a third aggregator
/// started as a copy of the first part and fed every event since).
#[derive(Clone, Debug)]
pub struct SessionTally {
    verified: SessionAggregator,
    host_reported: SessionAggregator,
    /// Every event; `None` while at most one part has any.
    combined: Option<SessionAggregator>,
}

impl SessionTally {
    /// An empty session whose orders are in `currency`.
    pub fn new(currency: Currency) -> Self {
        SessionTally {
            verified: SessionAggregator::new(currency),
            host_reported: SessionAggregator::new(currency),
            combined: None,
        }
    }

    /// The session's currency.
    pub fn currency(&self) -> Currency {
        self.verified.currency()
    }

    /// Events applied so far, of either provenance: metrics taken at one
    /// generation hold while it stays the same.
    pub fn generation(&self) -> u64 {
        self.verified.generation() + self.host_reported.generation()
    }

    /// The events of one provenance.
    pub fn part(&self, p: Provenance) -> &SessionAggregator {
        match p {
            Provenance::Verified => &self.verified,
            Provenance::HostReported => &self.host_reported,
        }
    }

    fn part_mut(&mut self, p: Provenance) -> &mut SessionAggregator {
        match p {
            Provenance::Verified => &mut self.verified,
            Provenance::HostReported => &mut self.host_reported,
        }
    }

    /// Whether any event of provenance `p` was applied.
    pub fn has(&self, p: Provenance) -> bool {
        !self.part(p).is_empty()
    }

    /// Before an event of `p`: the first event of a second provenance starts
    /// the combined aggregator from the other part.
    fn prepare(&mut self, p: Provenance) {
        if self.combined.is_none() && self.has(p.other()) {
            self.combined = Some(self.part(p.other()).clone());
        }
    }

    /// Applies an event reported with provenance `p`; the answer is its own
    /// part's (a repeat within that provenance is a duplicate).
    pub fn apply(&mut self, e: &LiveEvent, p: Provenance) -> Applied {
        self.prepare(p);
        let applied = self.part_mut(p).apply(e);
        if let Some(c) = &mut self.combined {
            c.apply(e);
        }
        applied
    }

    /// Applies an order given by reference (see [`SessionAggregator::apply_order`]).
    pub fn apply_order(&mut self, o: &OrderRef<'_>, p: Provenance) -> Applied {
        self.prepare(p);
        let applied = self.part_mut(p).apply_order(o);
        if let Some(c) = &mut self.combined {
            c.apply_order(o);
        }
        applied
    }

    /// The aggregator of every event.
    fn whole(&self) -> &SessionAggregator {
        match &self.combined {
            Some(c) => c,
            None if self.has(Provenance::HostReported) => &self.host_reported,
            None => &self.verified,
        }
    }

    fn whole_mut(&mut self) -> &mut SessionAggregator {
        let host = self.has(Provenance::HostReported);
        match &mut self.combined {
            Some(c) => c,
            None if host => &mut self.host_reported,
            None => &mut self.verified,
        }
    }

    /// Which provenances have events.
    pub fn figures_source(&self) -> FiguresSource {
        match (
            self.has(Provenance::Verified),
            self.has(Provenance::HostReported),
        ) {
            (false, false) => FiguresSource::None,
            (true, false) => FiguresSource::Verified,
            (false, true) => FiguresSource::HostReported,
            (true, true) => FiguresSource::Mixed,
        }
    }

    /// The first and last event times seen, of every event.
    pub fn time_range(&self) -> Option<(i64, i64)> {
        self.whole().time_range()
    }

    /// The sum of every distinct order's amount of provenance `p`, minor
    /// units (an upper bound of that provenance's GMV).
    pub fn gross_order_minor(&self, p: Provenance) -> i128 {
        self.part(p).gross_order_minor()
    }

    /// Metrics of every event over `window`, with each provenance's key
    /// figures in `sources` and which ones there are in `figures_source`.
    pub fn metrics(&mut self, window: Window) -> Metrics {
        let source = self.figures_source();
        let mut m = self.whole_mut().metrics(window);
        let own = KeyFigures::of(&m);
        m.sources = match source {
            FiguresSource::None => BySource::default(),
            FiguresSource::Verified => BySource {
                verified: own,
                host_reported: KeyFigures::default(),
            },
            FiguresSource::HostReported => BySource {
                verified: KeyFigures::default(),
                host_reported: own,
            },
            FiguresSource::Mixed => BySource {
                verified: KeyFigures::of(&self.verified.metrics(window)),
                host_reported: KeyFigures::of(&self.host_reported.metrics(window)),
            },
        };
        m.figures_source = source;
        m
    }

    /// Metrics of the events of provenance `p` alone; `None` when it has none.
    pub fn metrics_of(&mut self, p: Provenance, window: Window) -> Option<Metrics> {
        if !self.has(p) {
            return None;
        }
        let source = match p {
            Provenance::Verified => FiguresSource::Verified,
            Provenance::HostReported => FiguresSource::HostReported,
        };
        let mut m = self.part_mut(p).metrics(window);
        m.figures_source = source;
        Some(m)
    }

    /// The chart timeline of every event (see [`SessionAggregator::timeline`]).
    pub fn timeline(&mut self, window: Window, bucket_seconds: u32) -> Timeline {
        self.whole_mut().timeline(window, bucket_seconds)
    }

    /// Approximate heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.verified.heap_bytes()
            + self.host_reported.heap_bytes()
            + self
                .combined
                .as_ref()
                .map_or(0, SessionAggregator::heap_bytes)
    }
}

#[cfg(test)]
#[path = "provenance_tests.rs"]
mod tests;
