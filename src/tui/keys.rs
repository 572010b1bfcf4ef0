//! Key bindings as data: (where, key) -> intent. The help screen is drawn from the same table,
//! so it can never disagree with what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::i18n::T;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    Quit,
    ShowDesk,
    ShowReview,
    ShowMonth,
    /// Start or stop the timer on the selection.
    Timer,
    LogTime,
    PrevMonth,
    NextMonth,
    NextPane,
    PrevPane,
    Move(Move),
    Open,
    Add,
    Edit,
    Delete,
    AskMaterial,
    AskFeedback,
    Clarify,
    Deliver,
    Outcome,
    TaskDone,
    AddQuote,
    AddMeeting,
    LogFlag,
    Nudge,
    Resolve,
    Snooze,
    RowDone,
    Undo,
    Redo,
    SyncNow,
    Filter,
    Help,
    Back,
    /// The tasks pane's tabs: tasks · quotes · meetings.
    NextTab,
    PrevTab,
    /// A weekly review row: the client missed it.
    MissedReview,
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Anywhere,
    Desk,
    Lists,
    /// The desk's tasks pane, with a task selected.
    Task,
    /// The desk, with a client selected.
    Client,
    /// Anywhere a client is selected (a desk client or a review row).
    AnyClient,
    ReviewRow,
    /// The desk or the Month view: a task or a client selected is timed; without one, the
    /// key says what to select.
    Timer,
    /// The Month view.
    Month,
    /// Lists that can be filtered (not the Month view).
    Filterable,
    /// The desk's tasks pane with a client selected (its tabs).
    TasksPane,
    /// A quote or meeting selected in the tasks pane's tabs.
    DealRow,
}

/// What the key handler needs to know about the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KeyCtx {
    pub review: bool,
    pub tasks_focused: bool,
    pub has_task: bool,
    pub has_client: bool,
    pub has_row: bool,
    /// The Month view is shown.
    pub month: bool,
    /// The tasks pane shows a client's quotes or meetings (not its tasks).
    pub deal_tab: bool,
    /// A quote or meeting is selected there.
    pub has_deal: bool,
}

impl Scope {
    pub(crate) fn applies(self, c: KeyCtx) -> bool {
        match self {
            Scope::Anywhere | Scope::Lists => true,
            Scope::Desk => !c.review && !c.month,
            Scope::Task => !c.review && !c.month && c.tasks_focused && c.has_task,
            Scope::Client => !c.review && !c.month && c.has_client,
            Scope::Timer => !c.review,
            Scope::Month => c.month,
            Scope::Filterable => !c.month,
            Scope::AnyClient => (!c.review && c.has_client) || (c.review && c.has_row),
            Scope::ReviewRow => c.review && c.has_row,
            Scope::TasksPane => !c.review && c.tasks_focused,
            Scope::DealRow => !c.review && c.tasks_focused && c.deal_tab && c.has_deal,
        }
    }
}

pub struct Binding {
    pub keys: &'static [(KeyCode, KeyModifiers)],
    pub label: &'static str,
    pub scope: Scope,
    pub intent: Intent,
    pub help: T,
}

const NONE: KeyModifiers = KeyModifiers::NONE;
const SHIFT: KeyModifiers = KeyModifiers::SHIFT;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;

macro_rules! b {
    ($label:expr, $scope:ident, $intent:expr, $help:ident, $($key:expr),+) => {
        Binding { keys: &[$($key),+], label: $label, scope: Scope::$scope, intent: $intent, help: T::$help }
    };
}

