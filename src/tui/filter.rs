//! The fuzzy filter of `/`, on the focused list.

use nucleo_matcher::pattern::{Atom, CaseMatching, Normalization, Pattern};
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

/// A query's matches among a long list, kept so that the next letters look among them alone:
/// when the query only narrows (a letter added to a plain query), only the last matches are
/// scored, and only on the words that changed (a word's score of an item does not depend on
/// the other words). Rows and order are always those of `Filter::matches` on the whole list.
#[derive(Debug, Default)]
pub struct Narrowing {
    query: String,
    /// The matching items' places in the list, in the list's order, and each word of the
    /// query with its score of each of them.
    hits: Vec<usize>,
    words: Vec<(Atom, Vec<u16>)>,
    /// The matches, best first (ties in the list's order).
    pub order: Vec<usize>,
    matcher: Matcher,
}

impl Clone for Narrowing {
    fn clone(&self) -> Narrowing {
        Narrowing {
            query: self.query.clone(),
            hits: self.hits.clone(),
            words: self.words.clone(),
            order: self.order.clone(),
            matcher: Matcher::new(Config::DEFAULT),
        }
    }
}

impl Narrowing {
    /// Every item of a list of `len`, in its order: the empty query.
    pub fn all(len: usize) -> Narrowing {
        Narrowing {
            hits: (0..len).collect(),
            order: (0..len).collect(),
            ..Default::default()
        }
    }

    /// The matches of `query` among `hay` (the list's items' text, the same list as before).
    pub fn refine(&mut self, query: &str, hay: &[String]) {
        let q = query.trim();
        if q == self.query {
            return;
        }
        // Fuzzy words only narrow as letters are added (a negation, `!`, or an anchor does not).
        let plain = !q.contains(['!', '^', '$', '\'', '\\']);
        let narrower = plain && !self.query.is_empty() && q.starts_with(self.query.as_str());
        let (among, mut known) = if narrower {
            (std::mem::take(&mut self.hits), std::mem::take(&mut self.words))
        } else {
            ((0..hay.len()).collect(), Vec::new())
        };
        let pattern = Pattern::parse(q, CaseMatching::Ignore, Normalization::Smart);
        let mut alive = vec![true; among.len()];
        let mut words = Vec::with_capacity(pattern.atoms.len());
        let mut buf = Vec::new();
        for atom in pattern.atoms {
            // A word of the last query: its scores stand (every last match matched it).
            if let Some(p) = known.iter().position(|(a, _)| *a == atom) {
                let (a, scores) = known.swap_remove(p);
                words.push((a, scores));
                continue;
            }
            let mut scores = vec![0u16; among.len()];
            for (j, &i) in among.iter().enumerate() {
                if !alive[j] {
                    continue;
                }
                let text = hay.get(i).map(String::as_str).unwrap_or("");
                match atom.score(Utf32Str::new(text, &mut buf), &mut self.matcher) {
                    Some(sc) => scores[j] = sc,
                    None => alive[j] = false,
                }
            }
            words.push((atom, scores));
        }
        let mut hits = Vec::with_capacity(among.len());
        let mut ranked: Vec<(u32, usize)> = Vec::with_capacity(among.len());
        for (j, &i) in among.iter().enumerate() {
            if alive[j] {
                hits.push(i);
                ranked.push((words.iter().map(|(_, s)| u32::from(s[j])).sum(), i));
            }
        }
        for (_, scores) in &mut words {
            let mut j = 0;
            scores.retain(|_| {
                j += 1;
                alive[j - 1]
            });
        }
        // Best first, ties in the list's order (places are unique).
        ranked.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        self.order = ranked.into_iter().map(|(_, i)| i).collect();
        self.hits = hits;
        self.words = words;
        self.query = q.to_string();
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

    /// Every query typed a letter at a time, or pasted after another, finds what the whole
    /// query finds on the whole list: the same items in the same order.
    #[test]
    fn narrowing_finds_what_the_whole_query_finds() {
        let mut items: Vec<String> = Vec::new();
        let clients = [
            "Casa Lumen",
            "Bloom Florist",
            "Northwind",
            "clínica Dental",
            "ZOË",
            "zoe b",
        ];
        for i in 0..600 {
            let c = clients[i % clients.len()];
            let title = match i % 5 {
                0 => format!("Task {i} for the client"),
                1 => format!("task{} newsletter", i * 7),
                2 => format!("Invoice T-{i} / ask"),
                3 => format!("Kick-off {i}: agenda"),
                _ => format!("tAsK {} Ñandú", i % 13),
            };
            items.push(format!("{c} {title}"));
        }
        let whole = |q: &str| {
            let mut f = Filter::new();
            f.input = Input::new(q.into());
            f.matches(items.iter().map(String::as_str))
        };
        let queries = [
            "task 1",
            "t 1 5",
            "task  12 ",
            "zoe",
            "zoë t",
            "clin dent",
            "kick 3",
            "invoice t-1",
            "bl fl",
            "!task",
            "^casa",
            "north$",
            "'ask 2",
            "ta\\ sk",
            "x y z",
            "  ",
        ];
        for q in queries {
            // A letter at a time.
            let mut n = Narrowing::all(items.len());
            assert_eq!(n.order, whole(""));
            for end in q.char_indices().map(|(i, c)| i + c.len_utf8()) {
                n.refine(&q[..end], &items);
                assert_eq!(n.order, whole(&q[..end]), "{:?}", &q[..end]);
            }
            // Then each other query pasted after it, and back to nothing.
            for r in queries {
                n.refine(r, &items);
                assert_eq!(n.order, whole(r), "{q:?} then {r:?}");
            }
            n.refine("", &items);
            assert_eq!(n.order, whole(""));
        }
        // Matches of several words are ranked by all of them.
        let mut n = Narrowing::all(items.len());
        n.refine("task", &items);
        n.refine("task 1", &items);
        assert!(!n.order.is_empty() && n.order.len() < items.len());
    }
}
