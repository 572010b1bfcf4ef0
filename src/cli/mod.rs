//! The command line: the same store, scriptable. Clap parses; `run` carries each command out.

mod calendar;
mod help;
mod money;
mod output;
mod records;
mod run;
mod shell;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

pub use help::{command as localized_command, early_lang, error_message, localize_usage};
pub use run::{resolve, run, run_then_exit, Context};

thread_local! {
    /// While set (on the thread building the tree), a command's own subcommands are put in the
    /// command tree only when that command is the one given (clap's `Command::defer`): reading
    /// the arguments then builds a few commands rather than every one. Help, errors,
    /// completions and the manual use the whole tree.
    static DEFER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The command tree for reading the arguments, its commands' subcommands deferred.
pub fn parsing_command() -> clap::Command {
    DEFER.with(|d| d.set(true));
    let cmd = <Cli as clap::CommandFactory>::command();
    DEFER.with(|d| d.set(false));
    cmd
}

fn deferring() -> bool {
    DEFER.with(std::cell::Cell::get)
}

/// A command's subcommands (`T`), deferred while `DEFER` is set.
#[derive(Debug)]
pub struct Deferred<T>(pub T);

fn augment<T: Subcommand>(cmd: clap::Command) -> clap::Command {
    T::augment_subcommands(cmd)
}

fn augment_for_update<T: Subcommand>(cmd: clap::Command) -> clap::Command {
    T::augment_subcommands_for_update(cmd)
}

impl<T: Subcommand> clap::FromArgMatches for Deferred<T> {
    fn from_arg_matches(m: &clap::ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches(m).map(Deferred)
    }
    fn from_arg_matches_mut(m: &mut clap::ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches_mut(m).map(Deferred)
    }
    fn update_from_arg_matches(&mut self, m: &clap::ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches(m)
    }
    fn update_from_arg_matches_mut(&mut self, m: &mut clap::ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches_mut(m)
    }
}

impl<T: Subcommand> Subcommand for Deferred<T> {
    fn augment_subcommands(cmd: clap::Command) -> clap::Command {
        if deferring() {
            cmd.defer(augment::<T>)
        } else {
            T::augment_subcommands(cmd)
        }
    }
    fn augment_subcommands_for_update(cmd: clap::Command) -> clap::Command {
        if deferring() {
            cmd.defer(augment_for_update::<T>)
        } else {
            T::augment_subcommands_for_update(cmd)
        }
    }
    fn has_subcommand(name: &str) -> bool {
        T::has_subcommand(name)
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "vadesk",
    version,
    about = "A keyboard-driven terminal desk for freelance virtual assistants",
    long_about = "vadesk keeps your clients, the tasks they delegate, what they owe you (materials, \
                  feedback, answers) and the red flags that show which clients cost more than they pay.\n\n\
                  Run it without a command to open the desk; with a command to script the same store."
)]
pub struct Cli {
    /// Store file (default: the platform data folder; VADESK_DB overrides it)
    #[arg(long, global = true, env = "VADESK_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Set the clock: YYYY-MM-DD or YYYY-MM-DD HH:MM (VADESK_NOW likewise)
    #[arg(
        long,
        global = true,
        env = "VADESK_NOW",
        value_name = "WHEN",
        allow_hyphen_values = true
    )]
    pub now: Option<String>,
    /// Interface language: en or es (default: config, then LANG)
    #[arg(long, global = true, value_name = "en|es")]
    pub lang: Option<String>,
    /// Seconds between background ticks in the desk (default: config, then 60)
    #[arg(long, global = true, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=86400))]
    pub tick: Option<u64>,
    /// Config file (default: the platform config folder)
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Clients: add, edit, list, show
    #[command(subcommand)]
    Client(Deferred<ClientCmd>),
    /// Tasks a client delegates
    #[command(subcommand)]
    Task(Deferred<TaskCmd>),
    /// Materials a client owes you for a task
    #[command(subcommand)]
    Material(Deferred<MaterialCmd>),
    /// Feedback a client owes you on a task
    #[command(subcommand)]
    Feedback(Deferred<FeedbackCmd>),
    /// Count a reminder sent for a material, feedback or quote (optionally with a new date)
    Nudge {
        /// material, feedback or quote
        kind: String,
        id: i64,
        /// New date the client promised
        #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
        until: Option<String>,
    },
    /// Quotes (presupuestos)
    #[command(subcommand)]
    Quote(Deferred<QuoteCmd>),
    /// Meetings and attendance
    #[command(subcommand)]
    Meeting(Deferred<MeetingCmd>),
    /// Red flags
    #[command(subcommand)]
    Flag(Deferred<FlagCmd>),
    /// Find clients, tasks, requests, quotes and red-flag notes by their words
    Search {
        /// Words to look for (accents and case do not matter; the last word may be its start)
        #[arg(required = true, num_args = 1.., value_name = "TEXT")]
        text: Vec<String>,
        #[arg(long)]
        json: bool,
        /// Show at most this many, best first
        #[arg(long, value_name = "N", default_value_t = 50)]
        limit: usize,
    },
    /// What needs you today
    Review {
        #[arg(long)]
        json: bool,
    },
    /// Look for what became overdue and raise automatic red flags
    Tick {
        /// Run one pass and exit (without it, keep watching every --tick seconds)
        #[arg(long)]
        once: bool,
        #[arg(long)]
        json: bool,
        /// Also show new flags and what became overdue as desktop notifications
        #[arg(long)]
        notify: bool,
    },
    /// Every record as JSON
    Export {
        /// Write to FILE instead of standard output
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Replace FILE if it already exists
        #[arg(long, requires = "out")]
        force: bool,
    },
    /// Import a vadesk export, Taskwarrior's `task export`, a Trello board or an Asana CSV
    Import {
        file: PathBuf,
        /// Format of FILE: vadesk (default), taskwarrior, trello or asana
        #[arg(long, value_name = "FORMAT")]
        from: Option<String>,
        /// Add to a store that already holds records
        #[arg(long)]
        merge: bool,
        /// With trello or asana: the client the tasks are for (created when new)
        #[arg(long, value_name = "NAME")]
        client: Option<String>,
    },
    /// Due dates, expected dates, quote answers and meetings as an iCalendar file
    Calendar {
        /// Write to FILE instead of standard output
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Replace FILE when it exists
        #[arg(long)]
        force: bool,
    },
    /// Send this store's changes to the sync server and apply the other machine's
    Sync {
        /// Make this store a replica: its records become the first changes to send
        #[arg(long)]
        init: bool,
        #[arg(long)]
        json: bool,
    },
    /// Print a shell completion script: bash, zsh, fish, elvish or powershell
    Completions {
        #[arg(value_name = "SHELL")]
        shell: String,
    },
    /// Print the manual page (roff)
    Man,
    /// Copy the store to FILE with SQLite's online backup
    Backup {
        file: PathBuf,
        /// Replace FILE if it already exists
        #[arg(long)]
        force: bool,
    },
    /// Fill an empty store with a realistic sample
    Demo,
    /// Check the store: integrity, foreign keys, schema version, permissions, WAL
    Doctor,
    /// Time worked: the timer and logged entries
    #[command(subcommand)]
    Time(Deferred<TimeCmd>),
    /// A client's month: entries, hours, retainer, amount and effective rate
    Statement {
        /// Name or id
        client: Option<String>,
        /// One line per client
        #[arg(long, conflicts_with_all = ["client", "mark_billed", "out"])]
        all: bool,
        /// YYYY-MM (default: this month)
        #[arg(long, value_name = "YYYY-MM", allow_hyphen_values = true)]
        month: Option<String>,
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// One row per entry, with a header line
        #[arg(long)]
        csv: bool,
        /// Write to FILE instead of standard output
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Mark the month's billable entries as billed today
        #[arg(long = "mark-billed")]
        mark_billed: bool,
        /// Replace an existing FILE
        #[arg(long)]
        force: bool,
    },
}

