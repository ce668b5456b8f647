//! Grouping glyphs into words and lines.
//!
//! Files rarely say where words and lines end: some draw every word separately
//! without blanks, some justify with character spacing, some draw two columns
//! in one text object. So lines come from baseline proximity and words from the
//! horizontal gap between one glyph's advance and the next glyph, measured in
//! font sizes; explicit blanks always break a word.

use docket_domain::BoundingBox;

use super::collect::{Glyph, RawPage};
use super::{PageText, TextLine, Word};

/// A gap wider than this share of the font size separates two words.
const WORD_GAP: f32 = 0.2;
/// Baselines closer than this share of the font size are the same line.
const SAME_LINE: f32 = 0.3;
/// A line's baselines may spread over at most this share of the font size.
const LINE_SPREAD: f32 = 0.5;
/// Ascent and descent as shares of the font size, for word boxes.
const ASCENT: f32 = 0.8;
const DESCENT: f32 = 0.2;

/// Builds the page model from the glyphs of one page.
pub(super) fn build_page(number: u32, raw: RawPage) -> PageText {
    let mut glyphs = raw.glyphs;
    glyphs.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x.total_cmp(&b.x)));
    let mut lines: Vec<(f32, TextLine)> = Vec::new();
    let mut current: Vec<Glyph> = Vec::new();
    let (mut top, mut last) = (f32::NAN, f32::NAN);
    for g in glyphs {
        let size = g.size.max(current.last().map_or(0.0, |c| c.size));
        let joins = !current.is_empty()
            && (last - g.y).abs() <= SAME_LINE * size
            && (top - g.y).abs() <= LINE_SPREAD * size;
        if !joins {
            flush_line(&mut current, &mut lines);
            top = g.y;
        }
        last = g.y;
        current.push(g);
    }
    flush_line(&mut current, &mut lines);
    lines.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then(a.1.bbox.x0.total_cmp(&b.1.bbox.x0))
    });
    PageText {
        number,
        width: raw.width,
        height: raw.height,
        lines: lines.into_iter().map(|(_, l)| l).collect(),
    }
}

/// Builds the page model from whole words with boxes (y up), as another
/// reader (pdftotext) gives them: each word becomes one glyph whose size and
/// baseline reproduce its box, followed by a blank so that it stays a word of
/// its own; lines and reading order then come from the same grouping as ours.
pub(super) fn build_page_from_words(
    number: u32,
    width: f32,
    height: f32,
    words: Vec<Word>,
) -> PageText {
    let mut glyphs = Vec::with_capacity(words.len() * 2);
    for word in words {
        let size = word.size();
        let glyph = Glyph {
            x: word.bbox.x0,
            y: word.bbox.y0 + DESCENT * size,
            end: word.bbox.x1,
            size,
            blank: false,
            seq: glyphs.len(),
            text: word.text,
        };
        let blank = Glyph {
            text: " ".to_string(),
            x: glyph.end,
            y: glyph.y,
            end: glyph.end,
            size,
            blank: true,
            seq: glyph.seq + 1,
        };
        glyphs.extend([glyph, blank]);
    }
    build_page(
        number,
        RawPage {
            width,
            height,
            glyphs,
        },
    )
}

fn flush_line(glyphs: &mut Vec<Glyph>, lines: &mut Vec<(f32, TextLine)>) {
    if glyphs.is_empty() {
        return;
    }
    let mut line_glyphs = std::mem::take(glyphs);
    let baseline = median(line_glyphs.iter().map(|g| g.y).collect());
    // Runs in drawing order keep a word whole even when its glyphs overlap
    // others (wrong widths, a blank drawn over the next glyph); the runs are
    // then put in left-to-right order.
    line_glyphs.sort_by_key(|g| g.seq);
    let mut runs: Vec<Vec<Glyph>> = Vec::new();
    for g in line_glyphs {
        match runs.last_mut() {
            Some(run)
                if run
                    .last()
                    .is_some_and(|p| g.x >= p.x - 0.5 * p.size.max(g.size)) =>
            {
                run.push(g)
            }
            _ => runs.push(vec![g]),
        }
    }
    let start = |run: &Vec<Glyph>| {
        run.iter()
            .filter(|g| !g.blank)
            .map(|g| g.x)
            .fold(f32::INFINITY, f32::min)
    };
    runs.sort_by(|a, b| start(a).total_cmp(&start(b)));
    let words = words(&runs);
    if let Some(line) = TextLine::from_words(words) {
        lines.push((baseline, line));
    }
}

