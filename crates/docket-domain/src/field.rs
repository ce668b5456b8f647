//! Extracted fields: a value, the evidence it came from, and a confidence.
//!
//! Invariant 4 of the design ("unsure means a person looks") starts here: a value
//! that no evidence supports is absent (`None`), never guessed, and a value read
//! from weak evidence carries a low confidence that matching turns into review.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Which extractor produced a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExtractorKind {
    /// UN/CEFACT Cross Industry Invoice (ZUGFeRD 2, Factur-X, XRechnung CII).
    Cii,
    /// ZUGFeRD 1.0 (the older CII-based cross-industry document).
    Zugferd1,
    /// OASIS UBL 2.1 Invoice or CreditNote (Peppol BIS 3, XRechnung UBL).
    Ubl,
    /// The deterministic label-and-position extractor over PDF text.
    Layout,
    /// A large language model over an OpenAI-compatible API.
    Llm,
    /// A person in the review UI.
    Manual,
    /// Derived by Docket from other fields (e.g. a total computed from lines).
    Derived,
}

impl ExtractorKind {
    /// The prior confidence of a value read by this extractor, before any check.
    ///
    /// Structured XML is exact by construction; text layout and LLM reads are not.
    pub fn base_confidence(self) -> Confidence {
        Confidence::new(match self {
            ExtractorKind::Cii | ExtractorKind::Zugferd1 | ExtractorKind::Ubl => 0.99,
            ExtractorKind::Manual => 1.0,
            ExtractorKind::Layout => 0.8,
            ExtractorKind::Llm => 0.6,
            ExtractorKind::Derived => 0.9,
        })
    }
}

/// A rectangle on a PDF page, in PDF points from the bottom-left corner.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BoundingBox {
    /// Left edge.
    pub x0: f32,
    /// Bottom edge.
    pub y0: f32,
    /// Right edge.
    pub x1: f32,
    /// Top edge.
    pub y1: f32,
}

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Evidence {
    /// The extractor that read the value.
    pub extractor: ExtractorKind,
    /// The 1-based page, for values read from a PDF page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// The box on that page, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bbox: Option<BoundingBox>,
    /// The text the value was read from, as it stood in the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_text: Option<String>,
    /// A locator inside a structured source, e.g. the XML element path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locator: Option<String>,
}

impl Evidence {
    /// Evidence from a structured (XML) source at the given element path.
    pub fn xml(extractor: ExtractorKind, locator: impl Into<String>, text: &str) -> Self {
        Evidence {
            extractor,
            page: None,
            bbox: None,
            source_text: Some(text.to_string()),
            locator: Some(locator.into()),
        }
    }

    /// Evidence from text on a PDF page.
    pub fn page_text(
        extractor: ExtractorKind,
        page: u32,
        bbox: Option<BoundingBox>,
        text: &str,
    ) -> Self {
        Evidence {
            extractor,
            page: Some(page),
            bbox,
            source_text: Some(text.to_string()),
            locator: None,
        }
    }
}

/// How sure Docket is of a value, from 0 (no idea) to 1 (certain).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct Confidence(f32);

impl Confidence {
    /// Below this, a value is treated as unsure and sends the document to review.
    pub const REVIEW_THRESHOLD: Confidence = Confidence(0.7);

    /// Builds a confidence, clamped into [0, 1] (NaN becomes 0).
    pub fn new(value: f32) -> Self {
        if value.is_nan() {
            Confidence(0.0)
        } else {
            Confidence(value.clamp(0.0, 1.0))
        }
    }

    /// The numeric value in [0, 1].
    pub fn value(self) -> f32 {
        self.0
    }

    /// Whether the value may be used without a person checking it.
    pub fn is_sure(self) -> bool {
        self >= Self::REVIEW_THRESHOLD
    }
}

/// One extracted value with its evidence and confidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Field<T> {
    /// The value as Docket understood it (normalised: dates as dates, amounts as decimals).
    pub value: T,
    /// How sure Docket is of the value.
    pub confidence: Confidence,
    /// Where the value came from.
    pub evidence: Evidence,
}

impl<T> Field<T> {
    /// A field with the extractor's base confidence.
    pub fn new(value: T, evidence: Evidence) -> Self {
        let confidence = evidence.extractor.base_confidence();
        Field {
            value,
            confidence,
            evidence,
        }
    }

    /// The same field with another confidence.
    pub fn with_confidence(mut self, confidence: Confidence) -> Self {
        self.confidence = confidence;
        self
    }

    /// Maps the value, keeping evidence and confidence.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Field<U> {
        Field {
            value: f(self.value),
            confidence: self.confidence,
            evidence: self.evidence,
        }
    }
}

/// The value of an optional field, by reference.
pub fn value_of<T>(field: &Option<Field<T>>) -> Option<&T> {
    field.as_ref().map(|f| &f.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confidence_is_clamped() {
        assert_eq!(Confidence::new(1.5).value(), 1.0);
        assert_eq!(Confidence::new(-1.0).value(), 0.0);
        assert_eq!(Confidence::new(f32::NAN).value(), 0.0);
        assert!(!Confidence::new(0.5).is_sure());
        assert!(Confidence::new(0.95).is_sure());
    }

    #[test]
    fn xml_evidence_is_surer_than_layout() {
        assert!(ExtractorKind::Cii.base_confidence() > ExtractorKind::Layout.base_confidence());
    }
}