impl Command {
    /// A command that only reads the store: it opens it with `Store::open_to_read` (no
    /// triggers to keep the tallies, and any write refused), so a command that starts writing
    /// must leave this list (it would fail at its first write, never count wrong).
    pub fn only_reads(&self) -> bool {
        matches!(
            self,
            Command::Review { .. }
                | Command::Search { .. }
                | Command::Export { .. }
                | Command::Calendar { .. }
                | Command::Task(Deferred(TaskCmd::List { .. }))
                | Command::Quote(Deferred(QuoteCmd::List { .. }))
                | Command::Meeting(Deferred(MeetingCmd::List { .. }))
                | Command::Flag(Deferred(FlagCmd::Kinds { .. }))
                | Command::Time(Deferred(TimeCmd::List { .. }))
        )
    }
}

#[derive(Debug, Subcommand)]
pub enum TimeCmd {
    /// Start the timer on a task or a client; prints the entry id
    Start {
        task_id: Option<i64>,
        #[arg(long, value_name = "NAME", conflicts_with = "task_id")]
        client: Option<String>,
        /// Work you cannot charge
        #[arg(long)]
        unbilled: bool,
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
    },
    /// Stop the timer; prints the entry
    Stop {
        /// When the work really ended (for a timer from an earlier day; a bare 17:30 is on the day it began)
        #[arg(long, value_name = "WHEN", allow_hyphen_values = true, conflicts_with = "keep")]
        at: Option<String>,
        /// Keep all the time since the timer started
        #[arg(long)]
        keep: bool,
    },
    /// Log time already worked; prints its id
    Log {
        /// TASK_ID then DURATION, or DURATION alone with --client
        #[arg(value_name = "TASK_ID|DURATION", allow_hyphen_values = true)]
        first: String,
        #[arg(value_name = "DURATION", allow_hyphen_values = true)]
        duration: Option<String>,
        #[arg(long, value_name = "NAME")]
        client: Option<String>,
        /// When the work started (default: it ended now)
        #[arg(long, value_name = "WHEN", allow_hyphen_values = true)]
        on: Option<String>,
        #[arg(long)]
        unbilled: bool,
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
    },
    /// Change an entry (a billed one needs --force)
    Edit {
        id: i64,
        #[arg(long = "minutes", value_name = "DURATION", allow_hyphen_values = true)]
        duration: Option<String>,
        #[arg(long, value_name = "WHEN", allow_hyphen_values = true)]
        on: Option<String>,
        #[arg(long, conflicts_with = "unbilled")]
        billable: bool,
        #[arg(long)]
        unbilled: bool,
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        #[arg(long, value_name = "ID")]
        task: Option<i64>,
        /// Change an entry already billed
        #[arg(long)]
        force: bool,
    },
    /// Delete an entry (a billed one needs --force)
    Delete {
        id: i64,
        #[arg(long)]
        force: bool,
    },
    /// Entries, newest first
    List {
        #[arg(long, value_name = "NAME")]
        client: Option<String>,
        #[arg(long, value_name = "ID")]
        task: Option<i64>,
        #[arg(long, value_name = "YYYY-MM", allow_hyphen_values = true)]
        month: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args, Default)]
