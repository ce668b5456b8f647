//! Combining the deterministic reading of a document with the LLM's.
//!
//! The layout extractor's values come with positions on the page and stay
//! first. The LLM's reading (already grounded, see [`crate::convert`]) is a
//! second opinion:
//!
//! - where the layout extractor found nothing, the LLM's value fills the gap
//!   with its own (lower) confidence, so a person confirms it;
//! - where both found the same value, nothing changes;
//! - where they disagree, the layout value stays but drops below the review
//!   threshold, with a note naming what the model read: two readers that
//!   disagree mean Docket is unsure, and unsure means a person looks.
//!
//! The notes of the LLM's reading (values it claimed without support in the
//! text, instructions to a language model found in the text) are kept on the
//! document for the reviewer.

use docket_domain::{BusinessDocument, Confidence, Field};

/// The confidence a value keeps when the LLM read something else.
pub const DISPUTED: f32 = 0.4;

/// What the second opinion changed, for the extraction's method and logs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MergeReport {
    /// Fields the LLM filled where the layout extractor found nothing.
    pub filled: Vec<&'static str>,
    /// Fields where both readers agreed.
    pub agreed: Vec<&'static str>,
    /// Fields where they disagreed (now below the review threshold).
    pub disputed: Vec<&'static str>,
}

impl MergeReport {
    /// A one-line summary, e.g. `LLM: 5 agreed, 1 filled, 0 disputed`.
    pub fn summary(&self) -> String {
        format!(
            "LLM: {} agreed, {} filled, {} disputed",
            self.agreed.len(),
            self.filled.len(),
            self.disputed.len()
        )
    }
}

/// Merges the LLM's reading `llm` into `primary` (see the module docs).
pub fn merge(primary: &mut BusinessDocument, mut llm: BusinessDocument) -> MergeReport {
    let mut report = MergeReport::default();
    let mut llm_seller = llm.seller;
    let mut notes = std::mem::take(&mut llm.header.notes);
    let (r, n) = (&mut report, &mut notes);
    let (h, l) = (&mut primary.header, llm.header);
    combine("number", &mut h.number, l.number, r, n);
    combine("issue date", &mut h.issue_date, l.issue_date, r, n);
    combine("currency", &mut h.currency, l.currency, r, n);
    let (p, lp) = (&mut primary.payment, llm.payment);
    combine("due date", &mut p.due_date, lp.due_date, r, n);
    let (s, ls) = (&mut primary.seller, &mut llm_seller);
    combine("seller name", &mut s.name, ls.name.take(), r, n);
    combine("seller VAT id", &mut s.vat_id, ls.vat_id.take(), r, n);
    combine(
        "buyer VAT id",
        &mut primary.buyer.vat_id,
        llm.buyer.vat_id,
        r,
        n,
    );
    let (t, lt) = (&mut primary.totals, llm.totals);
    combine("net", &mut t.net, lt.net, r, n);
    combine("tax", &mut t.tax, lt.tax, r, n);
    combine("gross", &mut t.gross, lt.gross, r, n);
    combine("amount due", &mut t.due, lt.due, r, n);
    if primary.seller.bank_accounts.is_empty() && !llm_seller.bank_accounts.is_empty() {
        primary.seller.bank_accounts = llm_seller.bank_accounts;
        report.filled.push("seller bank account");
    }
    if primary.references.purchase_orders.is_empty() && !llm.references.purchase_orders.is_empty() {
        primary.references.purchase_orders = llm.references.purchase_orders;
        report.filled.push("purchase order reference");
    }
    if primary.lines.is_empty() && !llm.lines.is_empty() {
        primary.lines = llm.lines;
        report.filled.push("lines");
    }
    primary.header.notes.extend(notes);
    report
}

fn combine<T: PartialEq + std::fmt::Display>(
    name: &'static str,
    ours: &mut Option<Field<T>>,
    theirs: Option<Field<T>>,
    report: &mut MergeReport,
    notes: &mut Vec<String>,
) {
    let Some(theirs) = theirs else { return };
    match ours {
        None => {
            *ours = Some(theirs);
            report.filled.push(name);
        }
        Some(ours) if ours.value == theirs.value => report.agreed.push(name),
        Some(ours) => {
            let capped = ours.confidence.value().min(DISPUTED);
            ours.confidence = Confidence::new(capped);
            notes.push(format!(
                "the {name} was read as {} from the page, but the language model read {}",
                ours.value, theirs.value
            ));
            report.disputed.push(name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use docket_domain::{Currency, DocumentKind, Evidence, ExtractorKind, Money, SourceSyntax};
    use rust_decimal_macros::dec;

    fn evidence(extractor: ExtractorKind) -> Evidence {
        Evidence {
            extractor,
            page: None,
            bbox: None,
            source_text: None,
            locator: None,
        }
    }

    fn document(extractor: ExtractorKind) -> BusinessDocument {
        let kind = Field::new(DocumentKind::Invoice, evidence(extractor));
        BusinessDocument::empty(kind, SourceSyntax::PdfText)
    }

    fn field<T>(value: T, extractor: ExtractorKind) -> Option<Field<T>> {
        Some(Field::new(value, evidence(extractor)))
    }

    #[test]
    fn gaps_are_filled_agreement_is_kept_and_disagreement_goes_to_a_person() {
        let mut ours = document(ExtractorKind::Layout);
        ours.header.number = field("R-1".to_string(), ExtractorKind::Layout);
        ours.totals.gross = field(
            Money::new(dec!(119.00), Currency::EUR),
            ExtractorKind::Layout,
        );
        let mut theirs = document(ExtractorKind::Llm);
        theirs.header.number = field("R-1".to_string(), ExtractorKind::Llm);
        theirs.totals.gross = field(Money::new(dec!(191.00), Currency::EUR), ExtractorKind::Llm);
        theirs.header.currency = field(Currency::EUR, ExtractorKind::Llm);
        theirs
            .header
            .notes
            .push("the model claimed something unsupported".to_string());

        let report = merge(&mut ours, theirs);

        assert_eq!(report.agreed, vec!["number"]);
        assert_eq!(report.filled, vec!["currency"]);
        assert_eq!(report.disputed, vec!["gross"]);
        let number = ours.header.number.as_ref().expect("number kept");
        assert_eq!(number.evidence.extractor, ExtractorKind::Layout);
        assert!(number.confidence.is_sure());
        let gross = ours.totals.gross.as_ref().expect("gross kept");
        assert_eq!(gross.value.amount, dec!(119.00), "the page's value stays");
        assert!(!gross.confidence.is_sure(), "a disputed value is unsure");
        assert!(
            ours.header.notes.iter().any(|n| n.contains("191")),
            "{:?}",
            ours.header.notes
        );
        let currency = ours.header.currency.as_ref().expect("currency filled");
        assert_eq!(currency.evidence.extractor, ExtractorKind::Llm);
        assert!(
            ours.header.notes.iter().any(|n| n.contains("unsupported")),
            "the reading's own notes reach the reviewer: {:?}",
            ours.header.notes
        );
    }
}
