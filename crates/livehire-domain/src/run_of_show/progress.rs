//! Where a live session stands against its plan.

use super::{Segment, SessionPlanOfShow};

/// Where a live session stands `elapsed_minutes` after its start: the index and
/// segment covering that minute; None past the end (or for an empty plan).
pub fn position(plan: &SessionPlanOfShow, elapsed_minutes: u32) -> Option<(usize, &Segment)> {
    let i = plan
        .segments
        .partition_point(|s| s.end_minute <= elapsed_minutes);
    let segment = plan.segments.get(i)?;
    (segment.start_minute <= elapsed_minutes).then_some((i, segment))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run_of_show::test_tasks::*;
    use crate::run_of_show::{SegmentKind, propose};

    #[test]
    fn position_finds_the_segment_under_way() {
        let show = propose(&task(&smart_home_qa()), None);
        let plan = &show.sessions[0];
        assert_eq!(
            position(plan, 0).map(|(i, s)| (i, s.kind)),
            Some((0, SegmentKind::Opening))
        );
        assert_eq!(position(plan, 9).unwrap().0, 0);
        assert_eq!(
            position(plan, 10).map(|(i, s)| (i, s.kind)),
            Some((1, SegmentKind::Product))
        );
        assert_eq!(position(plan, 22).unwrap().1.kind, SegmentKind::Spotlight);
        let last = plan.segments.len() - 1;
        assert_eq!(
            position(plan, 89).map(|(i, s)| (i, s.kind)),
            Some((last, SegmentKind::Closing))
        );
        assert_eq!(position(plan, 90), None);
        assert_eq!(position(plan, 10_000), None);
        let empty = SessionPlanOfShow {
            session_index: 0,
            duration_minutes: 90,
            segments: Vec::new(),
        };
        assert_eq!(position(&empty, 0), None);
    }
}
