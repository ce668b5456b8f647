//! The `OutputDev` that records glyphs with their positions in page space.
//!
//! `pdf_extract` passes the text rendering matrix without the font size (it
//! gives the size separately), so a glyph's origin is the matrix translation,
//! its height is the font size scaled by the matrix's y vector and its advance
//! the glyph width scaled by the x vector. Matrices from real files can be
//! rotated, mirrored, degenerate or not finite: anything unusable is dropped
//! rather than guessed.

use pdf_extract::{MediaBox, OutputDev, OutputError, Transform};

/// Glyphs kept per page; a bound on memory for hostile content streams.
const MAX_GLYPHS_PER_PAGE: usize = 200_000;
/// Smaller text is invisible in print (or a hidden layer) and only adds noise.
const MIN_SIZE: f32 = 1.0;
const MAX_SIZE: f32 = 500.0;

/// One glyph in the page's reading frame (text running left to right).
#[derive(Debug, Clone)]
pub(super) struct Glyph {
    /// The characters (usually one; ligatures are expanded).
    pub text: String,
    /// Origin x on the baseline.
    pub x: f32,
    /// Baseline y, from the bottom.
    pub y: f32,
    /// x where the glyph's advance ends.
    pub end: f32,
    /// Font size in page units.
    pub size: f32,
    /// Whether this is a blank (a word break the file states explicitly).
    pub blank: bool,
    /// Drawing order on the page.
    pub seq: usize,
}

/// The glyphs of one page, turned to its dominant text direction.
#[derive(Debug)]
pub(super) struct RawPage {
    pub width: f32,
    pub height: f32,
    pub glyphs: Vec<Glyph>,
}

/// A glyph as drawn, before the page is turned to its reading frame.
#[derive(Debug, Clone)]
struct Drawn {
    text: String,
    x: f32,
    y: f32,
    advance: f32,
    size: f32,
    /// Quarter turns of the text direction, counter-clockwise (0 = upright).
    turns: u8,
    blank: bool,
    /// Whether the font gave the glyph's width (else the advance is estimated).
    measured: bool,
}

/// Where a run of glyphs without widths stands: pdf-extract does not advance
/// the text position when a font lacks widths, so every glyph of a string
/// arrives at the string's origin and has to be laid out by estimate.
#[derive(Debug, Clone, Copy)]
struct Unmeasured {
    origin: (f32, f32),
    offset: f32,
}

/// Records the glyphs of one page.
#[derive(Debug, Default)]
pub(super) struct Collector {
    origin: (f32, f32),
    size: (f32, f32),
    started: bool,
    drawn: Vec<Drawn>,
    unmeasured: Option<Unmeasured>,
}

impl Collector {
    /// The page's glyphs in reading frame; `None` when nothing was drawn.
    pub fn finish(self) -> Option<RawPage> {
        if self.drawn.is_empty() {
            return None;
        }
        let mut per_turn = [0usize; 4];
        for d in self.drawn.iter().filter(|d| !d.blank) {
            per_turn[usize::from(d.turns)] += 1;
        }
        let turns = (0..4u8)
            .max_by_key(|&t| (per_turn[usize::from(t)], std::cmp::Reverse(t)))
            .unwrap_or(0);
        let (w, h) = self.size;
        let (width, height) = if turns % 2 == 1 { (h, w) } else { (w, h) };
        let glyphs = self
            .drawn
            .into_iter()
            .enumerate()
            .filter(|(_, d)| d.turns == turns)
            .map(|(seq, d)| {
                let (x, y) = turn(d.x, d.y, turns, w, h);
                Glyph {
                    end: x + d.advance,
                    text: d.text,
                    x,
                    y,
                    size: d.size,
                    blank: d.blank,
                    seq,
                }
            })
            .collect();
        Some(RawPage {
            width,
            height,
            glyphs,
        })
    }

    fn push(&mut self, glyph: Drawn) {
        if self.drawn.len() >= MAX_GLYPHS_PER_PAGE {
            return;
        }
        // Fake bold draws the same glyph twice a hair apart; keep one.
        let duplicate = glyph.measured
            && self.drawn.iter().rev().take(4).any(|d| {
                d.measured
                    && d.text == glyph.text
                    && d.turns == glyph.turns
                    && (d.x - glyph.x).abs() < 0.1 * glyph.size.max(1.0)
                    && (d.y - glyph.y).abs() < 0.1 * glyph.size.max(1.0)
            });
        if !duplicate {
            self.drawn.push(glyph);
        }
    }
}

