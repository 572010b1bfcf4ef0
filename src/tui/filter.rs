//! The fuzzy filter of `/`, on the focused list.

use nucleo_matcher::pattern::{Atom, AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str, Utf32String};
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
        let scored: Vec<(u32, u32)> = items
            .enumerate()
            .filter_map(|(i, s)| {
                pattern
                    .score(text_of(s, &mut buf), &mut matcher)
                    .map(|sc| (sc, place(i)))
            })
            .collect();
        best_first(&scored).into_iter().map(|i| i as usize).collect()
    }
}

/// What the matcher reads of a text: its bytes when it is ASCII, else the first character of
/// each grapheme (as nucleo's own strings hold it).
fn text_of<'a>(s: &'a str, buf: &'a mut Vec<char>) -> Utf32Str<'a> {
    if s.is_ascii() {
        Utf32Str::Ascii(s.as_bytes())
    } else {
        buf.clear();
        buf.extend(nucleo_matcher::chars::graphemes(s));
        Utf32Str::Unicode(buf)
    }
}

/// A list's texts as the matcher reads them, converted once.
pub fn hay_of(texts: impl Iterator<Item = String>) -> Vec<Utf32String> {
    texts.map(Utf32String::from).collect()
}

/// One query's answer on a list: the matching items' places in the list (in the list's
/// order), each word of the query with its score of each of them, and the matches best first
/// (ties in the list's order).
#[derive(Debug, Default)]
struct Answer {
    query: String,
    hits: Vec<u32>,
    words: Vec<(Atom, Vec<u16>)>,
    order: Vec<u32>,
}

impl Answer {
    /// The empty query: every item of a list of `len`, in its order.
    fn all(len: usize) -> Answer {
        let every: Vec<u32> = (0..len).map(place).collect();
        Answer {
            hits: every.clone(),
            order: every,
            ..Answer::default()
        }
    }

    /// What it holds, in items (for the bound on kept answers).
    fn size(&self) -> usize {
        self.hits.len() + self.order.len() + self.words.iter().map(|(_, s)| s.len()).sum::<usize>()
    }
}

