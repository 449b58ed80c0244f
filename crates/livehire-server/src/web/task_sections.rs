//! The task page's sections (`task_pages` reads, these draw): requirements,
//! run of show, offers, the host's own offer, messages, results, payout,
//! review and rating, cancelling. Each shows what the service answered and
//! the forms of what the viewer may do next.

use livehire_domain::payout::Observed;
use livehire_store::{Caller, CallerKind, TaskStatus};
use maud::{Markup, html};

use super::pages::{errors_box, money, status_label, task_zone, when};
use super::task_pages::{Loaded, Refill, csrf_field};
use super::{Lang, Page};
use crate::app::{MessageView, OfferKind, OfferStatus, SubmissionView, TaskView};

/// Requirement fields with a label of the host search's (the same bounds).
const REQUIREMENT_LABELS: [(&str, &str); 9] = [
    ("skills", "req-skills"),
    ("niche", "req-niche"),
    ("min_followers", "field-min-followers"),
    ("min_avg_live_viewers", "field-min-viewers"),
    ("min_avg_gmv_per_session", "field-min-gmv"),
    ("min_conversion_rate", "field-min-conversion"),
    ("min_rating", "field-min-rating"),
    ("tiktok_shop_verified", "field-verified"),
    ("live_commerce_experience", "field-experience"),
];

/// The task's requirements as posted, one line each.
pub(super) fn requirements(lang: Lang, task: &TaskView) -> Markup {
    let Some(req) = task.extra.get("requirements").and_then(|r| r.as_object()) else {
        return html! {};
    };
    let show = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Bool(true) => lang.t("yes"),
        serde_json::Value::Bool(false) => lang.t("no"),
        serde_json::Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    };
    html! {
        h3 { (lang.t("task-requirements")) }
        dl.facts { @for (k, v) in req {
            dt { @match REQUIREMENT_LABELS.iter().find(|(key, _)| key == k) {
                Some((_, label)) => (lang.t(label)),
                None => (k),
            } }
            dd { (show(v)) }
        } }
    }
}

pub(super) fn run_of_show(page: &Page, task: &TaskView, owner: bool, action: &str) -> Markup {
    let lang = page.lang;
    let Some(plan) = &task.run_of_show else {
        if !owner || matches!(task.status, TaskStatus::Approved | TaskStatus::Cancelled) {
            return html! {};
        }
        return html! {
            section.card #run-of-show {
                h2 { (lang.t("task-run-of-show")) }
                p.muted { (lang.t("task-no-run-of-show")) }
                form method="post" action=(action) {
                    (csrf_field(page))
                    button type="submit" { (lang.t("button-propose-plan")) }
                }
            }
        };
    };
    html! {
        details.card #run-of-show {
            summary { (lang.t("task-run-of-show")) }
            @for s in &plan.sessions {
                h3 { (lang.t("task-session")) " " (s.session_index + 1) " · " (lang.t_count("minutes", "count", u64::from(s.duration_minutes))) }
                div.scroll tabindex="0" { table {
                    thead { tr {
                        th scope="col" { (lang.t("col-minutes")) }
                        th scope="col" { (lang.t("col-segment")) }
                        th scope="col" { (lang.t("col-products")) }
                    } }
                    tbody { @for seg in &s.segments { tr {
                        td.num { (seg.start_minute) "–" (seg.end_minute) }
                        td { b { (lang.t(&format!("segment-{}", seg.kind.name().replace('_', "-")))) } " " (seg.title)
                            @if !seg.notes.is_empty() { br; small.muted { (seg.notes) } } }
                        td { (seg.product_ids.join(", ")) }
                    } } }
                } }
            }
        }
    }
}

