//! The dashboard's static files, built into the binary: our stylesheet and
//! script, and the vendored uPlot (see `assets/vendor/uplot/VERSION`).
//!
//! Each is served at a path carrying a hash of its content
//! (`/assets/dashboard-1a2b3c4d5e6f.js`), so it can be cached for good: a
//! changed file is a new path.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// A built-in file: its logical name, its bytes and its content type.
struct Asset {
    name: &'static str,
    bytes: &'static [u8],
    content_type: &'static str,
}

const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";

/// Every asset. The stylesheet is the dashboard's own plus the live pages'.
const ASSETS: [Asset; 4] = [
    Asset {
        name: "app.css",
        bytes: concat!(include_str!("app.css"), include_str!("assets/live.css")).as_bytes(),
        content_type: CSS,
    },
    Asset {
        name: "dashboard.js",
        bytes: include_bytes!("assets/dashboard.js"),
        content_type: JS,
    },
    Asset {
        name: "uPlot.js",
        bytes: include_bytes!("assets/vendor/uplot/uPlot.iife.min.js"),
        content_type: JS,
    },
    Asset {
        name: "uPlot.css",
        bytes: include_bytes!("assets/vendor/uplot/uPlot.min.css"),
        content_type: CSS,
    },
];

/// Each asset's served path, in the order of [`ASSETS`].
static PATHS: LazyLock<Vec<String>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|a| {
            let digest = hex::encode(Sha256::digest(a.bytes));
            let (stem, ext) = a.name.rsplit_once('.').unwrap_or((a.name, ""));
            format!("/assets/{stem}-{}.{ext}", &digest[..12])
        })
        .collect()
});

/// The served path of asset `name` (`app.css`, `dashboard.js`, `uPlot.js`,
/// `uPlot.css`); `/assets/missing` for a name that is not built in.
pub fn path(name: &str) -> &'static str {
    ASSETS
        .iter()
        .position(|a| a.name == name)
        .map_or("/assets/missing", |i| PATHS[i].as_str())
}

/// `GET /assets/{file}`: the asset at that hashed path, cached for a year
/// and immutable; 404 for any other.
pub async fn serve(Path(file): Path<String>) -> Response {
    let wanted = format!("/assets/{file}");
    match PATHS.iter().position(|p| *p == wanted) {
        Some(i) => (
            [
                (CONTENT_TYPE, ASSETS[i].content_type),
                (CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            ASSETS[i].bytes,
        )
            .into_response(),
        None => ApiError::NotFound("asset".into()).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_has_its_own_hashed_path() {
        let css = path("app.css");
        assert!(
            css.starts_with("/assets/app-") && css.ends_with(".css"),
            "{css}"
        );
        assert_eq!(css.len(), "/assets/app-".len() + 12 + ".css".len());
        assert!(path("uPlot.js").starts_with("/assets/uPlot-"));
        assert_eq!(path("nope.js"), "/assets/missing");
        let mut all: Vec<_> = PATHS.iter().collect();
        all.dedup();
        assert_eq!(all.len(), ASSETS.len());
    }
}
