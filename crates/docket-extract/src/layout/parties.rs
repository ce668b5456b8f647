//! Seller and buyer: VAT ids, IBANs and BICs found by pattern and checksum,
//! assigned to a party by the section they stand in, and the parties' names
//! and the buyer's address block.
//!
//! A VAT id or IBAN is only taken when it passes its country's format and
//! check digits (`docket_domain::vat`, `docket_domain::iban`). Right after a
//! label that names a national scheme ("NIP", "Nr rachunku") it may be
//! printed without its country prefix, which the label then gives (the
//! Polish VAT id is PL + NIP, the IBAN PL + the account number). Whose it is
//! comes from evidence in this order: a label that names the buyer ("Ihre
//! USt-IdNr."), the section heading above it ("Käufer", "Verkäufer"), and
//! otherwise the seller, whose identifiers letterheads and footers carry.

use docket_domain::{BankAccount, Field, Party};

use super::address::buyer_block;
use super::found::{Found, LABELLED, POSITIONAL};
use super::labels::{LabelKind, compact};
use super::seller;
use super::unchecked;
use super::view::View;

/// Whose an identifier is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The seller (issuer).
    Seller,
    /// The buyer (recipient).
    Buyer,
}

/// An identifier found on the page, with the evidence for its owner.
#[derive(Debug, Clone)]
pub struct IdFound {
    /// The compact, validated identifier.
    pub found: Found<String>,
    /// Whose it is.
    pub role: Role,
    /// Whether a label or section heading (not just position) says whose.
    pub attributed: bool,
    /// Its first word on its line.
    pub start: usize,
}

/// Both parties as read.
#[derive(Debug, Default)]
pub struct PartiesFinds {
    /// The seller.
    pub seller: Party,
    /// The buyer.
    pub buyer: Party,
}

/// How many words an identifier printed in groups may span.
const MAX_GROUPS: usize = 8;

/// An identifier's place and value, as [`scan`] finds it.
#[derive(Debug, Clone)]
struct Scanned {
    line: usize,
    start: usize,
    end: usize,
    value: String,
    /// Printed in its national form, the country prefix taken from the label.
    national: bool,
}

/// The note on an identifier printed without its country prefix.
const NATIONAL_NOTE: &str = "printed without its country prefix; the label names the scheme";

/// Finds identifiers: a word that `start_ok` accepts (given its line and
/// index), grown over the following words while `read` accepts the longest
/// form (the words joined by blanks, given where they start).
fn scan(
    view: &View,
    start_ok: &dyn Fn(usize, usize, &str) -> bool,
    read: &dyn Fn(usize, usize, &str) -> Option<String>,
    taken: &mut Vec<(usize, usize)>,
) -> Vec<Scanned> {
    let mut out = Vec::new();
    for (idx, line) in view.lines.iter().enumerate() {
        let texts = line.texts();
        let mut i = 0;
        while i < texts.len() {
            let first = texts[i].trim_start_matches(['(', ':']);
            if taken.contains(&(idx, i)) || !start_ok(idx, i, first) {
                i += 1;
                continue;
            }
            let last = (i + MAX_GROUPS).min(texts.len());
            let found = (i + 1..=last).rev().find_map(|end| {
                if (i..end).any(|k| taken.contains(&(idx, k))) {
                    return None;
                }
                let joined = std::iter::once(first)
                    .chain(texts[i + 1..end].iter().copied())
                    .collect::<Vec<_>>()
                    .join(" ");
                let joined = joined.trim_end_matches(['.', ',', ';', ')']);
                read(idx, i, joined).map(|v| (end, v))
            });
            match found {
                Some((end, value)) => {
                    taken.extend((i..end).map(|k| (idx, k)));
                    out.push(Scanned {
                        line: idx,
                        start: i,
                        end,
                        value,
                        national: false,
                    });
                    i = end;
                }
                None => i += 1,
            }
        }
    }
    out
}

/// One kind of identifier (IBAN, VAT id): which word may start its
/// international form, which text is one (valid, or only of its shape), and
/// the labels that announce it.
struct Scheme {
    start: fn(&str) -> bool,
    valid: fn(&str) -> Option<String>,
    shaped: fn(&str) -> Option<String>,
    labels: &'static [LabelKind],
}

const IBANS: Scheme = Scheme {
    start: iban_start,
    valid: valid_iban,
    shaped: unchecked::iban_shaped,
    labels: &[LabelKind::Iban, LabelKind::BuyerIban],
};

const VAT_IDS: Scheme = Scheme {
    start: country_prefix,
    valid: valid_vat,
    shaped: unchecked::vat_shaped,
    labels: &[LabelKind::VatId, LabelKind::BuyerVatId],
};

impl Scheme {
    /// Identifiers that pass their check digits: anywhere in their
    /// international form, and right after a label that names a national
    /// scheme in that country's form.
    fn checked(&self, view: &View, taken: &mut Vec<(usize, usize)>) -> Vec<Scanned> {
        let start = self.start;
        let mut out = scan(view, &|_, _, t| start(t), &|_, _, t| (self.valid)(t), taken);
        out.extend(self.national(view, self.valid, taken));
        out
    }