/// An item's place as kept (lists are far shorter than `u32::MAX`).
fn place(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// Answers kept for queries typed again (a letter erased, the filter opened again): at most
/// this many, holding at most `KEPT_ITEMS` places and scores in all.
const KEPT: usize = 16;
const KEPT_ITEMS: usize = 1 << 20;

/// Below this many items to score, one thread scores them all.
const SCORED_APART: usize = 2048;

/// A query's matches among a long list, kept so that the next letters look among them alone:
/// when the query only narrows (a letter added to a plain query), only the last matches are
/// scored, and only on the words that changed (a word's score of an item does not depend on
/// the other words). The last answers are kept while the list is the same, so a query typed
/// again is not scored again. A long list is scored on two threads, each half by its own
/// matcher. Rows and order are always those of `Filter::matches` on the whole list.
#[derive(Debug, Default)]
pub struct Narrowing {
    hay: Vec<Utf32String>,
    now: Answer,
    kept: Vec<Answer>,
    matchers: [Matcher; 2],
}

impl Narrowing {
    /// The empty query on a list whose texts are `hay`.
    pub fn new(hay: Vec<Utf32String>) -> Narrowing {
        Narrowing {
            now: Answer::all(hay.len()),
            hay,
            ..Default::default()
        }
    }

    /// How many items the list has.
    pub fn len(&self) -> usize {
        self.hay.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hay.is_empty()
    }

    /// The matches, best first (places in the list).
    pub fn order(&self) -> &[u32] {
        &self.now.order
    }

    /// The matches of `query` among the list.
    pub fn refine(&mut self, query: &str) {
        let q = query.trim();
        if q == self.now.query {
            return;
        }
        let answer = match self.kept.iter().position(|a| a.query == q) {
            Some(p) => self.kept.remove(p),
            None if q.is_empty() => Answer::all(self.hay.len()),
            None => self.answer(q),
        };
        let last = std::mem::replace(&mut self.now, answer);
        self.kept.push(last);
        // The oldest answers go first.
        let mut items: usize = self.kept.iter().map(Answer::size).sum();
        while self.kept.len() > KEPT || items > KEPT_ITEMS {
            items -= self.kept.remove(0).size();
        }
    }

    /// Works out the answer to `q` (not empty), from the last one when `q` narrows it.
    fn answer(&mut self, q: &str) -> Answer {
        // Fuzzy words only narrow as letters are added (a negation, `!`, or an anchor does not).
        let plain = !q.contains(['!', '^', '$', '\'', '\\']);
        let last = &self.now;
        let narrower = plain && !last.query.is_empty() && q.starts_with(last.query.as_str());
        let every;
        let (among, known): (&[u32], &[(Atom, Vec<u16>)]) = if narrower {
            (&last.hits, &last.words)
        } else {
            every = (0..self.hay.len()).map(place).collect::<Vec<u32>>();
            (&every, &[])
        };
        let pattern = Pattern::parse(q, CaseMatching::Ignore, Normalization::Smart);
        let mut alive = vec![true; among.len()];
        let mut words = Vec::with_capacity(pattern.atoms.len());
        for atom in pattern.atoms {
            // A word of the last query: its scores stand (every last match matched it).
            if let Some((a, scores)) = known.iter().find(|(a, _)| *a == atom) {
                words.push((a.clone(), scores.clone()));
                continue;
            }
            let mut scores = vec![0u16; among.len()];
            score(&atom, among, &self.hay, &mut alive, &mut scores, &mut self.matchers);
            words.push((atom, scores));
        }
        let mut hits = Vec::with_capacity(among.len());
        let mut ranked: Vec<(u32, u32)> = Vec::with_capacity(among.len());
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
        Answer {
            query: q.to_string(),
            hits,
            words,
            order: best_first(&ranked),
        }
    }
}

/// The places of `ranked` (score, place), given in the list's order, best score first and ties
/// in the list's order. Scores of one query span a narrow range, so they are counted into it
/// (a stable counting sort); a wide range is sorted.
fn best_first(ranked: &[(u32, u32)]) -> Vec<u32> {
    let (Some(lo), Some(hi)) = (ranked.iter().map(|r| r.0).min(), ranked.iter().map(|r| r.0).max()) else {
        return Vec::new();
    };
    let span = (hi - lo) as usize + 1;
    if span > 1 << 16 {
        let mut keys: Vec<u64> = ranked
            .iter()
            .map(|&(score, at)| (u64::from(u32::MAX - score) << 32) | u64::from(at))
            .collect();
        keys.sort_unstable();
        // The low half of each key is the place.
        return keys.into_iter().map(|k| (k & u64::from(u32::MAX)) as u32).collect();
    }
    // Where each score's places begin, the best score's first.
    let mut starts = vec![0usize; span + 1];
    for &(score, _) in ranked {
        starts[(hi - score) as usize + 1] += 1;
    }
    for i in 1..=span {
        starts[i] += starts[i - 1];
    }
    let mut order = vec![0u32; ranked.len()];
    for &(score, at) in ranked {
        let slot = &mut starts[(hi - score) as usize];
        order[*slot] = at;
        *slot += 1;
    }
    order
}

/// Scores `atom` on the items at `among` still `alive`, into `scores`; an item it does not
/// match is no longer alive. A long list is cut in two, each half scored on a thread of its own.
fn score(
    atom: &Atom,
    among: &[u32],
    hay: &[Utf32String],
    alive: &mut [bool],
    scores: &mut [u16],
    matchers: &mut [Matcher; 2],
) {
    let part = |among: &[u32], alive: &mut [bool], scores: &mut [u16], m: &mut Matcher| {
        let best = Best::of(atom, m);
        for ((&i, live), sc) in among.iter().zip(alive.iter_mut()).zip(scores.iter_mut()) {
            if !*live {
                continue;
            }
            let text = hay.get(i as usize).map(|t| t.slice(..)).unwrap_or(Utf32Str::Ascii(&[]));
            match best.score(atom, text, m) {
                Some(s) => *sc = s,
                None => *live = false,
            }
        }
    };
    let [m0, m1] = matchers;
    if among.len() < SCORED_APART || !two_cores() {
        return part(among, alive, scores, m0);
    }
    let half = among.len() / 2;
    let (a0, a1) = among.split_at(half);
    let (l0, l1) = alive.split_at_mut(half);
    let (s0, s1) = scores.split_at_mut(half);
    std::thread::scope(|s| {
        s.spawn(|| part(a1, l1, s1, m1));
        part(a0, l0, s0, m0);
    });
}

/// The best score a fuzzy word can have, and the cheap way to see that a text has it.
///
/// A fuzzy word scores each of its letters, with a bonus by where the letter stands (the
/// highest after a space, or at the start) and a penalty for every gap; letters that follow one
/// another keep the bonus of the first. So no match scores more than the word written whole
/// right after a space, and that score is the word's score against itself. A text holding the
/// word whole at such a place (most texts, as people type the start of a word) has that score:
/// finding it is a substring search, far cheaper than the fuzzy matcher's search for the best
/// match among all the ways the letters can be spread. Any other text is scored in full. The
/// scores are nucleo's own, exactly (the tests compare them on every kind of text).
struct Best {
    top: Option<u16>,
}

impl Best {
    fn of(atom: &Atom, m: &mut Matcher) -> Best {
        let needle = atom.needle_text();
        // Only a plain fuzzy word of two letters or more: one letter is already a single scan.
        if atom.negative || atom.kind != AtomKind::Fuzzy || needle.len() < 2 {
            return Best { top: None };
        }
        // Scoring sets the matcher's case and accent folding to the word's own.
        Best {
            top: atom.score(needle, m),
        }
    }

    fn score(&self, atom: &Atom, text: Utf32Str<'_>, m: &mut Matcher) -> Option<u16> {
        if let Some(top) = self.top {
            if m.substring_match(text, atom.needle_text()) == Some(top) {
                return Some(top);
            }
        }
        atom.score(text, m)
    }
}

/// Whether the machine runs two threads at once (asked once).
fn two_cores() -> bool {
    static TWO: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *TWO.get_or_init(|| std::thread::available_parallelism().is_ok_and(|n| n.get() > 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A repeatable stream of pseudo-random numbers from `seed`.
    fn xorshift(mut seed: u64) -> impl FnMut() -> u64 {
        move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        }
    }

    /// Best score first, ties in the list's order, over narrow and wide spans of scores.
    #[test]
    fn best_first_orders_as_a_sort_does() {
        let mut next = xorshift(7);
        for (n, span) in [
            (0, 1),
            (1, 1),
            (50, 1),
            (500, 3),
            (3000, 400),
            (3000, 1 << 20),
            (100, u64::from(u32::MAX)),
        ] {
            let ranked: Vec<(u32, u32)> = (0..n).map(|i| ((next() % span) as u32, i * 3)).collect();
            let mut sorted = ranked.clone();
            sorted.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            let want: Vec<u32> = sorted.into_iter().map(|(_, at)| at).collect();
            assert_eq!(best_first(&ranked), want, "{n} {span}");
        }
    }

    /// The shortcut for texts holding a word whole gives nucleo's own score, on every text:
    /// random texts of letters in both cases, digits, spaces, delimiters, accents, CJK and
    /// emoji, against words typed every way.
    #[test]
    fn best_scores_as_nucleo_does() {
        let mut next = xorshift(11);
        let parts = [
            "task",
            "Task",
            "TASK",
            "tAsK",
            "t",
            "a",
            "s",
            "k",
            "ta",
            "as",
            "sk",
            " ",
            "  ",
            "-",
            "_",
            "/",
            ".",
            ":",
            "1",
            "12",
            "0",
            "é",
            "e",
            "ñ",
            "Ñ",
            "n",
            "ü",
            "Clínica",
            "clinica",
            "日本",
            "😀",
            "x",
            "T-1",
            "camelCase",
            "for the client",
            "\u{301}",
        ];
        let words = [
            "task", "ta", "tas", "tk", "ts", "ask", "t-1", "t1", "12", "clin", "clín", "nñ", "ñ", "日本", "ca", "cc",
            "ta\\ sk", "for", "the c", "TASK", "e\u{301}", "😀t", "sk1", "aa",
        ];
        let mut m = Matcher::new(Config::DEFAULT);
        let mut fast = 0;
        for w in words {
            let pattern = Pattern::parse(w, CaseMatching::Ignore, Normalization::Smart);
            for atom in &pattern.atoms {
                let best = Best::of(atom, &mut m);
                let mut buf = Vec::new();
                for _ in 0..4000 {
                    let n = 1 + (next() % 9) as usize;
                    let text: String = (0..n).map(|_| parts[(next() % parts.len() as u64) as usize]).collect();
                    let hay = text_of(&text, &mut buf);
                    let want = atom.score(hay, &mut m);
                    let hay = text_of(&text, &mut buf);
                    if best.top.is_some() && m.substring_match(hay, atom.needle_text()) == best.top {
                        fast += 1;
                    }
                    let hay = text_of(&text, &mut buf);
                    assert_eq!(best.score(atom, hay, &mut m), want, "{w:?} in {text:?}");
                }
            }
        }
        // The shortcut was taken, often: the comparison is not of the full scoring with itself.
        assert!(fast > 2000, "{fast}");
        // A row as the review shows them takes it for the word being typed.
        let atom = &Pattern::parse("tas", CaseMatching::Ignore, Normalization::Smart).atoms[0];
        let best = Best::of(atom, &mut m);
        let row = "Client 0898 Task 123456 for the client";
        assert_eq!(
            m.substring_match(Utf32Str::Ascii(row.as_bytes()), atom.needle_text()),
            best.top
        );
    }

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
            "Cafe\u{301} Norte",
            "ZOË",
            "zoe b",
        ];
        // Long enough for the first letters to be scored on two threads.
        for i in 0..2500 {
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
        let order = |n: &Narrowing| n.order().iter().map(|&i| i as usize).collect::<Vec<_>>();
        let hay = || hay_of(items.iter().cloned());
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
            let mut n = Narrowing::new(hay());
            assert_eq!(order(&n), whole(""));
            for end in q.char_indices().map(|(i, c)| i + c.len_utf8()) {
                n.refine(&q[..end]);
                assert_eq!(order(&n), whole(&q[..end]), "{:?}", &q[..end]);
            }
            // Then each other query pasted after it (the kept answers among them), erased a
            // letter at a time and typed again, and back to nothing.
            for r in queries {
                n.refine(r);
                assert_eq!(order(&n), whole(r), "{q:?} then {r:?}");
            }
            for end in q
                .char_indices()
                .map(|(i, _)| i)
                .rev()
                .chain(q.char_indices().map(|(i, c)| i + c.len_utf8()))
            {
                n.refine(&q[..end]);
                assert_eq!(order(&n), whole(&q[..end]), "{:?} again", &q[..end]);
            }
            n.refine("");
            assert_eq!(order(&n), whole(""));
        }
        // Matches of several words are ranked by all of them.
        let mut n = Narrowing::new(hay());
        n.refine("task");
        n.refine("task 1");
        assert!(!n.order().is_empty() && n.order().len() < items.len());
        // Kept answers stay within their bound, however many queries are typed.
        for i in 0..100 {
            n.refine(&format!("task {i}"));
        }
        assert!(n.kept.len() <= KEPT);
        assert!(n.kept.iter().map(Answer::size).sum::<usize>() <= KEPT_ITEMS);
    }
}
