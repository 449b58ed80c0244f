//! Niche expressions (SPEC §2): `beauty`, `beauty OR skincare`,
//! `beauty AND skincare OR fashion`, `(tech OR gadgets) AND smart_home`.
//!
//! A niche is a word of lower-case letters, digits and underscores (input is
//! case-insensitive and normalised to lower case). `AND` binds tighter than `OR`;
//! both keywords are case-insensitive; parentheses group. The expression is kept
//! in disjunctive normal form — an OR of ANDs — which is what matching needs.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Upper bound on the number of AND-groups after expanding parentheses, so a
/// hostile query cannot blow up the normal form.
const MAX_CLAUSES: usize = 64;

/// Upper bound on parenthesis nesting, so the recursive parser's stack stays small.
const MAX_DEPTH: usize = 16;

/// A parsed niche expression, held as an OR of AND-groups of niche words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NicheExpr {
    /// OR of ANDs; every inner vec is non-empty and free of duplicates.
    clauses: Vec<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    And,
    Or,
    Open,
    Close,
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Token::Word(w) => format!("'{w}'"),
            Token::And => "AND".to_string(),
            Token::Or => "OR".to_string(),
            Token::Open => "'('".to_string(),
            Token::Close => "')'".to_string(),
        }
    }
}

impl NicheExpr {
    /// Parses a niche or niche expression.
    ///
    /// Errors (with a message saying what is wrong and where) for an empty
    /// expression, an operator with a missing side (`beauty OR`, `OR beauty`,
    /// `beauty OR AND skincare`), two niches without an operator between them,
    /// unbalanced parentheses, and characters other than letters, digits and `_`.
    pub fn parse(s: &str) -> Result<NicheExpr, String> {
        let tokens = tokenize(s)?;
        if tokens.is_empty() {
            return Err(
                "must not be empty: give a niche such as 'beauty' or an expression such as 'beauty OR skincare'"
                    .to_string(),
            );
        }
        let mut parser = Parser {
            tokens,
            pos: 0,
            depth: 0,
        };
        let clauses = parser.expr()?;
        if let Some(tok) = parser.peek() {
            let msg = match tok {
                Token::Close => "unbalanced ')'".to_string(),
                other => format!(
                    "expected OR or AND before {} (niches must be joined by OR / AND)",
                    other.describe()
                ),
            };
            return Err(msg);
        }
        Ok(NicheExpr { clauses })
    }

    /// The expression as an OR of ANDs: a host matches if, for some inner vec, it
    /// has every niche in it.
    pub fn dnf(&self) -> Vec<Vec<String>> {
        self.clauses.clone()
    }

    /// Every distinct niche the expression mentions, in first-mention order (for
    /// niche-overlap scoring).
    pub fn niches(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for niche in self.clauses.iter().flatten() {
            if !out.contains(niche) {
                out.push(niche.clone());
            }
        }
        out
    }

    /// Whether a host with these niches satisfies the expression (niche names are
    /// compared case-insensitively).
    pub fn matches(&self, host_niches: &[String]) -> bool {
        self.clauses.iter().any(|clause| {
            clause.iter().all(|want| {
                host_niches
                    .iter()
                    .any(|have| have.eq_ignore_ascii_case(want))
            })
        })
    }
}

impl fmt::Display for NicheExpr {
    /// Normalised form: lower-case niches, upper-case `AND` / `OR`, no parentheses
    /// (`beauty AND skincare OR fashion`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self
            .clauses
            .iter()
            .map(|clause| clause.join(" AND "))
            .collect::<Vec<_>>()
            .join(" OR ");
        f.write_str(&text)
    }
}

impl FromStr for NicheExpr {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        NicheExpr::parse(s)
    }
}

impl Serialize for NicheExpr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Reads the normalised text [`Serialize`] writes (a stored task's terms).
impl<'de> Deserialize<'de> for NicheExpr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        NicheExpr::parse(&text).map_err(serde::de::Error::custom)
    }
}