    /// Identifiers right after their label that have the shape but fail
    /// their check digits ([`unchecked`]).
    fn unchecked(&self, view: &View, taken: &mut Vec<(usize, usize)>) -> Vec<Scanned> {
        let after = |line, i| unchecked::label_before(view, line, i, self.labels).is_some();
        let mut out = scan(
            view,
            &|line, i, t| (self.start)(t) && after(line, i),
            &|_, _, t| (self.shaped)(t),
            taken,
        );
        out.extend(self.national(view, self.shaped, taken));
        out
    }

    /// Digits right after a label that names a national scheme ("NIP:
    /// 774-00-01-454", "Nr rachunku: 61 1090 …"), read with that country's
    /// prefix: the national form is the international one without it.
    fn national(
        &self,
        view: &View,
        read: fn(&str) -> Option<String>,
        taken: &mut Vec<(usize, usize)>,
    ) -> Vec<Scanned> {
        let country = |line, i| unchecked::label_before(view, line, i, self.labels)?.country;
        let found = scan(
            view,
            &|line, i, t| t.starts_with(|c: char| c.is_ascii_digit()) && country(line, i).is_some(),
            &|line, i, t| {
                let grouped = t
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.'));
                let digits: String = t.chars().filter(char::is_ascii_digit).collect();
                grouped
                    .then(|| read(&format!("{}{digits}", country(line, i)?)))
                    .flatten()
            },
            taken,
        );
        found
            .into_iter()
            .map(|s| Scanned {
                national: true,
                ..s
            })
            .collect()
    }
}

fn country_prefix(token: &str) -> bool {
    let b = token.as_bytes();
    b.len() >= 2 && b[0].is_ascii_uppercase() && b[1].is_ascii_uppercase()
}

fn iban_start(token: &str) -> bool {
    let b = token.as_bytes();
    b.len() >= 4 && country_prefix(token) && b[2].is_ascii_digit() && b[3].is_ascii_digit()
}

fn valid_iban(text: &str) -> Option<String> {
    docket_domain::iban::validate(text).ok()
}

fn valid_vat(text: &str) -> Option<String> {
    // Words glued to a VAT id are not part of it: only digits and letters in
    // groups, with the separators ids are printed with.
    if text
        .chars()
        .any(|c| !c.is_ascii_alphanumeric() && !matches!(c, ' ' | '.' | '-'))
    {
        return None;
    }
    docket_domain::vat::validate(text).ok()
}

/// Identifiers that fail their check digits but stand right after their
/// label ([`unchecked`]): kept, far below the review threshold, with a note.
fn unchecked_ids(
    view: &View,
    found: Vec<Scanned>,
    buyer_label: LabelKind,
) -> impl Iterator<Item = IdFound> {
    found.into_iter().map(move |s| {
        let mut id = attribute(view, s, buyer_label);
        id.found.confidence = id.found.confidence.min(unchecked::UNCHECKED);
        id.found.note = Some(unchecked::NOTE);
        id
    })
}

/// Reads both parties.
pub fn read(view: &View) -> PartiesFinds {
    use LabelKind::{BuyerIban, BuyerVatId};
    let mut taken = Vec::new();
    let ibans = IBANS.checked(view, &mut taken);
    let vats = VAT_IDS.checked(view, &mut taken);
    let bad_ibans = IBANS.unchecked(view, &mut taken);
    let bad_vats = VAT_IDS.unchecked(view, &mut taken);
    let mut out = PartiesFinds::default();

    let vat_ids: Vec<IdFound> = vats
        .into_iter()
        .map(|s| attribute(view, s, BuyerVatId))
        .chain(unchecked_ids(view, bad_vats, BuyerVatId))
        .collect();
    let seller_vat = vat_ids
        .iter()
        .filter(|v| v.role == Role::Seller)
        .max_by(|a, b| {
            a.found
                .confidence
                .total_cmp(&b.found.confidence)
                .then(b.found.line.cmp(&a.found.line))
        });
    out.seller.vat_id = seller_vat.map(|v| v.found.clone().into_field());
    out.buyer.vat_id = vat_ids
        .iter()
        .find(|v| v.role == Role::Buyer)
        .map(|v| v.found.clone().into_field());

    let checked = ibans.into_iter().map(|s| {
        let mut id = attribute(view, s, BuyerIban);
        // The checksum proves it is an IBAN; that it is where to pay is what
        // every invoice means by printing one.
        id.found.confidence = id.found.confidence.max(LABELLED);
        id
    });
    for id in checked.chain(unchecked_ids(view, bad_ibans, BuyerIban)) {
        let (line, start) = (id.found.line, id.start);
        // The buyer's account (a direct debit draws from it) is never where to pay.
        let party = if id.role == Role::Buyer || buyer_words_before(view, line, start) {
            &mut out.buyer
        } else {
            &mut out.seller
        };
        if party
            .bank_accounts
            .iter()
            .any(|a| a.iban.value == id.found.value)
        {
            continue;
        }
        let bic = bic_near(view, line);
        party.bank_accounts.push(BankAccount {
            iban: id.found.into_field(),
            bic,
            holder: None,
        });
    }
    let stated = seller::stated(view);
    let (buyer_name, address, buyer_lines) =
        buyer_block(view, stated.as_ref().map(|f| f.value.as_str()));
    out.seller.name = stated.or_else(|| seller::by_position(view, &buyer_lines));
    out.buyer.name = buyer_name;
    out.buyer.address = address;
    out
}