/// Every binding, in the order the help screen lists them.
pub static BINDINGS: &[Binding] = &[
    b!("1 / 2", Anywhere, Intent::ShowDesk, KeyDesk, (KeyCode::Char('1'), NONE)),
    b!("", Anywhere, Intent::ShowReview, KeyReview, (KeyCode::Char('2'), NONE)),
    b!(
        "3",
        Anywhere,
        Intent::ShowMonth,
        KeyMonthView,
        (KeyCode::Char('3'), NONE)
    ),
    b!(
        "← →",
        Month,
        Intent::PrevMonth,
        KeyMonths,
        (KeyCode::Left, NONE),
        (KeyCode::Char('h'), NONE)
    ),
    b!(
        "",
        Month,
        Intent::NextMonth,
        KeyMonths,
        (KeyCode::Right, NONE),
        (KeyCode::Char('l'), NONE)
    ),
    b!(
        "Tab / Shift-Tab",
        Desk,
        Intent::NextPane,
        KeyPanes,
        (KeyCode::Tab, NONE)
    ),
    b!(
        "",
        Desk,
        Intent::PrevPane,
        KeyPanes,
        (KeyCode::BackTab, SHIFT),
        (KeyCode::BackTab, NONE)
    ),
    b!(
        "j k ↓ ↑",
        Lists,
        Intent::Move(Move::Down),
        KeyMove,
        (KeyCode::Char('j'), NONE),
        (KeyCode::Down, NONE)
    ),
    b!(
        "",
        Lists,
        Intent::Move(Move::Up),
        KeyMove,
        (KeyCode::Char('k'), NONE),
        (KeyCode::Up, NONE)
    ),
    b!(
        "g G",
        Lists,
        Intent::Move(Move::Top),
        KeyTopBottom,
        (KeyCode::Char('g'), NONE),
        (KeyCode::Home, NONE)
    ),
    b!(
        "",
        Lists,
        Intent::Move(Move::Bottom),
        KeyTopBottom,
        (KeyCode::Char('G'), SHIFT),
        (KeyCode::Char('G'), NONE),
        (KeyCode::End, NONE)
    ),
    b!(
        "PgDn PgUp",
        Lists,
        Intent::Move(Move::PageDown),
        KeyPage,
        (KeyCode::PageDown, NONE)
    ),
    b!("", Lists, Intent::Move(Move::PageUp), KeyPage, (KeyCode::PageUp, NONE)),
    b!("Enter", Lists, Intent::Open, KeyOpen, (KeyCode::Enter, NONE)),
    b!("a", Desk, Intent::Add, KeyAdd, (KeyCode::Char('a'), NONE)),
    b!("e", Desk, Intent::Edit, KeyEdit, (KeyCode::Char('e'), NONE)),
    b!(
        "D",
        Desk,
        Intent::Delete,
        KeyDelete,
        (KeyCode::Char('D'), SHIFT),
        (KeyCode::Char('D'), NONE)
    ),
    b!("m", Task, Intent::AskMaterial, KeyMaterial, (KeyCode::Char('m'), NONE)),
    b!("b", Task, Intent::AskFeedback, KeyFeedback, (KeyCode::Char('b'), NONE)),
    b!("c", Task, Intent::Clarify, KeyClarify, (KeyCode::Char('c'), NONE)),
    b!("v", Task, Intent::Deliver, KeyDeliver, (KeyCode::Char('v'), NONE)),
    b!("o", Task, Intent::Outcome, KeyOutcome, (KeyCode::Char('o'), NONE)),
    b!("d", Task, Intent::TaskDone, KeyTaskDoneOnly, (KeyCode::Char('d'), NONE)),
    b!(
        "Q",
        Client,
        Intent::AddQuote,
        KeyQuote,
        (KeyCode::Char('Q'), SHIFT),
        (KeyCode::Char('Q'), NONE)
    ),
    b!(
        "M",
        Client,
        Intent::AddMeeting,
        KeyMeeting,
        (KeyCode::Char('M'), SHIFT),
        (KeyCode::Char('M'), NONE)
    ),
    b!("t", Timer, Intent::Timer, KeyTimer, (KeyCode::Char('t'), NONE)),
    b!(
        "T",
        Timer,
        Intent::LogTime,
        KeyLogTime,
        (KeyCode::Char('T'), SHIFT),
        (KeyCode::Char('T'), NONE)
    ),
    b!("f", AnyClient, Intent::LogFlag, KeyFlag, (KeyCode::Char('f'), NONE)),
    b!("n", ReviewRow, Intent::Nudge, KeyNudge, (KeyCode::Char('n'), NONE)),
    b!("r", ReviewRow, Intent::Resolve, KeyResolve, (KeyCode::Char('r'), NONE)),
    b!("s", ReviewRow, Intent::Snooze, KeySnooze, (KeyCode::Char('s'), NONE)),
    b!("d", ReviewRow, Intent::RowDone, KeyRowDone, (KeyCode::Char('d'), NONE)),
    b!(
        "x",
        ReviewRow,
        Intent::MissedReview,
        KeyMissed,
        (KeyCode::Char('x'), NONE)
    ),
    b!(
        "[ ] ← →",
        TasksPane,
        Intent::PrevTab,
        KeyTabs,
        (KeyCode::Char('['), NONE),
        (KeyCode::Left, NONE)
    ),
    b!(
        "",
        TasksPane,
        Intent::NextTab,
        KeyTabs,
        (KeyCode::Char(']'), NONE),
        (KeyCode::Right, NONE)
    ),
    b!("n", DealRow, Intent::Nudge, KeyDealNudge, (KeyCode::Char('n'), NONE)),
    b!("r", DealRow, Intent::Resolve, KeyDealAnswer, (KeyCode::Char('r'), NONE)),
    b!("u", Anywhere, Intent::Undo, KeyUndo, (KeyCode::Char('u'), NONE)),
    b!(
        "S",
        Anywhere,
        Intent::SyncNow,
        KeySync,
        (KeyCode::Char('S'), SHIFT),
        (KeyCode::Char('S'), NONE)
    ),
    b!(
        "U",
        Anywhere,
        Intent::Redo,
        KeyRedo,
        (KeyCode::Char('U'), SHIFT),
        (KeyCode::Char('U'), NONE)
    ),
    b!("/", Filterable, Intent::Filter, KeyFilter, (KeyCode::Char('/'), NONE)),
    b!(
        "?",
        Anywhere,
        Intent::Help,
        KeyHelp,
        (KeyCode::Char('?'), NONE),
        (KeyCode::Char('?'), SHIFT)
    ),
    b!("Esc", Anywhere, Intent::Back, KeyBack, (KeyCode::Esc, NONE)),
    b!(
        "q  Ctrl-C",
        Anywhere,
        Intent::Quit,
        KeyQuit,
        (KeyCode::Char('q'), NONE),
        (KeyCode::Char('c'), CTRL)
    ),
];

