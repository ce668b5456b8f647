//! A value read from the page with what supports it, before it becomes a
//! [`Field`]: kept apart so that candidates can be compared (by label
//! specificity and position) and their confidence adjusted by later checks.

use docket_domain::{BoundingBox, Evidence, ExtractorKind, Field};

use super::pairing::{Placement, Region};
use super::view::View;

/// Confidence of a value next to a specific label.
pub const LABELLED: f32 = 0.88;
/// Confidence of a value below a specific label.
pub const LABELLED_BELOW: f32 = 0.82;
/// Confidence of a value next to a generic label ("Datum", "Total").
pub const GENERIC: f32 = 0.78;
/// Confidence of a value confirmed by arithmetic.
pub const CHECKED: f32 = 0.95;
/// Confidence of a value guessed from its position only (below review threshold).
pub const POSITIONAL: f32 = 0.6;

/// A candidate value.
#[derive(Debug, Clone, PartialEq)]
pub struct Found<T> {
    /// The value.
    pub value: T,
    /// 1-based page.
    pub page: u32,
    /// Where the value stands.
    pub bbox: BoundingBox,
    /// The label and value text as printed.
    pub source: String,
    /// How sure the reading is.
    pub confidence: f32,
    /// Specificity of the label (higher wins).
    pub priority: u8,
    /// The view line it came from (reading order).
    pub line: usize,
    /// Why a person should look although the value is printed (e.g. check
    /// digits that fail); it becomes the evidence's locator, which layout
    /// evidence does not otherwise use.
    pub note: Option<&'static str>,
}

impl<T> Found<T> {
    /// A candidate for a value read from a region next to a label.
    pub fn at(
        view: &View,
        label_line: usize,
        label: (usize, usize),
        region: &Region,
        value: T,
        priority: u8,
    ) -> Self {
        let l = &view.lines[region.line];
        let label_text = view.lines[label_line].text_of(label.0, label.1);
        let value_text = l.text_of(region.start, region.end);
        let confidence = match (priority, region.placement) {
            (0..=1, _) => GENERIC - 0.03,
            (2, _) => GENERIC,
            (_, Placement::Right) => LABELLED,
            (_, Placement::Below) => LABELLED_BELOW,
        };
        Found {
            value,
            page: l.page,
            bbox: l.bbox_of(region.start, region.end),
            source: format!("{label_text} {value_text}").trim().to_string(),
            confidence,
            priority,
            line: region.line,
            note: None,
        }
    }

    /// A candidate for words `start..end` of a line, without a label.
    pub fn words(
        view: &View,
        line: usize,
        start: usize,
        end: usize,
        value: T,
        confidence: f32,
    ) -> Self {
        let l = &view.lines[line];
        Found {
            value,
            page: l.page,
            bbox: l.bbox_of(start, end),
            source: l.text_of(start, end),
            confidence,
            priority: 0,
            line,
            note: None,
        }
    }

    /// The same candidate with another value.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Found<U> {
        Found {
            value: f(self.value),
            page: self.page,
            bbox: self.bbox,
            source: self.source,
            confidence: self.confidence,
            priority: self.priority,
            line: self.line,
            note: self.note,
        }
    }

    /// The domain field, with layout evidence.
    pub fn into_field(self) -> Field<T> {
        let mut evidence = Evidence::page_text(
            ExtractorKind::Layout,
            self.page,
            Some(self.bbox),
            &self.source,
        );
        evidence.locator = self.note.map(str::to_string);
        Field::new(self.value, evidence)
            .with_confidence(docket_domain::Confidence::new(self.confidence))
    }
}

/// The best candidate: most specific label first, then earliest (or latest).
pub fn best<T: Clone>(candidates: &[Found<T>], prefer_late: bool) -> Option<Found<T>> {
    candidates
        .iter()
        .max_by(|a, b| {
            a.priority.cmp(&b.priority).then_with(|| {
                if prefer_late {
                    a.line.cmp(&b.line)
                } else {
                    b.line.cmp(&a.line)
                }
            })
        })
        .cloned()
}
