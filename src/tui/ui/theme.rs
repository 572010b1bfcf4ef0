//! Colours that carry meaning (verdicts, lateness), and their plain fallbacks for `NO_COLOR`.

use ratatui::style::{Color, Modifier, Style};

use crate::domain::Verdict;

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    fn fg(self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    pub fn verdict(self, v: Verdict) -> Style {
        match v.severity() {
            0 => self.fg(Color::Green),
            1 => self.fg(Color::Yellow),
            2 => self.fg(Color::LightRed),
            _ => self.fg(Color::Red).add_modifier(Modifier::BOLD),
        }
    }

    /// Something past its date.
    pub fn late(self) -> Style {
        if self.color {
            Style::new().fg(Color::Red)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        }
    }

    pub fn soon(self) -> Style {
        self.fg(Color::Yellow)
    }

    pub fn dim(self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn focused_border(self) -> Style {
        if self.color {
            Style::new().fg(Color::Cyan)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        }
    }

    pub fn heading(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn error(self) -> Style {
        if self.color {
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        }
    }

    pub fn ok(self) -> Style {
        self.fg(Color::Green)
    }

    /// The running timer in the status bar.
    pub fn timer(self) -> Style {
        self.fg(Color::Magenta).add_modifier(Modifier::BOLD)
    }

    /// Billable and unbilled time in the Month view.
    pub fn billable(self) -> Style {
        self.fg(Color::Green)
    }

    pub fn unbilled(self) -> Style {
        self.fg(Color::Yellow)
    }
}
