//! Supplier identification: which master record sent this document.
//!
//! Strong evidence is an identifier on the master record (VAT id, IBAN); a
//! similar name or the sender's mail domain is weak evidence and identifies a
//! supplier only when both agree. Two suppliers with strong evidence is a
//! conflict a person must resolve.

use docket_domain::erp::Supplier;
use docket_domain::normalize::{compact_identifier, company_name};
use docket_domain::{BusinessDocument, Reason, ReasonCode};
use serde::{Deserialize, Serialize};

use crate::Policy;

/// The supplier Docket identified, with the evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupplierMatch {
    /// The ERP's supplier id.
    pub id: String,
    /// The name on the master record.
    pub name: String,
    /// What matched, in words ("VAT id DE136695976 on the master record").
    pub evidence: Vec<String>,
}

/// Identifiers read from the document's seller, normalised for comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SellerIds {
    /// VAT ids, compact and upper case.
    pub vat_ids: Vec<String>,
    /// IBANs, compact and upper case.
    pub ibans: Vec<String>,
    /// The name as read.
    pub name: Option<String>,
}

impl SellerIds {
    /// Reads them from the document.
    pub fn of(doc: &BusinessDocument) -> Self {
        SellerIds {
            vat_ids: doc
                .seller
                .vat_id
                .iter()
                .map(|f| compact_identifier(&f.value))
                .collect(),
            ibans: doc
                .seller
                .bank_accounts
                .iter()
                .map(|a| compact_identifier(&a.iban.value))
                .collect(),
            name: doc.seller.name().map(str::to_string),
        }
    }
}

fn name_similarity(a: &str, b: &str) -> f64 {
    strsim::jaro_winkler(&company_name(a), &company_name(b))
}

/// Identifies the supplier among the candidates, or says why not.
pub fn identify(
    doc: &BusinessDocument,
    candidates: &[Supplier],
    sender_domain: Option<&str>,
    policy: &Policy,
) -> Result<SupplierMatch, Reason> {
    let ids = SellerIds::of(doc);
    let mut strong: Vec<(&Supplier, Vec<String>)> = Vec::new();
    let mut weak: Vec<(&Supplier, Vec<String>)> = Vec::new();
    for supplier in candidates {
        let mut evidence = Vec::new();
        if let Some(vat) = supplier.vat_id.as_deref().map(compact_identifier)
            && ids.vat_ids.contains(&vat)
        {
            evidence.push(format!("VAT id {vat} on the master record"));
        }
        for iban in &supplier.ibans {
            if ids.ibans.contains(&compact_identifier(iban)) {
                evidence.push(format!("IBAN {iban} on the master record"));
            }
        }
        if !evidence.is_empty() {
            strong.push((supplier, evidence));
            continue;
        }
        let name_ok = ids
            .name
            .as_deref()
            .is_some_and(|n| name_similarity(n, &supplier.name) >= policy.name_similarity);
        let domain_ok = sender_domain.is_some_and(|d| {
            supplier
                .email_domains
                .iter()
                .any(|e| e.eq_ignore_ascii_case(d))
        });
        if name_ok && domain_ok {
            weak.push((
                supplier,
                vec![
                    format!("name similar to {:?}", supplier.name),
                    "sender's mail domain on the master record".to_string(),
                ],
            ));
        }
    }
    let chosen = match (strong.len(), weak.len()) {
        (1, _) => strong.pop(),
        (0, 1) => weak.pop(),
        (0, 0) => None,
        _ => {
            let names: Vec<String> = strong
                .iter()
                .chain(weak.iter())
                .map(|(s, _)| format!("{} ({})", s.name, s.id))
                .collect();
            return Err(Reason::new(
                ReasonCode::AmbiguousSupplier,
                format!("several suppliers match: {}", names.join(", ")),
            ));
        }
    };
    match chosen {
        Some((supplier, evidence)) => Ok(SupplierMatch {
            id: supplier.id.clone(),
            name: supplier.name.clone(),
            evidence,
        }),
        None => Err(unknown_supplier(&ids, candidates)),
    }
}

fn unknown_supplier(ids: &SellerIds, candidates: &[Supplier]) -> Reason {
    let shown = ids.name.as_deref().unwrap_or("(no name read)");
    let mut said = format!("no supplier on the master data matches {shown:?}");
    if let Some(vat) = ids.vat_ids.first() {
        said.push_str(&format!(", VAT id {vat}"));
    }
    if let Some(iban) = ids.ibans.first() {
        said.push_str(&format!(", IBAN {iban}"));
    }
    let mut close: Vec<(f64, &Supplier)> = candidates
        .iter()
        .filter_map(|s| {
            let sim = ids.name.as_deref().map(|n| name_similarity(n, &s.name))?;
            Some((sim, s))
        })
        .collect();
    close.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
    if let Some((sim, s)) = close.first() {
        said.push_str(&format!(
            "; closest: {} ({}), name similarity {:.0} %",
            s.name,
            s.id,
            sim * 100.0
        ));
    }
    Reason::new(ReasonCode::UnknownSupplier, said)
}