/// Decides whose an identifier is and how sure that is.
fn attribute(view: &View, scanned: Scanned, buyer_label: LabelKind) -> IdFound {
    let Scanned {
        line,
        start,
        end,
        value,
        national,
    } = scanned;
    let l = &view.lines[line];
    let label_before = l
        .labels
        .iter()
        .filter(|h| h.end <= start)
        .max_by_key(|h| h.end);
    let mut found = Found::words(view, line, start, end, value, POSITIONAL + 0.05);
    if national {
        found.note = Some(NATIONAL_NOTE);
    }
    if let Some(h) = label_before {
        found.source = format!("{} {}", l.text_of(h.start, h.end), found.source);
        if h.kind == buyer_label {
            found.confidence = LABELLED;
            return IdFound {
                found,
                role: Role::Buyer,
                attributed: true,
                start,
            };
        }
    }
    if let Some(role) = section_above(view, line, start) {
        found.confidence = LABELLED;
        return IdFound {
            found,
            role,
            attributed: true,
            start,
        };
    }
    // Letterhead and footer belong to the issuer.
    let depth = view.depth(l);
    if !(0.2..=0.75).contains(&depth) {
        found.confidence = 0.85;
    } else if label_before.is_some_and(|h| matches!(h.kind, LabelKind::VatId | LabelKind::Iban)) {
        found.confidence = 0.8;
    }
    IdFound {
        found,
        role: Role::Seller,
        attributed: false,
        start,
    }
}

/// "Ihre IBAN", "von Ihrem Konto mit IBAN …", "your account": the buyer's.
fn buyer_words_before(view: &View, line: usize, start: usize) -> bool {
    let l = &view.lines[line];
    l.toks[..start].iter().rev().take(4).any(|t| {
        matches!(
            compact(&t.text).as_str(),
            "ihre"
                | "ihrem"
                | "ihres"
                | "your"
                | "uw"
                | "votre"
                | "kunden"
                | "customer"
                | "buyer"
                | "client"
        )
    })
}

/// The section heading ("Verkäufer", "Käufer") above a word in its column.
fn section_above(view: &View, line: usize, start: usize) -> Option<Role> {
    let l = &view.lines[line];
    let x = l.toks.get(start)?.bbox.x0;
    let page_width = view.page(l.page).width;
    // A heading reaches over its block: a few lines without a wide gap.
    let mut below_y0 = l.bbox.y0;
    for idx in (0..=line).rev().take(12) {
        let other = &view.lines[idx];
        if other.page != l.page || other.bbox.y0 - below_y0 > 3.0 * l.size.max(other.size) {
            break;
        }
        below_y0 = other.bbox.y0;
        for h in other.labels.iter().rev() {
            let role = match h.kind {
                LabelKind::SellerSection => Role::Seller,
                LabelKind::BuyerSection => Role::Buyer,
                _ => continue,
            };
            if idx == line && h.start > start {
                continue;
            }
            // A heading covers its column: from its left edge to the next heading.
            let hx = other.toks[h.start].bbox.x0;
            let next = other
                .labels
                .iter()
                .filter(|n| {
                    n.start > h.start
                        && matches!(n.kind, LabelKind::SellerSection | LabelKind::BuyerSection)
                })
                .map(|n| other.toks[n.start].bbox.x0)
                .fold(page_width, f32::min);
            if x >= hx - 20.0 && x < next - 5.0 {
                return Some(role);
            }
        }
    }
    None
}

fn bic_near(view: &View, line: usize) -> Option<Field<String>> {
    let page = view.lines[line].page;
    let lines = line.saturating_sub(3)..(line + 4).min(view.lines.len());
    for idx in lines {
        let l = &view.lines[idx];
        if l.page != page {
            continue;
        }
        for h in l.labels.iter().filter(|h| h.kind == LabelKind::Bic) {
            let tokens = l.texts();
            if let Some((k, bic)) =
                tokens
                    .iter()
                    .enumerate()
                    .skip(h.end)
                    .take(2)
                    .find_map(|(k, t)| {
                        docket_domain::iban::validate_bic(
                            t.trim_matches(['(', ')', ',', ';', '.', ':']),
                        )
                        .ok()
                        .map(|b| (k, b))
                    })
            {
                let mut f = Found::words(view, idx, k, k + 1, bic, LABELLED);
                f.source = format!("{} {}", l.text_of(h.start, h.end), f.source);
                return Some(f.into_field());
            }
        }
    }
    None
}

#[cfg(test)]
#[path = "parties_tests.rs"]
mod tests;