fn tokenize(s: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, tokens: &mut Vec<Token>| {
        if word.is_empty() {
            return;
        }
        let lower = word.to_ascii_lowercase();
        tokens.push(match lower.as_str() {
            "and" => Token::And,
            "or" => Token::Or,
            _ => Token::Word(lower),
        });
        word.clear();
    };
    for c in s.chars() {
        match c {
            c if c.is_ascii_alphanumeric() || c == '_' => word.push(c),
            c if c.is_whitespace() => flush(&mut word, &mut tokens),
            '(' | ')' => {
                flush(&mut word, &mut tokens);
                tokens.push(if c == '(' { Token::Open } else { Token::Close });
            }
            other => {
                return Err(format!(
                    "invalid character {other:?}: niches are letters, digits and '_', joined by OR / AND"
                ));
            }
        }
    }
    flush(&mut word, &mut tokens);
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn previous(&self) -> Option<&Token> {
        self.pos.checked_sub(1).and_then(|i| self.tokens.get(i))
    }

    /// expr := term (OR term)*
    fn expr(&mut self) -> Result<Vec<Vec<String>>, String> {
        let mut clauses = self.term()?;
        while self.peek() == Some(&Token::Or) {
            self.pos += 1;
            for clause in self.term()? {
                push_unique(&mut clauses, clause);
            }
            check_size(&clauses)?;
        }
        Ok(clauses)
    }

    /// term := factor (AND factor)*; the AND of two DNFs is their cross product.
    fn term(&mut self) -> Result<Vec<Vec<String>>, String> {
        let mut acc = self.factor()?;
        while self.peek() == Some(&Token::And) {
            self.pos += 1;
            let rhs = self.factor()?;
            let mut product = Vec::new();
            for left in &acc {
                for right in &rhs {
                    let mut clause = left.clone();
                    for niche in right {
                        if !clause.contains(niche) {
                            clause.push(niche.clone());
                        }
                    }
                    push_unique(&mut product, clause);
                    check_size(&product)?;
                }
            }
            acc = product;
        }
        Ok(acc)
    }

    /// factor := WORD | '(' expr ')'
    fn factor(&mut self) -> Result<Vec<Vec<String>>, String> {
        let after = self.previous().cloned();
        match self.peek().cloned() {
            Some(Token::Word(w)) => {
                self.pos += 1;
                Ok(vec![vec![w]])
            }
            Some(Token::Open) => {
                self.pos += 1;
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(format!(
                        "too deeply nested: at most {MAX_DEPTH} levels of parentheses"
                    ));
                }
                let inner = self.expr()?;
                self.depth -= 1;
                if self.peek() == Some(&Token::Close) {
                    self.pos += 1;
                    Ok(inner)
                } else {
                    Err("unbalanced '(': missing ')'".to_string())
                }
            }
            found => Err(missing_operand(after.as_ref(), found.as_ref())),
        }
    }
}

fn missing_operand(after: Option<&Token>, found: Option<&Token>) -> String {
    match (after, found) {
        (Some(op @ (Token::And | Token::Or)), None) => {
            format!("dangling {}: expected a niche after it", op.describe())
        }
        (Some(op @ (Token::And | Token::Or)), Some(next @ (Token::And | Token::Or))) => format!(
            "{} directly after {}: expected a niche between them",
            next.describe(),
            op.describe()
        ),
        (_, Some(op @ (Token::And | Token::Or))) => {
            format!("{} needs a niche before it", op.describe())
        }
        (Some(Token::Open), Some(Token::Close)) => "empty parentheses".to_string(),
        (_, Some(other)) => format!("expected a niche, found {}", other.describe()),
        (_, None) => "expected a niche".to_string(),
    }
}

/// Adds an AND-group unless one with the same niches (in any order) is there.
fn push_unique(clauses: &mut Vec<Vec<String>>, clause: Vec<String>) {
    let same = |other: &Vec<String>| {
        other.len() == clause.len() && other.iter().all(|n| clause.contains(n))
    };
    if !clauses.iter().any(same) {
        clauses.push(clause);
    }
}

