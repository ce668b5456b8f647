//! A page's content stream, written operator by operator.
//!
//! Every text item gets its own `BT /Fn size Tf x y Td (..) Tj ET`, so an
//! extractor sees exactly where each item starts; rules and shaded boxes are
//! `re f` / `m l S` paths. Coordinates are PDF points from the bottom-left.

use super::fonts::{Font, encode};

/// An RGB colour, components 0..=1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rgb(pub f64, pub f64, pub f64);

impl Rgb {
    /// Black.
    pub const BLACK: Rgb = Rgb(0.0, 0.0, 0.0);
    /// White.
    pub const WHITE: Rgb = Rgb(1.0, 1.0, 1.0);
    /// The grey of small print.
    pub const GREY: Rgb = Rgb(0.4, 0.4, 0.4);
    /// The grey of thin table rules.
    pub const RULE: Rgb = Rgb(0.75, 0.75, 0.75);
    /// A very light grey for shaded rows.
    pub const SHADE: Rgb = Rgb(0.94, 0.94, 0.94);
}

/// Text alignment relative to the x given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// x is the left edge.
    Left,
    /// x is the right edge.
    Right,
    /// x is the centre.
    Center,
}

/// A4 width in points.
pub const PAGE_W: f64 = 595.0;
/// A4 height in points.
pub const PAGE_H: f64 = 842.0;

/// One page's drawing operations.
#[derive(Debug, Clone, Default)]
pub struct Canvas {
    ops: Vec<u8>,
    fill: Option<(i64, i64, i64)>,
    ink: Option<Rgb>,
}

/// Formats a coordinate: at most two decimals, no trailing zeros.
fn n(v: f64) -> String {
    let s = format!("{:.2}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

fn key(c: Rgb) -> (i64, i64, i64) {
    let k = |v: f64| (v * 1000.0).round() as i64;
    (k(c.0), k(c.1), k(c.2))
}

impl Canvas {
    /// An empty page.
    pub fn new() -> Self {
        Canvas::default()
    }

    /// The content stream bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.ops
    }

    fn push(&mut self, s: &str) {
        self.ops.extend_from_slice(s.as_bytes());
    }

    fn set_fill(&mut self, c: Rgb) {
        if self.fill != Some(key(c)) {
            self.push(&format!("{} {} {} rg\n", n(c.0), n(c.1), n(c.2)));
            self.fill = Some(key(c));
        }
    }

    /// Sets the colour of the text drawn next (black until changed).
    pub fn ink(&mut self, c: Rgb) -> &mut Self {
        self.ink = Some(c);
        self
    }

    /// Draws `text` with its left edge, right edge or centre at `x`, baseline `y`.
    pub fn text_at(&mut self, font: Font, size: f64, x: f64, y: f64, align: Align, text: &str) {
        if text.is_empty() {
            return;
        }
        let w = font.width(text, size);
        let x0 = match align {
            Align::Left => x,
            Align::Right => x - w,
            Align::Center => x - w / 2.0,
        };
        self.set_fill(self.ink.unwrap_or(Rgb::BLACK));
        let mut op = format!(
            "BT /{} {} Tf {} {} Td (",
            font.resource(),
            n(size),
            n(x0),
            n(y)
        )
        .into_bytes();
        for b in encode(text) {
            match b {
                b'(' | b')' | b'\\' => op.extend_from_slice(&[b'\\', b]),
                0x20..=0x7E => op.push(b),
                _ => op.extend_from_slice(format!("\\{:03o}", b).as_bytes()),
            }
        }
        op.extend_from_slice(b") Tj ET\n");
        self.ops.extend_from_slice(&op);
    }

    /// Left-aligned text.
    pub fn text(&mut self, font: Font, size: f64, x: f64, y: f64, text: &str) {
        self.text_at(font, size, x, y, Align::Left, text);
    }

    /// Right-aligned text ending at `x`.
    pub fn right(&mut self, font: Font, size: f64, x: f64, y: f64, text: &str) {
        self.text_at(font, size, x, y, Align::Right, text);
    }

    /// Centred text.
    pub fn center(&mut self, font: Font, size: f64, x: f64, y: f64, text: &str) {
        self.text_at(font, size, x, y, Align::Center, text);
    }

    /// Left-aligned lines from `y` downwards; returns the baseline below the last.
    pub fn lines<S: AsRef<str>>(
        &mut self,
        font: Font,
        size: f64,
        x: f64,
        y: f64,
        leading: f64,
        lines: &[S],
    ) -> f64 {
        let mut y = y;
        for l in lines {
            self.text(font, size, x, y, l.as_ref());
            y -= leading;
        }
        y
    }

    /// A filled rectangle (`re f`).
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: Rgb) {
        self.set_fill(fill);
        self.push(&format!("{} {} {} {} re f\n", n(x), n(y), n(w), n(h)));
    }

    /// A stroked rectangle outline (`re S`).
    pub fn frame(&mut self, x: f64, y: f64, w: f64, h: f64, width: f64, stroke: Rgb) {
        self.push(&format!(
            "{} w {} {} {} RG {} {} {} {} re S\n",
            n(width),
            n(stroke.0),
            n(stroke.1),
            n(stroke.2),
            n(x),
            n(y),
            n(w),
            n(h)
        ));
    }

    /// A straight rule from (x1, y1) to (x2, y2).
    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, width: f64, stroke: Rgb) {
        self.push(&format!(
            "{} w {} {} {} RG {} {} m {} {} l S\n",
            n(width),
            n(stroke.0),
            n(stroke.1),
            n(stroke.2),
            n(x1),
            n(y1),
            n(x2),
            n(y2)
        ));
    }

    /// A horizontal rule.
    pub fn hline(&mut self, x1: f64, x2: f64, y: f64, width: f64, stroke: Rgb) {
        self.line(x1, y, x2, y, width, stroke);
    }

    /// DIN 5008 fold and punch marks on the left edge.
    pub fn fold_marks(&mut self) {
        for (y, len) in [
            (PAGE_H - 297.6, 8.0),
            (PAGE_H - 421.0, 12.0),
            (PAGE_H - 595.3, 8.0),
        ] {
            self.hline(10.0, 10.0 + len, y, 0.4, Rgb::GREY);
        }
    }
}

/// Splits `text` into lines no wider than `max` points.
pub fn wrap(text: &str, font: Font, size: f64, max: f64) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for word in text.split(' ') {
        let candidate = if current.is_empty() {
            word.to_string()
        } else {
            format!("{current} {word}")
        };
        if font.width(&candidate, size) > max && !current.is_empty() {
            out.push(std::mem::take(&mut current));
            current = word.to_string();
        } else {
            current = candidate;
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_right_aligned() {
        let mut c = Canvas::new();
        c.right(Font::Regular, 10.0, 100.0, 50.0, "(ä)");
        let s = String::from_utf8(c.into_bytes()).unwrap();
        // "(ä)": 333 + 556 + 333 = 1222 units -> 12.22 pt wide.
        assert!(
            s.contains("BT /F1 10 Tf 87.78 50 Td (\\(\\344\\)) Tj ET"),
            "{s}"
        );
    }

    #[test]
    fn wraps_at_word_boundaries() {
        let lines = wrap("aaa bbb ccc", Font::Regular, 10.0, 40.0);
        assert_eq!(lines, vec!["aaa bbb", "ccc"]);
    }
}