pub struct ClientOpts {
    /// prospect, active, paused, ended or declined
    #[arg(long, value_name = "S")]
    pub status: Option<String>,
    /// How the client reaches you, repeatable: email, whatsapp:+34 600..., trello:board...
    #[arg(long = "channel", value_name = "KIND[:HANDLE]")]
    pub channels: Vec<String>,
    /// Hourly rate
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub rate: Option<String>,
    /// Weekday of the weekly review: mon..sun
    #[arg(long = "review-day", value_name = "DAY")]
    pub review_day: Option<String>,
    /// The client's own task tool
    #[arg(long, value_name = "TEXT")]
    pub tool: Option<String>,
    #[arg(long, value_name = "TEXT")]
    pub notes: Option<String>,
    /// ISO 4217 currency code (default: config, else EUR)
    #[arg(long, value_name = "CODE")]
    pub currency: Option<String>,
    /// Billing increment: each billable entry is rounded up to it (like 15m)
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true)]
    pub increment: Option<String>,
    /// Hours included per month by a retainer (needs --fee)
    #[arg(long, value_name = "HOURS", allow_hyphen_values = true)]
    pub retainer: Option<String>,
    /// The retainer's monthly fee
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub fee: Option<String>,
    /// Hourly rate beyond the retainer (default: the rate)
    #[arg(long = "overage-rate", value_name = "N", allow_hyphen_values = true)]
    pub overage_rate: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ClientCmd {
    /// Add a client; prints its id
    Add {
        name: String,
        #[command(flatten)]
        opts: ClientOpts,
    },
    /// Change a client
    Edit {
        /// Name or id
        client: String,
        #[command(flatten)]
        opts: ClientOpts,
        /// New name
        #[arg(long = "name", value_name = "NEW")]
        new_name: Option<String>,
    },
    /// Clients with their score and verdict
    List {
        #[arg(long, value_name = "S")]
        status: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// One client, with its score explained flag by flag
    Show {
        client: String,
        #[arg(long)]
        json: bool,
    },
    /// The weekly review was held (or, with --missed, the client missed it)
    Reviewed {
        client: String,
        /// The client missed it (raises no_feedback)
        #[arg(long)]
        missed: bool,
        /// The day of the review (default: the latest one due)
        #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
        on: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum TaskCmd {
    /// Add a task; prints its id
    Add {
        client: String,
        title: String,
        #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
        due: Option<String>,
        #[arg(long, value_name = "TEXT")]
        spec: Option<String>,
        /// Channel the task arrived through
        #[arg(long, value_name = "KIND")]
        via: Option<String>,
        /// Like 1h30m
        #[arg(long, value_name = "DURATION")]
        estimate: Option<String>,
        /// Repeat it: daily, weekly, biweekly, monthly, a weekday (fri), Nd, Nw or Nm
        #[arg(long, value_name = "RULE")]
        every: Option<String>,
    },
    /// Tasks, live ones first
    List {
        #[arg(long, value_name = "NAME")]
        client: Option<String>,
        #[arg(long, value_name = "S")]
        status: Option<String>,
        /// Only tasks waiting on the client
        #[arg(long)]
        waiting: bool,
        #[arg(long)]
        json: bool,
    },
    /// Change a task
    Edit {
        id: i64,
        #[arg(long, value_name = "TITLE")]
        title: Option<String>,
        /// A DATE, or none
        #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
        due: Option<String>,
        #[arg(long, value_name = "TEXT")]
        spec: Option<String>,
        /// Like 1h30m, or none
        #[arg(long, value_name = "DURATION")]
        estimate: Option<String>,
        /// Channel the task arrived through, or none
        #[arg(long, value_name = "KIND")]
        via: Option<String>,
        /// Move it to another client
        #[arg(long, value_name = "NAME")]
        client: Option<String>,
        /// Repeat it (a rule as in task add), or none to stop
        #[arg(long, value_name = "RULE")]
        every: Option<String>,
    },
    /// You started working on it
    Start { id: i64 },
    /// You delivered it
    Deliver { id: i64 },
    /// It is finished
    Done { id: i64 },
    /// It will not happen
    Cancel { id: i64 },
    /// One more clarification question was needed
    Ask { id: i64 },
    /// How the client used it: accepted, changed_after_ok or unused
    Outcome { id: i64, outcome: String },
}

#[derive(Debug, Subcommand)]
pub enum MaterialCmd {
    /// Ask the client for a material; prints its id
    Ask {
        task_id: i64,
        what: String,
        #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
        by: String,
    },
    /// The material arrived
    Got { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum FeedbackCmd {
    /// Ask the client for feedback; prints its id
    Ask {
        task_id: i64,
        #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
        by: String,
    },
    /// The feedback arrived
    Got { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum QuoteCmd {
    /// Record a quote sent; prints its id
    Add {
        client: String,
        #[arg(long, value_name = "N", allow_hyphen_values = true)]
        amount: String,
        /// Unbilled time it took to prepare
        #[arg(long, value_name = "DURATION")]
        prep: Option<String>,
        #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
        sent: Option<String>,
        /// Default: sent + 7 days (config: quote_answer_days)
        #[arg(long = "answer-by", value_name = "DATE", allow_hyphen_values = true)]
        answer_by: Option<String>,
        /// What the quote is for
        #[arg(long = "for", value_name = "TEXT")]
        description: Option<String>,
    },
    /// Quotes, newest first
    List {
        #[arg(long, value_name = "NAME")]
        client: Option<String>,
        /// pending, accepted or rejected
        #[arg(long, value_name = "S")]
        status: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Correct a quote
    Edit {
        id: i64,
        #[arg(long, value_name = "N", allow_hyphen_values = true)]
        amount: Option<String>,
        /// What the quote is for
        #[arg(long = "for", value_name = "TEXT")]
        description: Option<String>,
        #[arg(long, value_name = "DURATION")]
        prep: Option<String>,
        #[arg(long = "answer-by", value_name = "DATE", allow_hyphen_values = true)]
        answer_by: Option<String>,
    },
    /// Delete a quote
    Delete { id: i64 },
    /// The client accepted
    Accepted { id: i64 },
    /// The client said no
    Rejected { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum MeetingCmd {
    /// Schedule a meeting; prints its id
    Add {
        client: String,
        #[arg(long, value_name = "WHEN", allow_hyphen_values = true)]
        at: String,
        /// discovery, review or other
        #[arg(long, value_name = "KIND")]
        kind: Option<String>,
        /// How long it lasts, like 30m
        #[arg(long, value_name = "DURATION")]
        length: Option<String>,
    },
    /// Meetings, latest first
    List {
        #[arg(long, value_name = "NAME")]
        client: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Reschedule or correct a meeting (what was recorded stays)
    Edit {
        id: i64,
        #[arg(long, value_name = "WHEN", allow_hyphen_values = true)]
        at: Option<String>,
        /// discovery, review or other
        #[arg(long, value_name = "KIND")]
        kind: Option<String>,
        /// How long it lasts, like 30m
        #[arg(long, value_name = "DURATION")]
        length: Option<String>,
    },
    /// Delete a meeting
    Delete { id: i64 },
    /// How the client turned up: on_time, late, no_show or cancelled
    Attended {
        id: i64,
        attendance: String,
        /// How late, with `late`
        #[arg(long, value_name = "N", allow_hyphen_values = true)]
        minutes: Option<u32>,
    },
}

#[derive(Debug, Subcommand)]
pub enum FlagCmd {
    /// Log a red flag; prints its id
    Add {
        client: String,
        kind: String,
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        /// When it happened (default: today)
        #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
        at: Option<String>,
    },
    /// It no longer counts
    Dismiss { id: i64 },
    /// Red flags, newest first
    List {
        #[arg(long, value_name = "NAME")]
        client: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The catalogue: keys, labels, weights and when each is raised
    Kinds {
        #[arg(long)]
        json: bool,
    },
}

#[cfg(test)]
mod deferred_tests {
    use clap::{CommandFactory, FromArgMatches};

    fn shape(c: &clap::Command, path: &str, out: &mut Vec<String>) {
        let mut args: Vec<String> = c
            .get_arguments()
            .map(|a| {
                format!(
                    "{}:{:?}:{:?}:{:?}:{}",
                    a.get_id(),
                    a.get_long(),
                    a.get_short(),
                    a.get_num_args(),
                    a.is_global_set()
                )
            })
            .collect();
        args.sort();
        out.push(format!("{path} [{}]", args.join(" ")));
        for s in c.get_subcommands() {
            shape(s, &format!("{path} {}", s.get_name()), out);
        }
    }

    /// The tree the arguments are read with is, once built, the whole tree: the same commands
    /// with the same arguments at every level; and it reads arguments as the whole tree does.
    #[test]
    fn the_deferred_tree_is_the_whole_tree() {
        let mut whole = super::Cli::command();
        whole.build();
        let mut deferred = super::parsing_command();
        deferred.build();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        shape(&whole, "vadesk", &mut a);
        shape(&deferred, "vadesk", &mut b);
        // Save clap's own `help` command, which mirrors the tree as it was before the deferred
        // parts were added: help is never read from this tree (it is an error to it, and help
        // and errors are read again from the whole tree, below).
        let no_help =
            |v: Vec<String>| -> Vec<String> { v.into_iter().filter(|l| !l.starts_with("vadesk help ")).collect() };
        let (a, b) = (no_help(a), no_help(b));
        assert!(a.len() > 60, "{} commands", a.len());
        assert_eq!(a, b);
        for argv in [
            &["vadesk", "review", "--json"][..],
            &["vadesk", "--db", "x.db", "task", "list", "--client", "Acme", "--json"],
            &["vadesk", "task", "add", "Acme", "Logo", "--due", "2026-12-01"],
            &["vadesk", "meeting", "attended", "3", "--late", "10"],
            &["vadesk", "time", "log", "--client", "Acme", "1h30m", "--lang", "es"],
            &["vadesk", "material", "ask", "4", "Photos", "--by", "2026-12-01"],
            &["vadesk", "flag", "list", "--json"],
        ] {
            let read = |cmd: clap::Command| {
                cmd.try_get_matches_from(argv)
                    .and_then(|m| super::Cli::from_arg_matches(&m))
                    .map(|c| format!("{c:?}"))
                    .map_err(|e| e.kind())
            };
            assert_eq!(read(super::parsing_command()), read(super::Cli::command()), "{argv:?}");
        }
        // Help and mistakes are errors to the deferred tree: main reads them again from the
        // whole one, as before.
        for argv in [
            &["vadesk", "task", "frobnicate"][..],
            &["vadesk", "help", "client", "add"],
            &["vadesk", "client", "add", "--help"],
            &["vadesk", "--version"],
        ] {
            assert!(super::parsing_command().try_get_matches_from(argv).is_err(), "{argv:?}");
        }
    }
}
