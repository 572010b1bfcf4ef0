//! Colours that carry meaning (verdicts, lateness), and their plain fallbacks for `NO_COLOR`.

use ratatui::style::{Color, Modifier, Style};

use crate::domain::Verdict;

/// A colour per role; `[theme]` in the config replaces any of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    pub healthy: Color,
    pub watch: Color,
    pub talk: Color,
    pub end: Color,
    pub late: Color,
    pub soon: Color,
    pub dim: Color,
    pub focus: Color,
    pub error: Color,
    pub ok: Color,
    pub timer: Color,
    pub billable: Color,
    pub unbilled: Color,
}

impl Default for Palette {
    fn default() -> Self {
        Palette {
            healthy: Color::Green,
            watch: Color::Yellow,
            talk: Color::LightRed,
            end: Color::Red,
            late: Color::Red,
            soon: Color::Yellow,
            dim: Color::DarkGray,
            focus: Color::Cyan,
            error: Color::Red,
            ok: Color::Green,
            timer: Color::Magenta,
            billable: Color::Green,
            unbilled: Color::Yellow,
        }
    }
}

impl Palette {
    /// The roles, as named in `[theme]`.
    pub const ROLES: &'static [&'static str] = &[
        "healthy", "watch", "talk", "end", "late", "soon", "dim", "focus", "error", "ok", "timer", "billable",
        "unbilled",
    ];

    pub fn role_mut(&mut self, name: &str) -> Option<&mut Color> {
        Some(match name {
            "healthy" => &mut self.healthy,
            "watch" => &mut self.watch,
            "talk" => &mut self.talk,
            "end" => &mut self.end,
            "late" => &mut self.late,
            "soon" => &mut self.soon,
            "dim" => &mut self.dim,
            "focus" => &mut self.focus,
            "error" => &mut self.error,
            "ok" => &mut self.ok,
            "timer" => &mut self.timer,
            "billable" => &mut self.billable,
            "unbilled" => &mut self.unbilled,
            _ => return None,
        })
    }
}

/// A colour name: `red`, `light_blue`, `dark_gray`, `#rrggbb`, `indexed(123)`, `reset`.
pub fn parse_color(name: &str) -> Option<Color> {
    let n = name.trim().to_ascii_lowercase().replace(['-', ' '], "_");
    if let Some(hex) = n.strip_prefix('#') {
        if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let v = u32::from_str_radix(hex, 16).ok()?;
        return Some(Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8));
    }
    if let Some(i) = n.strip_prefix("indexed(").and_then(|r| r.strip_suffix(')')) {
        return i.trim().parse::<u8>().ok().map(Color::Indexed);
    }
    Some(match n.as_str() {
        "reset" | "default" => Color::Reset,
        "black" => Color::Black,
        "red" => Color::Red,
        "green" => Color::Green,
        "yellow" => Color::Yellow,
        "blue" => Color::Blue,
        "magenta" => Color::Magenta,
        "cyan" => Color::Cyan,
        "gray" | "grey" => Color::Gray,
        "dark_gray" | "dark_grey" => Color::DarkGray,
        "light_red" => Color::LightRed,
        "light_green" => Color::LightGreen,
        "light_yellow" => Color::LightYellow,
        "light_blue" => Color::LightBlue,
        "light_magenta" => Color::LightMagenta,
        "light_cyan" => Color::LightCyan,
        "white" => Color::White,
        _ => return None,
    })
}

/// Colours on, with their palette, or off (`NO_COLOR`): off wins over any palette.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Colors(pub Option<Palette>);

impl Colors {
    pub fn on(self) -> bool {
        self.0.is_some()
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: Colors,
}

impl Theme {
    fn fg(self, pick: fn(&Palette) -> Color) -> Style {
        match self.color.0 {
            Some(p) => Style::new().fg(pick(&p)),
            None => Style::new(),
        }
    }

    pub fn verdict(self, v: Verdict) -> Style {
        match v.severity() {
            0 => self.fg(|p| p.healthy),
            1 => self.fg(|p| p.watch),
            2 => self.fg(|p| p.talk),
            _ => self.fg(|p| p.end).add_modifier(Modifier::BOLD),
        }
    }

    /// Something past its date.
    pub fn late(self) -> Style {
        if self.color.on() {
            self.fg(|p| p.late)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        }
    }

    pub fn soon(self) -> Style {
        self.fg(|p| p.soon)
    }

    pub fn dim(self) -> Style {
        if self.color.on() {
            self.fg(|p| p.dim)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn focused_border(self) -> Style {
        if self.color.on() {
            self.fg(|p| p.focus)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        }
    }

    pub fn heading(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn error(self) -> Style {
        if self.color.on() {
            self.fg(|p| p.error).add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        }
    }

    pub fn ok(self) -> Style {
        self.fg(|p| p.ok)
    }

    /// The running timer in the status bar.
    pub fn timer(self) -> Style {
        self.fg(|p| p.timer).add_modifier(Modifier::BOLD)
    }

    /// Billable and unbilled time in the Month view.
    pub fn billable(self) -> Style {
        self.fg(|p| p.billable)
    }

    pub fn unbilled(self) -> Style {
        self.fg(|p| p.unbilled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_names() {
        assert_eq!(parse_color("red"), Some(Color::Red));
        assert_eq!(parse_color("light_blue"), Some(Color::LightBlue));
        assert_eq!(parse_color("#ff8800"), Some(Color::Rgb(255, 136, 0)));
        assert_eq!(parse_color("indexed(123)"), Some(Color::Indexed(123)));
        for bad in ["", "reddish", "#ff88", "#gg0000", "indexed(256)", "indexed()"] {
            assert_eq!(parse_color(bad), None, "{bad}");
        }
        let mut p = Palette::default();
        for r in Palette::ROLES {
            assert!(p.role_mut(r).is_some(), "{r}");
        }
    }
}
