//! Supplier identification: which master record sent this document.
//!
//! Strong evidence is an identifier on the master record: the VAT id or an
//! IBAN. A similar name and the sender's mail domain are weak evidence and
//! identify a supplier only when both point at the same one. Two suppliers
//! with strong evidence (the VAT id says one, the IBAN another) are a conflict
//! a person must resolve; so is no supplier at all. Either reason names the
//! candidates that came close and why.

use docket_domain::erp::Supplier;
use docket_domain::normalize::compact_identifier;
use docket_domain::{BusinessDocument, Confidence, Reason, ReasonCode};
use serde::{Deserialize, Serialize};

use crate::Policy;
use crate::index::ErpIndex;

/// Confidence of an identification by VAT id and IBAN together.
const BOTH_IDS: f32 = 0.99;
/// ... by the VAT id alone.
const VAT_ID: f32 = 0.97;
/// ... by an IBAN on the master record alone (an account can be shared by a group).
const IBAN: f32 = 0.95;
/// ... by a similar name sent from a domain on the master record.
const NAME_AND_DOMAIN: f32 = 0.85;
/// Names at least this similar are shown as close candidates of an unknown supplier.
const CLOSE_NAME: f64 = 0.75;
/// At most this many candidates are named in a reason.
const SHOWN: usize = 3;

/// The supplier Docket identified, with the evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupplierMatch {
    /// The ERP's supplier id.
    pub id: String,
    /// The name on the master record.
    pub name: String,
    /// What matched, in words ("VAT id DE136695976 on the master record").
    pub evidence: Vec<String>,
    /// How sure the identification is (0-1), from the kind of evidence.
    #[serde(default)]
    pub confidence: f32,
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
    /// Reads them from the document, however sure the reading.
    pub fn of(doc: &BusinessDocument) -> Self {
        SellerIds::read(doc, Confidence::new(0.0))
    }

    /// Reads them, keeping only identifiers read with at least `min`: an
    /// unsure VAT id or IBAN is no evidence of who sent the document.
    pub fn read(doc: &BusinessDocument, min: Confidence) -> Self {
        SellerIds {
            vat_ids: doc
                .seller
                .vat_id
                .iter()
                .filter(|f| f.confidence >= min)
                .map(|f| compact_identifier(&f.value))
                .collect(),
            ibans: doc
                .seller
                .bank_accounts
                .iter()
                .filter(|a| a.iban.confidence >= min)
                .map(|a| compact_identifier(&a.iban.value))
                .collect(),
            name: doc.seller.name().map(str::to_string),
        }
    }
}

pub use docket_domain::normalize::company_name_similarity as name_similarity;

/// One supplier and what speaks for it.
struct Candidate<'a> {
    supplier: &'a Supplier,
    vat: bool,
    iban: bool,
    domain: bool,
    name: f64,
}

impl Candidate<'_> {
    fn strong(&self) -> bool {
        self.vat || self.iban
    }

    fn evidence(&self, ids: &SellerIds) -> Vec<String> {
        let s = self.supplier;
        let mut said = Vec::new();
        if self.vat {
            said.push(format!(
                "VAT id {} on the master record",
                s.vat_id
                    .as_deref()
                    .map(compact_identifier)
                    .unwrap_or_default()
            ));
        }
        if self.iban {
            for iban in s.ibans.iter().map(|i| compact_identifier(i)) {
                if ids.ibans.contains(&iban) {
                    said.push(format!("IBAN {iban} on the master record"));
                }
            }
        }
        if self.name > 0.0 {
            said.push(format!(
                "name {:.0} % similar to {:?}",
                self.name * 100.0,
                s.name
            ));
        }
        if self.domain {
            said.push("sender's mail domain on the master record".to_string());
        }
        said
    }

    fn confidence(&self, policy: &Policy) -> f32 {
        match (self.vat, self.iban) {
            (true, true) => BOTH_IDS,
            (true, false) => VAT_ID,
            (false, true) => IBAN,
            (false, false) if self.domain && self.name >= policy.name_similarity => NAME_AND_DOMAIN,
            _ => 0.0,
        }
    }

    fn shown(&self, ids: &SellerIds) -> String {
        let why = self.evidence(ids);
        let why = if why.is_empty() {
            String::new()
        } else {
            format!(": {}", why.join(", "))
        };
        format!("{} ({}){why}", self.supplier.name, self.supplier.id)
    }
}

