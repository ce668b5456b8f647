//! One line per document and a summary: what `docket demo` prints.
//!
//! The JSON form is a public interface (docs/demo.md): field names and the
//! decision words do not change without a version note.

use std::collections::BTreeMap;

use docket_domain::{Decision, DocumentState, Money};
use docket_store::DocumentRecord;
use rust_decimal::Decimal;
use serde::Serialize;

/// One document's outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentLine {
    /// The file as received (for a part of a mail: the mail's file name).
    pub file: String,
    /// The attachment within the file, for parts of a mail.
    pub part: Option<String>,
    /// Invoice, credit note, ... (`null` when unreadable).
    pub kind: Option<String>,
    /// The supplier: the ERP's name when identified, else the name as read.
    pub supplier: Option<String>,
    /// The supplier's ERP id, when identified.
    pub supplier_id: Option<String>,
    /// The document number as read.
    pub number: Option<String>,
    /// The gross total as read.
    pub gross: Option<Money>,
    /// `booked`, `waiting`, `exception`, `rejected`, `duplicate`, `quarantined`,
    /// or `processing` when the pipeline has not finished with it.
    pub decision: String,
    /// Why, in plain language.
    pub reasons: Vec<String>,
    /// The ERP's reference once booked.
    pub erp_ref: Option<String>,
}

/// Counts and totals.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    /// Documents reported.
    pub documents: usize,
    /// Per decision, how many.
    pub decisions: BTreeMap<String, usize>,
    /// Gross booked, per currency.
    pub booked_gross: BTreeMap<String, Decimal>,
}

/// The report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    /// One line per document.
    pub documents: Vec<DocumentLine>,
    /// The summary.
    pub summary: Summary,
}

/// Builds the report from stored records: containers that were split are left
/// out (their parts are reported), everything else is one line.
pub fn build(records: &[DocumentRecord]) -> Report {
    let mut shown: Vec<&DocumentRecord> = records
        .iter()
        .filter(|r| r.state != DocumentState::Split)
        .collect();
    shown.sort_by(|a, b| {
        (&a.file_name, &a.part_name, &a.id).cmp(&(&b.file_name, &b.part_name, &b.id))
    });
    let mut summary = Summary {
        documents: shown.len(),
        ..Summary::default()
    };
    let documents: Vec<DocumentLine> = shown.iter().map(|r| line(r)).collect();
    for (line, record) in documents.iter().zip(&shown) {
        *summary.decisions.entry(line.decision.clone()).or_default() += 1;
        if record.state == DocumentState::Booked
            && let Some(gross) = record.gross
        {
            *summary
                .booked_gross
                .entry(gross.currency.to_string())
                .or_default() += gross.amount;
        }
    }
    Report { documents, summary }
}

fn line(record: &DocumentRecord) -> DocumentLine {
    DocumentLine {
        file: record.file_name.clone(),
        part: record.part_name.clone(),
        kind: record.kind.clone(),
        supplier: record.supplier_name.clone(),
        supplier_id: record.supplier_id.clone(),
        number: record.number.clone(),
        gross: record.gross,
        decision: record
            .state
            .decision()
            .map_or("processing", Decision::as_str)
            .to_string(),
        reasons: record.reasons.iter().map(ToString::to_string).collect(),
        erp_ref: record.erp_ref.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use docket_domain::{Currency, Reason, ReasonCode};
    use docket_store::DocumentId;

    fn record(
        file: &str,
        part: Option<&str>,
        state: DocumentState,
        gross: Option<i64>,
    ) -> DocumentRecord {
        DocumentRecord {
            id: DocumentId::new(),
            parent_id: None,
            source: "test".into(),
            file_name: file.into(),
            part_name: part.map(str::to_string),
            media_type: "application/pdf".into(),
            sha256: String::new(),
            sender: None,
            state,
            kind: Some("invoice".into()),
            supplier_id: None,
            supplier_name: None,
            number: None,
            gross: gross.map(|g| Money::new(Decimal::new(g, 2), Currency::EUR)),
            extracted: None,
            match_result: None,
            reasons: vec![Reason::new(ReasonCode::Duplicate, "seen before")],
            erp_ref: None,
            received_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn split_containers_are_left_out_and_rows_sorted_by_file_and_part() {
        let records = vec![
            record("b.pdf", None, DocumentState::Booked, Some(11900)),
            record("a.eml", None, DocumentState::Split, None),
            record("a.eml", Some("2.pdf"), DocumentState::Exception, Some(500)),
            record("a.eml", Some("1.xml"), DocumentState::Booked, Some(-2000)),
            record("c.pdf", None, DocumentState::Extracted, None),
        ];
        let report = build(&records);
        let rows: Vec<(&str, Option<&str>, &str)> = report
            .documents
            .iter()
            .map(|d| (d.file.as_str(), d.part.as_deref(), d.decision.as_str()))
            .collect();
        assert_eq!(
            rows,
            vec![
                ("a.eml", Some("1.xml"), "booked"),
                ("a.eml", Some("2.pdf"), "exception"),
                ("b.pdf", None, "booked"),
                ("c.pdf", None, "processing"),
            ]
        );
        assert_eq!(report.summary.documents, 4);
        assert_eq!(report.summary.decisions["booked"], 2);
        assert_eq!(report.summary.booked_gross["EUR"], Decimal::new(9900, 2));
        assert_eq!(report.documents[0].reasons, vec!["seen before".to_string()]);
    }
}