/// The intent of a key in the normal (no popup) mode.
pub fn intent(key: KeyEvent, ctx: KeyCtx) -> Option<Intent> {
    BINDINGS
        .iter()
        .filter(|b| b.scope.applies(ctx))
        .find(|b| b.keys.iter().any(|(code, m)| *code == key.code && key.modifiers == *m))
        .map(|b| b.intent)
}

/// Ctrl-C quits from anywhere, popups and forms included.
pub fn is_interrupt(key: KeyEvent) -> bool {
    key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), if c.is_ascii_uppercase() { SHIFT } else { NONE })
    }

    #[test]
    fn the_same_key_means_different_things_by_place() {
        let desk_task = KeyCtx {
            tasks_focused: true,
            has_task: true,
            has_client: true,
            ..Default::default()
        };
        let review = KeyCtx {
            review: true,
            has_row: true,
            ..Default::default()
        };
        assert_eq!(intent(k('d'), desk_task), Some(Intent::TaskDone));
        assert_eq!(intent(k('d'), review), Some(Intent::RowDone));
        assert_eq!(intent(k('n'), desk_task), None);
        assert_eq!(intent(k('n'), review), Some(Intent::Nudge));
        assert_eq!(intent(k('m'), review), None);
        assert_eq!(intent(k('f'), review), Some(Intent::LogFlag));
        assert_eq!(
            intent(
                k('Q'),
                KeyCtx {
                    has_client: true,
                    ..Default::default()
                }
            ),
            Some(Intent::AddQuote)
        );
        assert_eq!(intent(k('Q'), review), None);
        assert_eq!(intent(k('a'), review), None);
    }

    #[test]
    fn time_keys_and_the_month_view() {
        let task = KeyCtx {
            tasks_focused: true,
            has_task: true,
            ..Default::default()
        };
        let month = KeyCtx {
            month: true,
            has_client: true,
            ..Default::default()
        };
        assert_eq!(intent(k('t'), task), Some(Intent::Timer));
        assert_eq!(intent(k('T'), task), Some(Intent::LogTime));
        // Nothing selected ("All clients"): the key still reaches the desk, which says what
        // to select; the review has no timer.
        assert_eq!(intent(k('t'), KeyCtx::default()), Some(Intent::Timer));
        let review = KeyCtx {
            review: true,
            ..Default::default()
        };
        assert_eq!(intent(k('t'), review), None);
        assert_eq!(intent(k('3'), KeyCtx::default()), Some(Intent::ShowMonth));
        assert_eq!(
            intent(KeyEvent::new(KeyCode::Left, NONE), month),
            Some(Intent::PrevMonth)
        );
        assert_eq!(
            intent(KeyEvent::new(KeyCode::Right, NONE), month),
            Some(Intent::NextMonth)
        );
        // On the desk, → moves between the tasks pane's tabs, never between months.
        assert_eq!(intent(KeyEvent::new(KeyCode::Right, NONE), task), Some(Intent::NextTab));
        assert_eq!(intent(k('t'), month), Some(Intent::Timer));
        assert_eq!(
            intent(k('a'), month),
            None,
            "no desk pane is edited from the Month view"
        );
        assert_eq!(intent(k('Q'), month), None);
        assert_eq!(intent(k('/'), month), None);
        assert_eq!(intent(k('j'), month), Some(Intent::Move(Move::Down)));
        assert_eq!(intent(KeyEvent::new(KeyCode::Enter, NONE), month), Some(Intent::Open));
    }

    #[test]
    fn global_keys() {
        let c = KeyCtx::default();
        assert_eq!(intent(k('q'), c), Some(Intent::Quit));
        assert_eq!(intent(KeyEvent::new(KeyCode::Char('c'), CTRL), c), Some(Intent::Quit));
        assert_eq!(intent(k('2'), c), Some(Intent::ShowReview));
        assert_eq!(intent(k('?'), c), Some(Intent::Help));
        assert_eq!(
            intent(KeyEvent::new(KeyCode::BackTab, SHIFT), c),
            Some(Intent::PrevPane)
        );
        assert_eq!(intent(k('G'), c), Some(Intent::Move(Move::Bottom)));
        assert_eq!(
            intent(KeyEvent::new(KeyCode::PageDown, NONE), c),
            Some(Intent::Move(Move::PageDown))
        );
    }
}