fn words(runs: &[Vec<Glyph>]) -> Vec<Word> {
    let mut out = Vec::new();
    let mut word: Vec<&Glyph> = Vec::new();
    for run in runs {
        for (i, g) in run.iter().enumerate() {
            if g.blank {
                push_word(&mut word, &mut out);
                continue;
            }
            if let Some(prev) = word.last() {
                let size = prev.size.max(g.size);
                let gap = g.x - prev.end;
                // A new run that starts inside the previous word is another word.
                if gap > WORD_GAP * size || (i == 0 && gap < -0.3 * size) {
                    push_word(&mut word, &mut out);
                }
            }
            word.push(g);
        }
    }
    push_word(&mut word, &mut out);
    out
}

fn push_word(glyphs: &mut Vec<&Glyph>, out: &mut Vec<Word>) {
    if glyphs.is_empty() {
        return;
    }
    let text: String = glyphs.iter().map(|g| g.text.as_str()).collect();
    let size = glyphs.iter().map(|g| g.size).fold(0.0, f32::max);
    let baseline = median(glyphs.iter().map(|g| g.y).collect());
    let x0 = glyphs.iter().map(|g| g.x).fold(f32::INFINITY, f32::min);
    let x1 = glyphs
        .iter()
        .map(|g| g.end)
        .fold(f32::NEG_INFINITY, f32::max);
    out.push(Word {
        text,
        bbox: BoundingBox {
            x0,
            y0: baseline - DESCENT * size,
            x1: x1.max(x0),
            y1: baseline + ASCENT * size,
        },
    });
    glyphs.clear();
}

fn median(mut values: Vec<f32>) -> f32 {
    values.sort_by(f32::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Glyphs for a string at (x, y), 10 pt, 5 pt advance each.
    fn run(text: &str, x: f32, y: f32) -> Vec<Glyph> {
        text.chars()
            .enumerate()
            .map(|(i, c)| {
                let gx = x + 5.0 * i as f32;
                Glyph {
                    text: c.to_string(),
                    x: gx,
                    y,
                    end: gx + 5.0,
                    size: 10.0,
                    blank: c == ' ',
                    seq: 0,
                }
            })
            .collect()
    }

    fn page(mut glyphs: Vec<Glyph>) -> PageText {
        for (i, g) in glyphs.iter_mut().enumerate() {
            g.seq = i;
        }
        build_page(
            1,
            RawPage {
                width: 600.0,
                height: 800.0,
                glyphs,
            },
        )
    }

    #[test]
    fn blanks_and_gaps_split_words_and_baselines_split_lines() {
        let mut glyphs = run("Total", 300.0, 100.0);
        glyphs.extend(run("EUR 12,00", 400.0, 100.5));
        glyphs.extend(run("Invoice no", 50.0, 700.0));
        let p = page(glyphs);
        let texts: Vec<_> = p.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["Invoice no", "Total EUR 12,00"]);
        assert_eq!(p.lines[1].words.len(), 3);
        assert_eq!(p.lines[1].words[1].bbox.x0, 400.0);
    }

    #[test]
    fn glyphs_drawn_out_of_order_are_read_left_to_right() {
        let mut glyphs = run("456", 200.0, 100.0);
        glyphs.extend(run("123", 100.0, 100.0));
        glyphs.extend(run("ab", 115.0, 100.0));
        let p = page(glyphs);
        assert_eq!(p.lines.len(), 1);
        assert_eq!(p.lines[0].text, "123ab 456");
    }

    #[test]
    fn a_blank_drawn_over_the_next_glyph_still_separates_and_overlapping_runs_stay_apart() {
        let mut glyphs = run("Nr.", 100.0, 100.0);
        glyphs.push(Glyph {
            text: " ".into(),
            x: 130.01,
            y: 100.0,
            end: 135.0,
            size: 10.0,
            blank: true,
            seq: 0,
        });
        glyphs.extend(run("471102", 130.0, 100.0));
        // A second run drawn over the end of the first (wrong widths).
        glyphs.extend(run("Privathaftpflicht", 300.0, 100.0));
        glyphs.extend(run("59,50", 330.0, 100.0));
        let p = page(glyphs);
        assert_eq!(p.lines[0].text, "Nr. 471102 Privathaftpflicht 59,50");
    }
}
