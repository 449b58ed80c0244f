//! The dashboard's languages: English and Simplified Chinese, from the
//! Fluent files under `locales/`, built into the binary.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // No Unicode isolation marks around arguments: pages are plain HTML.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static EN: LanguageIdentifier = langid!("en");
static ZH: LanguageIdentifier = langid!("zh-CN");

/// A page's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// Every language, in the switcher's order.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];

    /// The BCP 47 tag (`en`, `zh-CN`): the `lang` attribute and the cookie.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::En => &EN,
            Lang::Zh => &ZH,
        }
    }

    /// A tag as given in `?lang=` or the cookie.
    pub fn parse(tag: &str) -> Option<Lang> {
        let tag = tag.trim().to_ascii_lowercase();
        if tag == "en" || tag.starts_with("en-") {
            Some(Lang::En)
        } else if tag == "zh"
            || tag == "zh-cn"
            || tag == "zh-hans"
            || tag.starts_with("zh-hans-")
            || tag == "zh-sg"
        {
            Some(Lang::Zh)
        } else {
            None
        }
    }

    /// The best of ours for an `Accept-Language` header (quality-ordered;
    /// any Chinese tag picks Simplified Chinese); English when none fits.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut ranked: Vec<(f32, Lang)> = header
            .split(',')
            .filter_map(|part| {
                let mut bits = part.split(';');
                let tag = bits.next()?.trim().to_ascii_lowercase();
                let q = bits
                    .find_map(|b| b.trim().strip_prefix("q="))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                let lang =
                    Lang::parse(&tag).or_else(|| tag.starts_with("zh").then_some(Lang::Zh))?;
                (q > 0.0).then_some((q, lang))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        ranked.first().map_or(Lang::En, |(_, l)| *l)
    }

    /// The text of message `id`.
    pub fn t(self, id: &str) -> String {
        LOCALES.lookup(self.id(), id)
    }

    /// The text of message `id` with text arguments (amounts, emails).
    pub fn t_args(self, id: &str, args: &[(&'static str, String)]) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue> = args
            .iter()
            .map(|(k, v)| (Cow::Borrowed(*k), FluentValue::from(v.clone())))
            .collect();
        LOCALES.lookup_with_args(self.id(), id, &map)
    }

    /// The text of message `id` whose argument `name` is a count (a number,
    /// so the message can choose its plural form).
    pub fn t_count(self, id: &str, name: &'static str, n: u64) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue> =
            HashMap::from([(Cow::Borrowed(name), FluentValue::from(n))]);
        LOCALES.lookup_with_args(self.id(), id, &map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_by_quality() {
        assert_eq!(
            Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Lang::Zh
        );
        assert_eq!(Lang::from_accept_language("en-US,zh;q=0.5"), Lang::En);
        assert_eq!(Lang::from_accept_language("fr-FR, zh-TW;q=0.7"), Lang::Zh);
        assert_eq!(Lang::from_accept_language("fr-FR"), Lang::En);
        assert_eq!(Lang::from_accept_language(""), Lang::En);
    }

    #[test]
    fn both_languages_have_every_message() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
        let mut files: Vec<_> = std::fs::read_dir(dir.join("en"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        files.sort();
        assert!(files.iter().any(|f| f == "main.ftl"), "{files:?}");
        let ids = |text: &str| -> Vec<String> {
            text.lines()
                .filter(|l| !l.starts_with([' ', '#']) && l.contains(" ="))
                .map(|l| l.split(" =").next().unwrap_or_default().to_string())
                .collect()
        };
        let mut total = 0;
        for file in &files {
            let en = std::fs::read_to_string(dir.join("en").join(file)).unwrap();
            let zh = std::fs::read_to_string(dir.join("zh-CN").join(file))
                .unwrap_or_else(|e| panic!("zh-CN/{}: {e}", file.to_string_lossy()));
            let (en_ids, zh_ids) = (ids(&en), ids(&zh));
            total += en_ids.len();
            assert_eq!(
                en_ids,
                zh_ids,
                "{}: the two files list the same messages in the same order",
                file.to_string_lossy()
            );
            // Every message without arguments resolves in Chinese to Chinese
            // text of its own (not the English fallback).
            for id in en_ids.iter().filter(|id| {
                !en.contains(&format!("{id} = {{")) && !id.starts_with("lang-") && *id != "app-name"
            }) {
                let line = en
                    .lines()
                    .find(|l| l.starts_with(&format!("{id} =")))
                    .unwrap();
                if line.contains('$') {
                    continue;
                }
                let (en_text, zh_text) = (Lang::En.t(id), Lang::Zh.t(id));
                assert!(!zh_text.is_empty(), "{id}");
                assert_ne!(en_text, zh_text, "{id} is not translated");
            }
        }
        assert!(total > 50, "{total}");
        assert_eq!(
            Lang::En.t_count("home-applications-waiting", "count", 1),
            "1 application waiting"
        );
        assert_eq!(
            Lang::Zh.t_count("home-applications-waiting", "count", 3),
            "3 个申请待处理"
        );
    }
}