pub(super) fn offers_section(
    page: &Page,
    l: &Loaded,
    action: &str,
    host_link: &dyn Fn(&str) -> Markup,
) -> Markup {
    let lang = page.lang;
    let currency = l.terms.currency.code();
    let open = l.task.status == TaskStatus::Open;
    let name = |h: &str| l.names.get(h).cloned().unwrap_or_else(|| h.to_string());
    html! {
        section.card #offers {
            h2 { (lang.t("task-offers")) }
            @if l.offers.is_empty() {
                p.muted { (lang.t("task-no-offers")) " " a href={ "/dashboard/hosts?sort=match&for_task=" (l.task.id) } { (lang.t("task-find-hosts")) } }
            } @else {
                div.scroll tabindex="0" { table {
                    thead { tr {
                        th scope="col" { (lang.t("col-host")) }
                        th scope="col" { (lang.t("col-offer")) }
                        th scope="col" { (lang.t("col-match")) }
                        th scope="col" { (lang.t("col-proposed")) }
                        th scope="col" { (lang.t("col-action")) }
                    } }
                    tbody { @for o in &l.offers { tr {
                        td { (host_link(o.human_id.as_str()))
                            @if let Some(p) = &o.pitch { br; span.pitch { (p) } } }
                        td { (lang.t(&format!("offer-{}", o.kind.as_str()))) br; small { (status_label(lang, o.status.as_str())) } }
                        td.num { @match l.scores.get(o.human_id.as_str()) {
                            Some(s) => span.score { (format!("{s:.1}")) },
                            None => span.muted { "—" },
                        } }
                        td.num { @if let Some(p) = o.proposed_compensation { (money(p, currency)) } }
                        td { @if open && o.status == OfferStatus::Pending {
                            form.inline method="post" action=(action) {
                                (csrf_field(page))
                                input type="hidden" name="human_id" value=(o.human_id);
                                button type="submit" aria-label=(lang.t_args("button-assign-host", &[("host", name(o.human_id.as_str()))])) { (lang.t("button-assign")) }
                                @if o.proposed_compensation.is_some() {
                                    button.secondary type="submit" name="accept_proposed" value="true" aria-label=(lang.t_args("button-assign-proposed-host", &[("host", name(o.human_id.as_str()))])) { (lang.t("button-assign-proposed")) }
                                }
                            }
                        } }
                    } } }
                } }
            }
        }
    }
}

pub(super) fn host_offer_section(
    page: &Page,
    l: &Loaded,
    refill: &Refill,
    action: &dyn Fn(&str) -> String,
) -> Markup {
    let lang = page.lang;
    let currency = l.terms.currency.code();
    let open = l.task.status == TaskStatus::Open;
    html! {
        section.card #offer {
            h2 { (lang.t("task-your-offer")) }
            @match &l.task.your_offer {
                Some(o) => {
                    p { (lang.t(&format!("offer-{}", o.kind.as_str()))) ": " b { (status_label(lang, o.status.as_str())) } }
                    @if let Some(p) = &o.pitch { p.pitch { (p) } }
                    @if let Some(p) = o.proposed_compensation { p { (lang.t_args("task-you-proposed", &[("amount", money(p, currency))])) } }
                    @if open && o.kind == OfferKind::Invitation && o.status == OfferStatus::Pending {
                        form method="post" action=(action("accept")) {
                            (csrf_field(page))
                            button type="submit" { (lang.t("button-accept")) }
                        }
                    }
                },
                None if open => {
                    form.stack method="post" action=(action("apply")) {
                        (csrf_field(page))
                        label { (lang.t("field-pitch")) textarea name="pitch" required maxlength="5000" { (refill.get("pitch")) } }
                        label { (lang.t_args("field-proposed", &[("currency", currency.to_string())]))
                            small { (lang.t("field-proposed-help")) }
                            input type="text" inputmode="decimal" name="proposed_compensation" value=(refill.get("proposed_compensation")); }
                        button type="submit" { (lang.t("button-apply")) }
                    }
                },
                None => p.muted { (lang.t("task-closed")) },
            }
        }
    }
}

