//! Post-session reports drawn for people: the SVG charts ([`charts`], plotters'
//! SVG backend, no system fonts) and the self-contained HTML pages ([`html`])
//! around them. The figures come from the JSON reports that
//! `App::session_report` and `App::series_report` build; nothing here computes
//! a metric.

pub mod charts;
pub mod html;