/// Everyone the document's identifiers, name or sender point at.
fn candidates<'a>(
    ids: &SellerIds,
    erp: &ErpIndex<'a>,
    sender_domain: Option<&str>,
) -> Vec<Candidate<'a>> {
    let mut picked: Vec<&'a Supplier> = Vec::new();
    for vat in &ids.vat_ids {
        picked.extend(erp.suppliers_with_vat(vat));
    }
    for iban in &ids.ibans {
        picked.extend(erp.suppliers_with_iban(iban));
    }
    // Names are weak evidence and the costliest to compare: they matter only
    // when no identifier points at a supplier.
    let identified = !picked.is_empty();
    if let Some(domain) = sender_domain {
        picked.extend(erp.suppliers_with_domain(domain));
    }
    if let Some(name) = ids.name.as_ref().filter(|_| !identified) {
        picked.extend(erp.suppliers_named_like(name));
    }
    let mut seen = std::collections::HashSet::new();
    let mut found: Vec<Candidate<'a>> = Vec::new();
    for s in picked {
        if seen.insert(s.id.as_str()) {
            found.push(Candidate {
                supplier: s,
                vat: false,
                iban: false,
                domain: false,
                name: 0.0,
            });
        }
    }
    for c in &mut found {
        let s = c.supplier;
        c.vat = s
            .vat_id
            .as_deref()
            .is_some_and(|v| ids.vat_ids.contains(&compact_identifier(v)));
        c.iban = s
            .ibans
            .iter()
            .any(|i| ids.ibans.contains(&compact_identifier(i)));
        c.domain = sender_domain
            .is_some_and(|d| s.email_domains.iter().any(|e| e.eq_ignore_ascii_case(d)));
        c.name = ids
            .name
            .as_deref()
            .map_or(0.0, |n| name_similarity(n, &s.name));
    }
    found
}

/// Identifies the supplier, or says why not and who came close.
pub fn identify(
    doc: &BusinessDocument,
    erp: &ErpIndex<'_>,
    sender_domain: Option<&str>,
    policy: &Policy,
) -> Result<SupplierMatch, Reason> {
    let ids = SellerIds::read(doc, policy.min_confidence());
    let mut found = candidates(&ids, erp, sender_domain);
    found.sort_by(|a, b| {
        b.confidence(policy)
            .total_cmp(&a.confidence(policy))
            .then(b.name.total_cmp(&a.name))
            .then_with(|| a.supplier.id.cmp(&b.supplier.id))
    });
    let strong: Vec<&Candidate> = found.iter().filter(|c| c.strong()).collect();
    let weak: Vec<&Candidate> = found
        .iter()
        .filter(|c| !c.strong() && c.confidence(policy) > 0.0)
        .collect();
    // A group's shared account puts an IBAN on several records; the VAT id
    // then decides, as long as it names a supplier that has the IBAN too.
    let by_vat: Vec<&&Candidate> = strong.iter().filter(|c| c.vat).collect();
    let shared_account = match by_vat.as_slice() {
        [v] => strong
            .iter()
            .all(|c| std::ptr::eq(*c, **v) || (!c.vat && c.iban && v.iban)),
        _ => false,
    };
    let chosen = match (strong.as_slice(), weak.as_slice()) {
        ([one], _) => *one,
        (_, _) if shared_account => *by_vat[0],
        ([], [one]) => *one,
        ([], []) => return Err(unknown_supplier(&ids, &found, sender_domain)),
        (several, _) if !several.is_empty() => {
            return Err(ambiguous("several suppliers match", several, &ids));
        }
        (_, several) => {
            return Err(ambiguous(
                "several suppliers match by name and mail domain",
                several,
                &ids,
            ));
        }
    };
    Ok(SupplierMatch {
        id: chosen.supplier.id.clone(),
        name: chosen.supplier.name.clone(),
        evidence: chosen.evidence(&ids),
        confidence: chosen.confidence(policy),
    })
}

fn ambiguous(what: &str, several: &[&Candidate], ids: &SellerIds) -> Reason {
    let shown: Vec<String> = several.iter().take(SHOWN).map(|c| c.shown(ids)).collect();
    Reason::new(
        ReasonCode::AmbiguousSupplier,
        format!("{what}: {}", shown.join("; ")),
    )
}

fn unknown_supplier(ids: &SellerIds, found: &[Candidate], sender_domain: Option<&str>) -> Reason {
    let shown = ids.name.as_deref().unwrap_or("(no name read)");
    let mut said = format!("no supplier on the master data matches {shown:?}");
    if let Some(vat) = ids.vat_ids.first() {
        said.push_str(&format!(", VAT id {vat}"));
    }
    if let Some(iban) = ids.ibans.first() {
        said.push_str(&format!(", IBAN {iban}"));
    }
    if let Some(domain) = sender_domain {
        said.push_str(&format!(", sent from {domain}"));
    }
    let close: Vec<String> = found
        .iter()
        .filter(|c| c.name >= CLOSE_NAME || c.domain)
        .take(SHOWN)
        .map(|c| c.shown(ids))
        .collect();
    if close.is_empty() {
        said.push_str("; no supplier comes close");
    } else {
        said.push_str(&format!(
            "; close, but not enough to be sure: {}",
            close.join("; ")
        ));
    }
    Reason::new(ReasonCode::UnknownSupplier, said)
}