pub(super) fn messages_section(
    page: &Page,
    l: &Loaded,
    caller: &Caller,
    refill: &Refill,
    action: &str,
    host_link: &dyn Fn(&str) -> Markup,
) -> Markup {
    let lang = page.lang;
    let owner = caller.kind == CallerKind::Agent;
    // Once a host is assigned, what the agent sends without a host goes to
    // that host's thread (the service's rule): the brief takes no more.
    let brief_open = l.task.assigned_human_id.is_none();
    // The threads: the brief (`None`) and one per involved host.
    let mut threads: Vec<Option<String>> = vec![None];
    let mut add = |h: String| {
        if !threads.contains(&Some(h.clone())) {
            threads.push(Some(h));
        }
    };
    if owner {
        l.offers.iter().for_each(|o| add(o.human_id.to_string()));
        l.task.assigned_human_id.iter().for_each(|h| add(h.clone()));
        l.messages
            .iter()
            .filter_map(|m| m.human_id.as_ref())
            .for_each(|h| add(h.to_string()));
    } else {
        add(caller.id.clone());
    }
    let thread_of = |m: &MessageView| m.human_id.as_ref().map(|h| h.to_string());
    let sender = |m: &MessageView| -> String {
        if m.sender_kind == "agent" {
            lang.t("message-from-agent")
        } else if m.sender_id == caller.id {
            lang.t("message-from-you")
        } else {
            l.names
                .get(&m.sender_id)
                .cloned()
                .unwrap_or_else(|| m.sender_id.clone())
        }
    };
    let form = |thread: &Option<String>| -> Markup {
        let key = thread.as_deref().unwrap_or("");
        let sent_here = refill.fields.contains_key("text") && refill.get("thread") == key;
        html! {
            form.stack method="post" action=(action) {
                (csrf_field(page))
                input type="hidden" name="thread" value=(key);
                @if owner && thread.is_some() { input type="hidden" name="human_id" value=(key); }
                label { (lang.t("field-message")) textarea name="text" required maxlength="20000" { @if sent_here { (refill.get("text")) } } }
                button type="submit" { (lang.t("button-send")) }
            }
        }
    };
    html! {
        section.card #messages {
            h2 { (lang.t("task-messages")) }
            @if l.older_messages {
                p.muted { (lang.t_count("task-messages-newest", "count", u64::from(crate::app::PAGE_MESSAGES))) }
            }
            @for thread in &threads {
                @let shown: Vec<&MessageView> = l.messages.iter().filter(|m| &thread_of(m) == thread).collect();
                // A host writes to its own thread; it reads the brief when there is one.
                @if owner || thread.is_some() || !shown.is_empty() {
                    h3 { @match thread {
                        None => (lang.t("thread-brief")),
                        Some(h) if owner => { (lang.t("thread-with")) " " (host_link(h)) },
                        Some(_) => (lang.t("thread-yours")),
                    } }
                    @if shown.is_empty() {
                        p.muted { (lang.t("thread-empty")) }
                    } @else {
                        ol.messages { @for m in shown {
                            li class=(if m.sender_kind == "agent" { "from-agent" } else { "from-host" }) {
                                small.muted { (sender(m)) " · " (when(&m.created_at, task_zone(&l.task))) }
                                p { (m.text) }
                            }
                        } }
                    }
                    @if thread.is_some() || (owner && brief_open) { (form(thread)) }
                }
            }
        }
    }
}

pub(super) fn submission_section(
    page: &Page,
    l: &Loaded,
    assigned: bool,
    refill: &Refill,
    action: &str,
) -> Markup {
    let lang = page.lang;
    let currency = l.terms.currency.code();
    let can_submit =
        assigned && matches!(l.task.status, TaskStatus::InProgress | TaskStatus::Assigned);
    let sub = l.submission.as_ref();
    let link = |key: &str| -> Option<String> {
        sub.and_then(|s| s.extra.get(key))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    if sub.is_none() && !can_submit {
        return html! {};
    }
    html! {
        section.card #submission {
            h2 { (lang.t("task-submission")) }
            @if let Some(s) = sub {
                p.muted { (lang.t_args("submission-version", &[("version", s.version.to_string()), ("at", when(&s.submitted_at, task_zone(&l.task)))])) }
                ul {
                    @if let Some(u) = link("recording_url") { li { a href=(u) rel="noopener" { (lang.t("submission-recording")) } } }
                    @if let Some(u) = link("highlight_reel_url") { li { a href=(u) rel="noopener" { (lang.t("submission-highlights")) } } }
                }
                (figures_table(lang, s, currency))
                @for h in &s.history {
                    @if let Some(r) = &h.revision_request {
                        p.notice { (lang.t_args("submission-revision-asked", &[("version", h.version.to_string())])) " " q { (r.reason) } }
                    }
                }
            }
            @if can_submit {
                h3 { (lang.t(if sub.is_some() { "submission-again" } else { "submission-form" })) }
                p.muted { (lang.t("submission-help")) }
                form.stack method="post" action=(action) {
                    (csrf_field(page))
                    label { (lang.t_args("field-gmv", &[("currency", currency.to_string())])) input type="text" inputmode="decimal" name="total_gmv" value=(refill.get("total_gmv")); }
                    @for (name, label) in SUBMISSION_COUNTS {
                        label { (lang.t(label)) input type="number" min="0" step="1" name=(name) value=(refill.get(name)); }
                    }
                    @if l.task.sessions.len() > 1 {
                        p.muted { (lang.t("submission-series-help")) }
                        @for (i, session) in l.task.sessions.iter().enumerate() {
                            fieldset {
                                legend { (lang.t("task-session")) " " (i + 1) }
                                input type="hidden" name={ "session_" (i) "_id" } value=(session.id);
                                @for (name, label) in SESSION_FIELDS {
                                    @let key = format!("session_{i}_{name}");
                                    label { (lang.t_args(label, &[("currency", currency.to_string())]))
                                        input type="text" inputmode="decimal" name=(key) value=(refill.get(&key)); }
                                }
                            }
                        }
                    }
                    label { (lang.t("field-recording-url")) input type="url" name="recording_url" value=(refill.get("recording_url")); }
                    label { (lang.t("field-highlight-url")) input type="url" name="highlight_reel_url" value=(refill.get("highlight_reel_url")); }
                    button type="submit" { (lang.t("button-submit-results")) }
                }
            }
        }
    }
}

