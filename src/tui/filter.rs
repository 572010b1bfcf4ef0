//! The fuzzy filter of `/`, on the focused list.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};
use tui_input::Input;

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub input: Input,
    /// Still typing the query (keys go to it) or applied (keys move in the list).
    pub editing: bool,
}

impl Filter {
    pub fn new() -> Filter {
        Filter {
            input: Input::default(),
            editing: true,
        }
    }

    pub fn query(&self) -> &str {
        self.input.value()
    }

    /// Positions of the items that match, best first; all of them for an empty query.
    pub fn matches<'a>(&self, items: impl Iterator<Item = &'a str>) -> Vec<usize> {
        let q = self.query().trim();
        if q.is_empty() {
            return items.enumerate().map(|(i, _)| i).collect();
        }
        let mut matcher = Matcher::new(Config::DEFAULT);
        let pattern = Pattern::parse(q, CaseMatching::Ignore, Normalization::Smart);
        let mut buf = Vec::new();
        let mut scored: Vec<(u32, usize)> = items
            .enumerate()
            .filter_map(|(i, s)| {
                pattern
                    .score(Utf32Str::new(s, &mut buf), &mut matcher)
                    .map(|sc| (sc, i))
            })
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.into_iter().map(|(_, i)| i).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzzy_matches_best_first() {
        let mut f = Filter::new();
        f.input = Input::new("blm".into());
        let items = ["Casa Lumen", "Bloom Florist", "Northwind", "blame"];
        let m = f.matches(items.iter().copied());
        assert!(m.contains(&1) && m.contains(&3));
        assert!(!m.contains(&2));
        f.input = Input::new("".into());
        assert_eq!(f.matches(items.iter().copied()), vec![0, 1, 2, 3]);
        f.input = Input::new("clinica".into());
        assert_eq!(f.matches(["Clínica Dental"].iter().copied()), vec![0]);
    }
}