/// Coordinates in the frame where text of `turns` quarter turns reads left to right.
fn turn(x: f32, y: f32, turns: u8, w: f32, h: f32) -> (f32, f32) {
    match turns {
        1 => (y, w - x),
        2 => (w - x, h - y),
        3 => (h - y, x),
        _ => (x, y),
    }
}

/// The quarter turns of a direction vector, `None` for skewed text.
fn quarter_turns(dx: f32, dy: f32) -> Option<u8> {
    let angle = dy.atan2(dx).to_degrees();
    let quarters = (angle / 90.0).round();
    if (angle - quarters * 90.0).abs() > 10.0 {
        return None;
    }
    Some(quarters.rem_euclid(4.0) as u8)
}

/// Text as it should be read: ligatures spelled out, control characters dropped.
pub(super) fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\u{FB00}' => out.push_str("ff"),
            '\u{FB01}' => out.push_str("fi"),
            '\u{FB02}' => out.push_str("fl"),
            '\u{FB03}' => out.push_str("ffi"),
            '\u{FB04}' => out.push_str("ffl"),
            '\u{FB05}' | '\u{FB06}' => out.push_str("st"),
            '\u{00A0}' | '\u{2007}' | '\u{202F}' | '\u{2009}' | '\t' => out.push(' '),
            '\u{00AD}' | '\u{FEFF}' | '\u{200B}' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn finite(values: &[f64]) -> bool {
    values.iter().all(|v| v.is_finite())
}