/// The counts of the submission form: (field, label message).
pub(super) const SUBMISSION_COUNTS: [(&str, &str); 6] = [
    ("orders", "field-orders"),
    ("peak_viewers", "field-peak-viewers"),
    ("unique_viewers", "field-unique-viewers"),
    ("questions", "field-questions"),
    ("questions_answered", "field-questions-answered"),
    ("highlight_views", "field-highlight-views"),
];

/// The figures of one session of a series in the submission form:
/// (field suffix, label message).
pub(super) const SESSION_FIELDS: [(&str, &str); 4] = [
    ("gmv", "field-gmv"),
    ("orders", "field-orders"),
    ("unique_viewers", "field-unique-viewers"),
    ("peak_viewers", "field-peak-viewers"),
];

/// Host-reported and verified figures side by side (verified only where a
/// session was monitored here).
fn figures_table(lang: Lang, s: &SubmissionView, currency: &str) -> Markup {
    let used = &s.figures;
    let reported = s.verified.as_ref().map(|v| &v.reported);
    let differs = |f: &str| {
        s.verified
            .as_ref()
            .is_some_and(|v| v.differences.iter().any(|d| d.field == f))
    };
    let show = |o: &Observed, key: &str| match key {
        "gmv" => money(o.gmv, currency),
        "orders" => group(o.orders),
        "peak_viewers" => group(o.peak_viewers),
        "unique_viewers" => group(o.unique_viewers),
        "questions" => group(o.questions),
        _ => group(o.highlight_views),
    };
    let rows = [
        ("gmv", "metric-gmv"),
        ("orders", "field-orders"),
        ("peak_viewers", "field-peak-viewers"),
        ("unique_viewers", "field-unique-viewers"),
        ("questions", "field-questions"),
        ("highlight_views", "field-highlight-views"),
    ];
    html! {
        div.scroll tabindex="0" { table.figures {
            thead { tr {
                th scope="col" { (lang.t("col-figure")) }
                th scope="col" { (lang.t("col-host-reported")) }
                @if reported.is_some() { th scope="col" { (lang.t("col-verified")) } }
            } }
            tbody { @for (key, label) in rows {
                tr class=[differs(key).then_some("differs")] {
                    th scope="row" { (lang.t(label)) }
                    @match reported {
                        Some(r) => { td.num { (show(r, key)) } td.num { (show(used, key)) } },
                        None => td.num { (show(used, key)) },
                    }
                }
            } }
        } }
        @if reported.is_some() {
            p.muted { (lang.t("submission-verified-note")) }
        } @else {
            p.muted { (lang.t("submission-reported-note")) }
        }
    }
}

