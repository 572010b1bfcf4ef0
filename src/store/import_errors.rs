//! What an import says about a record of its file: the record named as a reader counts it
//! ("the 3rd task", "la tarea número 3"), never by its table's name ("tasks number 3"). The
//! place in the file is given rather than the record's id, which may be the broken field.

use crate::error::{Arg, Error, Msg};
use crate::i18n::{fill, Lang, T};

/// English ordinals: 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 111th.
pub(crate) fn english_ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// One record and two records of `table`, as the catalogue names them.
fn nouns(table: &str) -> (T, T) {
    match table {
        "clients" => (T::ImpClient, T::ImpClients),
        "channels" => (T::ImpChannel, T::ImpChannels),
        "recurrences" => (T::ImpRecurrence, T::ImpRecurrences),
        "tasks" => (T::ImpTask, T::ImpTasks),
        "requests" => (T::ImpRequest, T::ImpRequests),
        "quotes" => (T::ImpQuote, T::ImpQuotes),
        "meetings" => (T::ImpMeeting, T::ImpMeetings),
        "flags" => (T::ImpFlag, T::ImpFlags),
        "weekly_reviews" => (T::ImpWeeklyReview, T::ImpWeeklyReviews),
        "time_entries" => (T::ImpTimeEntry, T::ImpTimeEntries),
        "counter_events" => (T::ImpCounterEvent, T::ImpCounterEvents),
        _ => (T::ImpRecord, T::ImpRecords),
    }
}

/// Each language's way of counting: an ordinal in English, "número N" in Spanish.
fn place(n: usize, lang: Lang) -> String {
    match lang {
        Lang::En => english_ordinal(n),
        Lang::Es => n.to_string(),
    }
}

/// Record `n` (from 0) of `table`.
fn record(table: &str, n: usize) -> Arg {
    let key = nouns(table).0;
    let say = |l| fill(key.text(l), &[place(n + 1, l)]);
    Arg::ByLang(say(Lang::En), say(Lang::Es))
}

/// Records `first` and `second` (from 0) of `table`.
fn records(table: &str, first: usize, second: usize) -> Arg {
    let key = nouns(table).1;
    let say = |l| fill(key.text(l), &[place(first + 1, l), place(second + 1, l)]);
    Arg::ByLang(say(Lang::En), say(Lang::Es))
}

fn invalid(key: T, args: Vec<Arg>) -> Error {
    Error::Invalid(Msg { key, args })
}

/// Record `n` of `table` has a bad or missing `col`.
pub(crate) fn field(source: &str, table: &str, n: usize, col: &str) -> Error {
    invalid(
        T::ErrImportField,
        vec![Arg::text(source), record(table, n), Arg::text(col)],
    )
}

/// Records `first` and `n` of `table` have the same `col` (a record given twice).
pub(crate) fn twice(source: &str, table: &str, first: usize, n: usize, col: &str) -> Error {
    invalid(
        T::ErrImportTwice,
        vec![Arg::text(source), records(table, first, n), Arg::text(col)],
    )
}

/// Two records of different tables in the file have the same uuid.
pub(crate) fn uuid_shared(source: &str, first: (&str, usize), second: (&str, usize)) -> Error {
    invalid(
        T::ErrImportUuidShared,
        vec![Arg::text(source), record(first.0, first.1), record(second.0, second.1)],
    )
}

/// Record `n` of `table` has `uuid`, which a record of another table in the store has.
pub(crate) fn uuid_taken(source: &str, table: &str, n: usize, uuid: &str) -> Error {
    invalid(
        T::ErrImportUuidTaken,
        vec![Arg::text(source), record(table, n), Arg::text(uuid)],
    )
}

/// The store refused record `n` of `table` for `why`.
pub(crate) fn db(source: &str, table: &str, n: usize, why: &dyn std::fmt::Display) -> Error {
    invalid(
        T::ErrImportDb,
        vec![Arg::text(source), record(table, n), Arg::text(why)],
    )
}

/// Record `n` of `table` breaks a rule between its fields at `col`: `why` is the command
/// line's refusal.
pub(crate) fn rule(source: &str, table: &str, n: usize, col: &str, why: Error) -> Error {
    invalid(
        T::ErrImportRule,
        vec![
            Arg::text(source),
            record(table, n),
            Arg::text(col),
            Arg::ByLang(why.localized(Lang::En), why.localized(Lang::Es)),
        ],
    )
}

/// Record `n` of `table` has a `col` too long: `limits` are the most characters and the
/// characters it has.
pub(crate) fn too_long(source: &str, table: &str, n: usize, col: &str, limits: &[Arg]) -> Error {
    let mut args = vec![Arg::text(source), record(table, n), Arg::text(col)];
    args.extend(limits.iter().cloned());
    invalid(T::ErrImportTooLong, args)
}

/// Record `n` of `table` would make a client named `name`, digits alone.
pub(crate) fn digits_name(source: &str, table: &str, n: usize, col: &str, name: &str) -> Error {
    invalid(
        T::ErrImportDigitsName,
        vec![Arg::text(source), record(table, n), Arg::text(col), Arg::text(name)],
    )
}

/// Task `n` of a Taskwarrior file is not an object.
pub(crate) fn not_task(source: &str, n: usize) -> Error {
    invalid(T::ErrImportNotTask, vec![Arg::text(source), record("tasks", n)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals_read_as_english_writes_them() {
        let said: Vec<String> = [1, 2, 3, 4, 10, 11, 12, 13, 21, 22, 23, 101, 111, 112]
            .into_iter()
            .map(english_ordinal)
            .collect();
        assert_eq!(
            said,
            [
                "1st", "2nd", "3rd", "4th", "10th", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st", "111th",
                "112th"
            ]
        );
    }

    #[test]
    fn a_record_is_named_as_a_reader_counts_it() {
        let e = field("in.json", "tasks", 0, "due");
        assert_eq!(
            e.localized(Lang::En),
            "cannot read in.json: the 1st task has an invalid or missing due"
        );
        assert_eq!(
            e.localized(Lang::Es),
            "no se puede leer in.json: la tarea número 1 tiene el campo due ausente o no válido"
        );
        let e = twice("in.json", "time_entries", 1, 3, "uuid");
        assert!(e
            .localized(Lang::En)
            .contains("the 2nd and 4th time entries have the same uuid"));
        assert!(e
            .localized(Lang::Es)
            .contains("la entrada de tiempo número 2 y la número 4 tienen el mismo uuid"));
    }
}