impl OutputDev for Collector {
    fn begin_page(
        &mut self,
        _page_num: u32,
        media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        let b = [media_box.llx, media_box.lly, media_box.urx, media_box.ury];
        let (x0, y0, x1, y1) = if finite(&b) {
            (
                b[0].min(b[2]),
                b[1].min(b[3]),
                b[0].max(b[2]),
                b[1].max(b[3]),
            )
        } else {
            (0.0, 0.0, 612.0, 792.0)
        };
        let (mut w, mut h) = ((x1 - x0) as f32, (y1 - y0) as f32);
        // A degenerate or absurd media box says nothing; assume a usual sheet.
        if !(10.0..=20_000.0).contains(&w) || !(10.0..=20_000.0).contains(&h) {
            (w, h) = (612.0, 792.0);
        }
        self.origin = (x0 as f32, y0 as f32);
        self.size = (w, h);
        self.started = true;
        self.drawn.clear();
        self.unmeasured = None;
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        char: &str,
    ) -> Result<(), OutputError> {
        if !self.started {
            return Ok(());
        }
        let m = [trm.m11, trm.m12, trm.m21, trm.m22, trm.m31, trm.m32];
        if !finite(&m) || !font_size.is_finite() || !width.is_finite() {
            return Ok(());
        }
        let Some(turns) = quarter_turns(trm.m11 as f32, trm.m12 as f32) else {
            return Ok(());
        };
        let size = (font_size.abs() * trm.m21.hypot(trm.m22)) as f32;
        if !(MIN_SIZE..=MAX_SIZE).contains(&size) {
            return Ok(());
        }
        let text = clean(char);
        if text.is_empty() {
            return Ok(());
        }
        let mut x = trm.m31 as f32 - self.origin.0;
        let mut y = trm.m32 as f32 - self.origin.1;
        let (w, h) = self.size;
        // Text outside the media box is not on the printed page.
        let margin = size;
        if x < -margin || y < -margin || x > w + margin || y > h + margin {
            return Ok(());
        }
        let chars = text.chars().count() as f32;
        let scale_x = (font_size.abs() * trm.m11.hypot(trm.m12)) as f32;
        let mut advance = (width.abs() as f32) * scale_x;
        let measured = (0.05 * size..=3.0 * size * chars).contains(&advance);
        if measured {
            self.unmeasured = None;
        } else {
            // Fonts with missing widths report 0 (or nonsense); a little over
            // half an em is a fair stand-in that keeps word gaps measurable.
            advance = 0.55 * size * chars;
            let (dx, dy) = {
                let len = trm.m11.hypot(trm.m12).max(1e-9);
                ((trm.m11 / len) as f32, (trm.m12 / len) as f32)
            };
            let offset = match self.unmeasured {
                Some(u) if (u.origin.0 - x).abs() < 0.01 && (u.origin.1 - y).abs() < 0.01 => {
                    u.offset
                }
                _ => 0.0,
            };
            self.unmeasured = Some(Unmeasured {
                origin: (x, y),
                offset: offset + advance,
            });
            x += dx * offset;
            y += dy * offset;
        }
        let blank = text.trim().is_empty();
        self.push(Drawn {
            text: if blank { " ".into() } else { text },
            x,
            y,
            advance,
            size,
            turns,
            blank,
            measured,
        });
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn media() -> MediaBox {
        MediaBox {
            llx: 0.0,
            lly: 0.0,
            urx: 600.0,
            ury: 800.0,
        }
    }

    fn draw(c: &mut Collector, m: [f64; 6], text: &str) {
        let trm = Transform::row_major(m[0], m[1], m[2], m[3], m[4], m[5]);
        c.output_character(&trm, 0.5, 0.0, 10.0, text)
            .expect("output");
    }

    #[test]
    fn upright_glyphs_keep_page_coordinates() {
        let mut c = Collector::default();
        c.begin_page(1, &media(), None).expect("page");
        draw(&mut c, [1.0, 0.0, 0.0, 1.0, 100.0, 700.0], "A");
        let page = c.finish().expect("glyphs");
        assert_eq!(page.glyphs.len(), 1);
        let g = &page.glyphs[0];
        assert_eq!((g.x, g.y, g.size), (100.0, 700.0, 10.0));
        assert!((g.end - 105.0).abs() < 1e-3);
    }

    #[test]
    fn sideways_page_is_turned_to_read_left_to_right() {
        let mut c = Collector::default();
        c.begin_page(1, &media(), None).expect("page");
        // Text running upwards (90 degrees): two glyphs along y.
        draw(&mut c, [0.0, 1.0, -1.0, 0.0, 100.0, 100.0], "A");
        draw(&mut c, [0.0, 1.0, -1.0, 0.0, 100.0, 105.0], "B");
        let page = c.finish().expect("glyphs");
        assert_eq!((page.width, page.height), (800.0, 600.0));
        assert!(page.glyphs[0].x < page.glyphs[1].x);
        assert_eq!(page.glyphs[0].y, page.glyphs[1].y);
    }

    #[test]
    fn unusable_matrices_and_duplicates_are_dropped() {
        let mut c = Collector::default();
        c.begin_page(1, &media(), None).expect("page");
        draw(&mut c, [f64::NAN, 0.0, 0.0, 1.0, 1.0, 1.0], "X");
        draw(&mut c, [0.7, 0.7, -0.7, 0.7, 100.0, 100.0], "Y");
        draw(&mut c, [1.0, 0.0, 0.0, 1.0, 5000.0, 100.0], "Z");
        draw(&mut c, [1.0, 0.0, 0.0, 1.0, 100.0, 100.0], "B");
        draw(&mut c, [1.0, 0.0, 0.0, 1.0, 100.3, 100.0], "B");
        draw(&mut c, [1.0, 0.0, 0.0, 1.0, 110.0, 100.0], "\u{FB01}");
        let page = c.finish().expect("glyphs");
        let texts: Vec<_> = page.glyphs.iter().map(|g| g.text.as_str()).collect();
        assert_eq!(texts, ["B", "fi"]);
    }

    #[test]
    fn glyphs_of_fonts_without_widths_are_laid_out_by_estimate() {
        let mut c = Collector::default();
        c.begin_page(1, &media(), None).expect("page");
        let trm = Transform::row_major(1.0, 0.0, 0.0, 1.0, 100.0, 100.0);
        for ch in ["n", "n", "e"] {
            c.output_character(&trm, 0.0, 0.0, 10.0, ch)
                .expect("output");
        }
        let page = c.finish().expect("glyphs");
        let xs: Vec<f32> = page.glyphs.iter().map(|g| g.x).collect();
        assert_eq!(xs, [100.0, 105.5, 111.0]);
    }
}