pub(super) fn payout_section(page: &Page, l: &Loaded, base: &str, refill: &Refill) -> Markup {
    let lang = page.lang;
    let currency = l.terms.currency.code();
    let from_submission = l.submission.is_some() && refill.fields.is_empty();
    html! {
        section.card #payout {
            h2 { (lang.t(if l.paid { "payout-paid" } else { "payout-title" })) }
            @match &l.payout {
                Some(Ok(p)) => {
                    p.muted { (lang.t(if l.paid { "payout-paid-help" } else if from_submission { "payout-from-submission" } else { "payout-what-if" })) }
                    div.scroll tabindex="0" { table.payout {
                        thead { tr {
                            th scope="col" { (lang.t("col-line")) }
                            th scope="col" { (lang.t("col-condition")) }
                            th scope="col" { (lang.t("col-observed")) }
                            th scope="col" { (lang.t("col-amount")) }
                        } }
                        tbody { @for line in &p.lines { tr class=[line.met.map(|m| if m { "met" } else { "unmet" })] {
                            td { (lang.t(&format!("line-{}", line.kind.replace('_', "-")))) br; small.muted { (line.description) } }
                            td { @if let Some(c) = &line.condition { (c) } @if let Some(m) = line.met { br; b { (lang.t(if m { "line-met" } else { "line-not-met" })) } } }
                            td.num { @if let Some(o) = &line.observed { (o) } }
                            td.num { (money(line.amount, currency)) }
                        } } }
                        tfoot { tr {
                            th scope="row" colspan="3" { (lang.t("payout-total")) }
                            td.num { b.total { (money(p.total, currency)) } }
                        } }
                    } }
                    p { (lang.t_args("payout-gmv", &[("gmv", money(p.gmv, currency))]))
                        @if let Some(roi) = p.roi { " · " (lang.t_args("payout-roi", &[("roi", roi.to_string())])) } }
                },
                Some(Err(errors)) => (errors_box(lang, errors)),
                None => p.muted { (lang.t("payout-none-yet")) },
            }
            @if l.task.status != TaskStatus::Approved {
                form.filters method="get" action=(base) {
                    label { (lang.t_args("field-gmv", &[("currency", currency.to_string())])) input type="text" inputmode="decimal" name="gmv" value=(refill.get("gmv")); }
                    label { (lang.t("field-peak-viewers")) input type="number" min="0" name="peak_viewers" value=(refill.get("peak_viewers")); }
                    label { (lang.t("field-highlight-views")) input type="number" min="0" name="highlight_views" value=(refill.get("highlight_views")); }
                    button type="submit" { (lang.t("button-preview")) }
                }
            }
        }
    }
}

pub(super) fn agent_actions(
    page: &Page,
    l: &Loaded,
    refill: &Refill,
    action: &dyn Fn(&str) -> String,
) -> Markup {
    let lang = page.lang;
    let currency = l.terms.currency.code();
    let status = l.task.status;
    html! {
        @if status == TaskStatus::Submitted {
            section.card #review {
                h2 { (lang.t("task-review")) }
                div.two {
                    form.stack method="post" action=(action("approve")) {
                        (csrf_field(page))
                        p { (lang.t("approve-help")) }
                        button type="submit" { (lang.t("button-approve")) }
                    }
                    form.stack method="post" action=(action("revision")) {
                        (csrf_field(page))
                        label { (lang.t("field-revision-reason")) textarea name="reason" required maxlength="5000" { (refill.get("reason")) } }
                        button.secondary type="submit" { (lang.t("button-request-revision")) }
                    }
                }
            }
        }
        @if status == TaskStatus::Approved {
            section.card #rating {
                h2 { (lang.t("task-rating")) }
                @match &l.rated {
                    Some((stars, review)) => {
                        p { (lang.t_count("rating-given", "count", (*stars).max(0) as u64)) }
                        @if let Some(r) = review { p.pitch { (r) } }
                    },
                    None => {
                        form.stack method="post" action=(action("rate")) {
                            (csrf_field(page))
                            label { (lang.t("field-rating"))
                                select name="overall_rating" required {
                                    @for n in (1..=5).rev() {
                                        @let v = n.to_string();
                                        option value=(v) selected[refill.get("overall_rating") == v || (refill.get("overall_rating").is_empty() && n == 5)] { (lang.t_count("stars", "count", n)) }
                                    }
                                }
                            }
                            label { (lang.t("field-review")) textarea name="review_text" maxlength="10000" { (refill.get("review_text")) } }
                            label { (lang.t_args("field-tip", &[("currency", currency.to_string())])) small { (lang.t("field-tip-help")) }
                                input type="text" inputmode="decimal" name="tip_amount" value=(refill.get("tip_amount")); }
                            button type="submit" { (lang.t("button-rate")) }
                        }
                    },
                }
            }
        }

    }
}

/// Cancelling, for the agent while it may (before the first session).
pub(super) fn cancel_section(page: &Page, status: TaskStatus, action: &str) -> Markup {
    let lang = page.lang;
    html! {
        @if matches!(status, TaskStatus::Open | TaskStatus::Assigned) {
            section.card #cancel {
                h2 { (lang.t("task-cancel")) }
                p.muted { (lang.t("task-cancel-help")) }
                form method="post" action=(action) {
                    (csrf_field(page))
                    button.danger type="submit" { (lang.t("button-cancel-task")) }
                }
            }
        }
    }
}

/// A count with thousands grouped: `12,500`.
pub(super) fn group(n: impl std::fmt::Display) -> String {
    livehire_domain::money::group_thousands(&n.to_string())
}