fn check_size(clauses: &[Vec<String>]) -> Result<(), String> {
    if clauses.len() > MAX_CLAUSES {
        Err(format!(
            "too complex: expands to more than {MAX_CLAUSES} alternatives"
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn niches(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn dnf(s: &str) -> Vec<Vec<String>> {
        NicheExpr::parse(s).unwrap().dnf()
    }

    #[test]
    fn single_niche_is_normalised_to_lower_case() {
        let e = NicheExpr::parse("Beauty").unwrap();
        assert_eq!(e.dnf(), vec![vec!["beauty".to_string()]]);
        assert_eq!(e.to_string(), "beauty");
        assert!(e.matches(&niches(&["fashion", "beauty"])));
        assert!(!e.matches(&niches(&["fashion"])));
    }

    #[test]
    fn seed_expressions_parse() {
        assert_eq!(
            NicheExpr::parse("beauty OR skincare").unwrap().to_string(),
            "beauty OR skincare"
        );
        assert_eq!(dnf("tech OR smart_home OR gadgets").len(), 3);
        assert_eq!(
            NicheExpr::parse("beauty OR fashion OR electronics")
                .unwrap()
                .niches(),
            niches(&["beauty", "fashion", "electronics"])
        );
    }

    #[test]
    fn and_binds_tighter_than_or_and_keywords_are_case_insensitive() {
        let e = NicheExpr::parse("beauty and skincare or fashion").unwrap();
        assert_eq!(
            e.dnf(),
            vec![niches(&["beauty", "skincare"]), niches(&["fashion"])]
        );
        assert_eq!(e.to_string(), "beauty AND skincare OR fashion");
        assert!(e.matches(&niches(&["fashion"])));
        assert!(e.matches(&niches(&["skincare", "beauty"])));
        assert!(!e.matches(&niches(&["beauty"])));
        assert!(!e.matches(&[]));
    }

    #[test]
    fn parentheses_group() {
        let e = NicheExpr::parse("(tech OR gadgets) AND smart_home").unwrap();
        assert_eq!(
            e.dnf(),
            vec![
                niches(&["tech", "smart_home"]),
                niches(&["gadgets", "smart_home"])
            ]
        );
        assert!(e.matches(&niches(&["gadgets", "smart_home"])));
        assert!(!e.matches(&niches(&["gadgets", "tech"])));
        assert_eq!(dnf("((beauty))"), vec![niches(&["beauty"])]);
    }

    #[test]
    fn duplicates_collapse() {
        assert_eq!(dnf("beauty OR beauty"), vec![niches(&["beauty"])]);
        assert_eq!(dnf("beauty AND BEAUTY"), vec![niches(&["beauty"])]);
        assert_eq!(
            dnf("beauty AND skincare OR skincare AND beauty"),
            vec![niches(&["beauty", "skincare"])]
        );
    }

    #[test]
    fn host_niches_compare_case_insensitively() {
        let e = NicheExpr::parse("smart_home").unwrap();
        assert!(e.matches(&niches(&["Smart_Home"])));
    }

    #[test]
    fn malformed_expressions_are_rejected_with_reasons() {
        let cases = [
            ("", "empty"),
            ("   ", "empty"),
            ("beauty OR", "dangling OR"),
            ("OR beauty", "before"),
            ("beauty OR AND skincare", "directly after"),
            ("beauty OR OR skincare", "directly after"),
            ("beauty skincare", "expected OR or AND"),
            ("beauty, skincare", "invalid character"),
            ("home-goods", "invalid character"),
            ("(beauty", "missing ')'"),
            ("beauty)", "unbalanced ')'"),
            ("()", "empty parentheses"),
            ("beauty AND", "dangling AND"),
        ];
        for (input, expected) in cases {
            let err = NicheExpr::parse(input).unwrap_err();
            assert!(err.contains(expected), "{input:?}: {err}");
        }
    }

    #[test]
    fn explosive_expressions_are_capped() {
        let input = ["a", "b", "c", "d"]
            .map(|p| format!("({p}1 OR {p}2 OR {p}3 OR {p}4)"))
            .join(" AND ");
        assert!(
            NicheExpr::parse(&input)
                .unwrap_err()
                .contains("too complex")
        );
    }

    #[test]
    fn deep_nesting_is_rejected_not_a_stack_overflow() {
        let input = format!("{}beauty{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(NicheExpr::parse(&input).unwrap_err().contains("nested"));
    }

    #[test]
    fn serialises_as_the_normalised_string() {
        let e = NicheExpr::parse("Beauty or SKINCARE").unwrap();
        assert_eq!(serde_json::to_string(&e).unwrap(), "\"beauty OR skincare\"");
    }

    proptest! {
        #[test]
        fn display_round_trips(words in proptest::collection::vec(
            proptest::collection::vec("[a-z][a-z0-9_]{0,8}", 1..4), 1..5)) {
            let words: Vec<Vec<String>> = words
                .into_iter()
                .map(|c| c.into_iter().filter(|w| w != "and" && w != "or").collect::<Vec<_>>())
                .filter(|c: &Vec<String>| !c.is_empty())
                .collect();
            prop_assume!(!words.is_empty());
            let text = words.iter().map(|c| c.join(" and ")).collect::<Vec<_>>().join(" or ");
            let parsed = NicheExpr::parse(&text).unwrap();
            let reparsed = NicheExpr::parse(&parsed.to_string()).unwrap();
            prop_assert_eq!(parsed, reparsed);
        }

        #[test]
        fn never_panics(input in ".{0,40}") {
            let _ = NicheExpr::parse(&input);
        }
    }
}
