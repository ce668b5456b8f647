//! Line items: the table under a header row of column words.
//!
//! The header is the line whose words name at least three columns (position,
//! item number, description, quantity, unit, unit price, amount, VAT rate,
//! discount), possibly completed by a second header line above or below it
//! ("Preis/" over "Einheit"). Its words give the columns' x-ranges; gross
//! columns are named too, so that their figures are never taken for the
//! net ones a line is read for. Rows run
//! from the header down to the totals block: a line with numbers in the price
//! or amount column starts an item, a line with only text continues the item
//! above (wrapped description, order reference), carry-over lines are left
//! out, and the table goes on after a repeated header on the next page.

use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

use super::labels::{LabelKind, compact};
use super::numbers::find_amounts;
use super::view::View;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    /// Line number on the document.
    Position,
    /// The seller's item number.
    ItemId,
    /// "Artikel", "Item": an item number when a description column exists, else the description.
    ItemOrDescription,
    /// Item name / description.
    Description,
    /// Quantity.
    Quantity,
    /// Unit of measure.
    Unit,
    /// Price per unit.
    UnitPrice,
    /// Line amount.
    Amount,
    /// VAT rate.
    VatRate,
    /// Discount.
    Discount,
    /// The number of units a price is for ("Preisbasis", "Price base Qty").
    PriceBase,
    /// A gross price or amount, or a line's VAT amount ("Wartość brutto",
    /// "Kwota VAT"): never one of the net figures a line is read for.
    Gross,
    /// A column Docket does not read.
    Other,
}

/// Column words, compared in compact form. Longer wordings win.
#[rustfmt::skip]
const COLUMN_WORDS: &[(Col, &[&str])] = &[
    (Col::Position, &[
        "Pos", "Pos.", "Position", "Pos.-Nr.", "Lfd. Nr.", "Nr.", "No.", "Regel", "Ligne", "Line",
        "Lp.", "L.p.",
    ]),
    (Col::ItemId, &[
        "Art.-Nr.", "Art.Nr.", "Artikelnummer", "Artikel-Nr.", "Art-Nr-Lieferant", "Art-Nr-Lief.",
        "Unsere Art.Nr.", "Material", "Materialnummer", "SKU", "Item no.", "Item #", "Item code",
        "Product code", "Code", "Ref.", "Réf.", "Référence", "Reference", "Artikelcode",
        "Productcode", "Art.nr.", "GTIN", "EAN", "Kod towaru", "Kod produktu", "Indeks", "Symbol",
    ]),
    (Col::ItemOrDescription, &[
        "Artikel", "Item", "Article", "Produit",
    ]),
    (Col::Description, &[
        "Description", "Bezeichnung", "Artikelbezeichnung", "Beschreibung", "Artikelbeschreibung",
        "Leistung", "Produkt", "Product", "Product Title", "Omschrijving", "Artikelomschrijving",
        "Désignation", "Libellé", "Service", "Details", "Text", "Artikeltext",
        "Leistungsbeschreibung", "Nazwa", "Nazwa towaru", "Nazwa usługi", "Nazwa towaru/usługi",
        "Nazwa towaru lub usługi", "Nazwa produktu", "Towar/usługa", "Opis", "Opis towaru",
    ]),
    (Col::Quantity, &[
        "Qty", "Qty.", "Quantity", "Menge", "Anzahl", "Aantal", "Hoeveelheid", "Qté", "Quantité",
        "Nombre", "Stück", "Units", "Ilość",
    ]),
    (Col::Unit, &[
        "Unit", "Einheit", "ME", "Mengeneinheit", "Meng.- einheit", "Eenheid", "Unité", "UoM",
        "VKE/Geb", "J.m.", "Jm", "Jedn.", "Jednostka", "Jedn. miary",
    ]),
    (Col::UnitPrice, &[
        "Unit price", "Price", "Preis", "Einzelpreis", "E-Preis", "Stückpreis", "Nettopreis",
        "Preis/ Einheit", "Preis / Einheit", "VK-Preis", "Prijs", "Prijs per stuk", "Prijs/st",
        "Stukprijs", "Eenheidsprijs", "P.U.", "P.U. HT", "Prix unitaire", "Prix unitaire HT",
        "Prix", "Rate", "Unit cost", "Tarif", "Cena", "Cena netto", "Cena jedn.",
        "Cena jedn. netto", "Cena jednostkowa", "Cena jednostkowa netto",
    ]),
    (Col::Amount, &[
        "Amount", "Total", "Gesamt", "Gesamtpreis", "Gesamtbetrag", "Betrag", "Summe",
        "Nettobetrag", "Nettowert", "Zeilenbetrag", "Positionsbetrag", "Entgelt", "Wert", "Bedrag",
        "Totaal", "Montant", "Montant HT", "Total HT", "Line total", "Net amount", "Subtotal",
        "Prijs incl. BTW", "Amount (net)", "Wartość", "Wartość netto", "Kwota netto",
    ]),
    (Col::VatRate, &[
        "VAT", "VAT %", "MwSt", "MwSt.", "MwSt-%", "MwSt.-%", "USt", "USt.", "USt. %", "BTW",
        "BTW %", "TVA", "Tax", "Tax(%)", "Taxes", "Steuer", "Steuersatz", "USt.-Satz", "Tax rate",
        "Taux TVA", "Stawka VAT", "Stawka", "VAT [%]", "Stawka podatku", "St. VAT",
    ]),
    (Col::Discount, &[
        "Discount", "Disc.%", "Disc.", "Rabatt", "Rabatt %", "Korting", "Remise", "Rabat",
        "Rabat %", "Upust", "Wartość rabatu", "Kwota rabatu",
    ]),
    (Col::PriceBase, &[
        "Preisbasis", "PE", "Price base", "Price base Qty", "Price basis",
        "Base qty", "Basismenge", "Prijsbasis", "Base de prix",
    ]),
    (Col::Gross, &[
        "Cena brutto", "Cena jedn. brutto", "Wartość brutto", "Kwota brutto", "Kwota VAT",
        "Wartość VAT",
    ]),
];

/// The column a compacted header word names. The words are compacted once:
/// every line of every page is tried as a header, so this runs very often.
fn column_of(key: &str) -> Option<Col> {
    static INDEX: OnceLock<HashMap<String, Col>> = OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut map = HashMap::new();
        for (col, words) in COLUMN_WORDS {
            for word in *words {
                // Earlier columns win when two wordings compact alike.
                map.entry(compact(word)).or_insert(*col);
            }
        }
        map
    });
    index.get(key).copied()
}

/// A column of a table: what it holds and where.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Column {
    /// What it holds.
    pub col: Col,
    /// Left edge of its header words.
    pub x0: f32,
    /// Right edge of its header words.
    pub x1: f32,
}

/// The header cells of a line: column words matched longest first.
fn header_cells(view: &View, line: usize) -> Vec<Column> {
    let l = &view.lines[line];
    let keys: Vec<String> = l.toks.iter().map(|t| compact(&t.text)).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < keys.len() {
        let mut best = None;
        let mut key = String::new();
        for (j, part) in keys.iter().enumerate().skip(i).take(4) {
            key.push_str(part);
            // Words of one header cell stand close together.
            if j > i && l.toks[j].bbox.x0 - l.toks[j - 1].bbox.x1 > 1.2 * l.size {
                break;
            }
            if let Some(col) = column_of(&key) {
                best = Some((col, j + 1));
            }
        }
        let (col, end) = best.unwrap_or((Col::Other, i + 1));
        out.push(Column {
            col,
            x0: l.toks[i].bbox.x0,
            x1: l.toks[end - 1].bbox.x1,
        });
        i = end;
    }
    out
}

/// Whether a line's cells make a table header.
fn is_header(cells: &[Column]) -> bool {
    // Columns a line is read from: a gross column is known but not read.
    let known: BTreeSet<u8> = cells
        .iter()
        .filter(|c| !matches!(c.col, Col::Other | Col::Gross))
        .map(|c| c.col as u8)
        .collect();
    let numeric = cells
        .iter()
        .filter(|c| matches!(c.col, Col::Quantity | Col::UnitPrice | Col::Amount))
        .count();
    let texty = cells.iter().any(|c| {
        matches!(
            c.col,
            Col::Description | Col::ItemOrDescription | Col::ItemId | Col::Position
        )
    });
    let others = cells.iter().filter(|c| c.col == Col::Other).count();
    known.len() >= 3 && numeric >= 2 && texty && others * 2 <= cells.len()
}

/// Completes a header with the header lines stacked above and below it:
/// words over one another ("Preis/" over "Einheit", "Net / Unit / Price")
/// are read together, and a cell only another line names is added.
fn complete_header(view: &View, line: usize, mut cells: Vec<Column>) -> (Vec<Column>, Vec<usize>) {
    let l = &view.lines[line];
    let mut used = vec![line];
    // Each cell's words with their height, to read them top to bottom.
    let mut stacks: Vec<Vec<(f32, String)>> = cells
        .iter()
        .map(|c| vec![(l.bbox.y1, cell_key(view, line, c))])
        .collect();
    for other in super::stack::band(view, line) {
        let o = &view.lines[other];
        let mut touched = false;
        for oc in header_cells(view, other) {
            let key = cell_key(view, other, &oc);
            if key.is_empty() {
                continue;
            }
            let overlap = |c: &Column| oc.x1.min(c.x1) - oc.x0.max(c.x0);
            match (0..cells.len())
                .filter(|&i| overlap(&cells[i]) > 0.0)
                .max_by(|&a, &b| overlap(&cells[a]).total_cmp(&overlap(&cells[b])))
            {
                Some(i) => {
                    stacks[i].push((o.bbox.y1, key));
                    touched = true;
                }
                None if oc.col != Col::Other => {
                    cells.push(oc);
                    stacks.push(vec![(o.bbox.y1, key)]);
                    touched = true;
                }
                None => {}
            }
        }
        if touched {
            used.push(other);
        }
    }
    for (c, stack) in cells.iter_mut().zip(&mut stacks) {
        if stack.len() < 2 {
            continue;
        }
        stack.sort_by(|a, b| b.0.total_cmp(&a.0));
        let words: Vec<String> = stack.iter().map(|(_, w)| w.clone()).collect();
        if let Some(col) = column_of(&words.concat()).or_else(|| super::stack::classify(&words)) {
            c.col = col;
        }
    }
    cells.sort_by(|a, b| a.x0.total_cmp(&b.x0));
    let has_description = cells.iter().any(|c| c.col == Col::Description);
    for c in &mut cells {
        if c.col == Col::ItemOrDescription {
            c.col = if has_description {
                Col::ItemId
            } else {
                Col::Description
            };
        }
    }
    (cells, used)
}

fn cell_key(view: &View, line: usize, cell: &Column) -> String {
    let l = &view.lines[line];
    l.toks
        .iter()
        .filter(|t| t.bbox.x0 >= cell.x0 - 0.1 && t.bbox.x1 <= cell.x1 + 0.1)
        .map(|t| compact(&t.text))
        .collect()
}

/// A table found in the document.
#[derive(Debug, Clone)]
pub struct Table {
    /// The columns, left to right.
    pub columns: Vec<Column>,
    /// The items: for each, its lines (first the one that starts it).
    pub rows: Vec<Vec<usize>>,
    /// Every line that belongs to the table (headers, rows, skipped lines).
    pub lines: BTreeSet<usize>,
}

/// A line that starts with a totals label ("Subtotal", "BTW", "Total") is
/// part of the totals block, never an item.
fn is_totals_line(view: &View, line: usize) -> bool {
    view.lines[line].labels.iter().any(|h| {
        h.start <= 1
            && matches!(
                h.kind,
                LabelKind::NetTotal
                    | LabelKind::GrossTotal
                    | LabelKind::AmountDue
                    | LabelKind::LineTotal
                    | LabelKind::TaxTotal
                    | LabelKind::Prepaid
            )
    })
}

/// A line that opens with payment terms or bank details starts the part of
/// the page after the items: the table has ended, even where no totals
/// label came first (totals printed after the terms, or on their own).
fn opens_payment_section(view: &View, line: usize) -> bool {
    view.lines[line].labels.iter().any(|h| {
        h.start <= 1
            && matches!(
                h.kind,
                LabelKind::PaymentTerms | LabelKind::Iban | LabelKind::Bic
            )
    })
}

/// A line without numbers in larger type than the table's rows: the
/// heading of the next section ("Umsatzsteueraufschlüsselung",
/// "Zahlungsinformationen"), where the table has ended. (Not the header's
/// size: headers are often set smaller than the rows, and an introduction
/// between header and rows larger.)
fn is_section_heading(view: &View, line: usize, table: &Table) -> bool {
    let l = &view.lines[line];
    let rows = table
        .rows
        .iter()
        .flatten()
        .map(|&k| view.lines[k].size)
        .fold(0.0, f32::max);
    rows > 0.0 && l.size > 1.25 * rows && find_amounts(&l.texts(), view.notation).is_empty()
}

fn is_carry_over(view: &View, line: usize) -> bool {
    view.lines[line]
        .labels
        .iter()
        .any(|h| h.kind == LabelKind::CarryOver && h.start <= 1)
}

/// Which column a word belongs to: the header it overlaps most; a word
/// between headers belongs to the text column on its left when there is one
/// (descriptions run on to the right), else to the nearest column.
pub fn column_at(columns: &[Column], x0: f32, x1: f32) -> usize {
    let overlap = |c: &Column| (x1.min(c.x1 + 1.0) - x0.max(c.x0 - 1.0)).max(0.0);
    let distance = |c: &Column| {
        if x1 < c.x0 {
            c.x0 - x1
        } else if x0 > c.x1 {
            x0 - c.x1
        } else {
            0.0
        }
    };
    let best_overlap =
        (0..columns.len()).max_by(|&a, &b| overlap(&columns[a]).total_cmp(&overlap(&columns[b])));
    if let Some(i) = best_overlap.filter(|&i| overlap(&columns[i]) > 0.0) {
        return i;
    }
    let left = (0..columns.len()).rev().find(|&i| columns[i].x0 <= x0);
    if let Some(i) = left.filter(|&i| {
        matches!(
            columns[i].col,
            Col::Description | Col::ItemOrDescription | Col::Other
        )
    }) {
        return i;
    }
    (0..columns.len())
        .min_by(|&a, &b| distance(&columns[a]).total_cmp(&distance(&columns[b])))
        .unwrap_or(0)
}

/// Whether a line holds a number in a price or amount column (starts an item).
fn starts_item(view: &View, line: usize, columns: &[Column]) -> bool {
    let l = &view.lines[line];
    let texts = l.texts();
    // "Bruttopreis: 4,00", "Rabatt : 2,00": a detail of the item above.
    let keyed =
        texts.first().is_some_and(|t| t.ends_with(':')) || texts.get(1).is_some_and(|t| *t == ":");
    let numbers = find_amounts(&texts, view.notation)
        .iter()
        .filter(|m| m.decimals > 0)
        .count();
    if keyed && numbers <= 1 || super::detail::is_detail(view, line) {
        return false;
    }
    find_amounts(&texts, view.notation).iter().any(|m| {
        m.decimals > 0 && {
            let b = l.bbox_of(m.start, m.end);
            matches!(
                columns[column_at(columns, b.x0, b.x1)].col,
                Col::UnitPrice | Col::Amount
            )
        }
    })
}

/// How far apart two lines of one table may be, in font sizes.
const ROW_REACH: f32 = 6.0;

/// Finds the item tables of a document (usually one, continued over pages).
pub fn find(view: &View) -> Vec<Table> {
    let mut tables: Vec<Table> = Vec::new();
    let mut idx = 0;
    while idx < view.lines.len() {
        let cells = header_cells(view, idx);
        // Cheap test first; a header split over two lines passes once completed.
        if cells.iter().filter(|c| c.col != Col::Other).count() < 2 {
            idx += 1;
            continue;
        }
        let (columns, used) = complete_header(view, idx, cells);
        if !is_header(&columns) {
            idx += 1;
            continue;
        }
        // A header repeated on a later page continues the table above.
        let continues = tables.last().is_some_and(|t| {
            t.lines
                .last()
                .is_some_and(|&last| view.lines[last].page + 1 == view.lines[idx].page)
                && t.columns.len() == columns.len()
        });
        if !continues {
            tables.push(Table {
                columns: columns.clone(),
                rows: Vec::new(),
                lines: BTreeSet::new(),
            });
        }
        let Some(table) = tables.last_mut() else {
            break;
        };
        table.lines.extend(used.iter().copied());
        let header_end = used.iter().max().copied().unwrap_or(idx);
        let mut prev_y0 = view.lines[header_end].bbox.y0;
        let mut next = header_end + 1;
        let mut ended = false;
        let mut page = view.lines[idx].page;
        let rows_before = table.rows.len();
        while next < view.lines.len() && !ended {
            let l = &view.lines[next];
            // The table runs to the foot of its page without a totals line:
            // a header with no row under it yet has its rows at the top of
            // the next page; rows go on there when that page opens with an
            // item or the item above continued (no repeated header).
            if l.page == page + 1
                && (table.rows.len() == rows_before || page_goes_on(view, next, &columns))
            {
                page = l.page;
                prev_y0 = l.bbox.y0;
            }
            if l.page != page || prev_y0 - l.bbox.y1 > ROW_REACH * l.size.max(6.0) {
                break;
            }
            if is_header(&header_cells(view, next))
                || opens_payment_section(view, next)
                || is_section_heading(view, next, table)
            {
                break;
            }
            if is_totals_line(view, next) {
                // A subtotal inside the table ("Subtotal" per section) is not
                // its end when more items follow right after it.
                let more = (next + 1..(next + 4).min(view.lines.len()))
                    .take_while(|&k| view.lines[k].page == l.page)
                    .any(|k| {
                        starts_item(view, k, &columns)
                            && !is_totals_line(view, k)
                            && has_description(view, k, &columns)
                    });
                if !more {
                    ended = true;
                    continue;
                }
                table.lines.insert(next);
            } else if is_carry_over(view, next) {
                table.lines.insert(next);
            } else if starts_item(view, next, &columns)
                && !completes_row(view, next, &columns, table.rows.last())
            {
                let mut row = vec![next];
                if let Some(above) = overlapping_line_above(view, next, table, header_end) {
                    if let Some(prev) = table.rows.last_mut().filter(|r| r.len() > 1) {
                        prev.retain(|&k| k != above);
                    }
                    row.push(above);
                }
                table.rows.push(row);
                table.lines.insert(next);
            } else if let Some(row) = table
                .rows
                .last_mut()
                .filter(|r| r.last().is_some_and(|&p| view.lines[p].page == l.page))
            {
                row.push(next);
                table.lines.insert(next);
            } else {
                table.lines.insert(next);
            }
            prev_y0 = l.bbox.y0;
            next += 1;
        }
        idx = next.max(idx + 1);
    }
    tables.retain(|t| !t.rows.is_empty());
    tables
}

/// Whether two lines are printed over one another: cells of one tall row
/// centred at different heights ("(R) 6,00" half a line above the row's
/// prices, "(A) 6,00" half a line below).
pub fn overlap_vertically(view: &View, a: usize, b: usize) -> bool {
    let (a, b) = (&view.lines[a], &view.lines[b]);
    let overlap = a.bbox.y1.min(b.bbox.y1) - a.bbox.y0.max(b.bbox.y0);
    a.page == b.page && overlap > 0.25 * a.size.min(b.size)
}

/// The line just above a row's first line that is printed over it: part
/// of this row, not a continuation of the item above (nor a header line).
fn overlapping_line_above(
    view: &View,
    line: usize,
    table: &Table,
    header_end: usize,
) -> Option<usize> {
    let above = line.checked_sub(1)?;
    let free = table.rows.last().map_or(above > header_end, |r| {
        r.first() != Some(&above) && r.contains(&above)
    });
    (free && overlap_vertically(view, above, line)).then_some(above)
}

/// How many lines of the item above may open the next page before an item.
const CARRIED_LINES: usize = 8;

/// Whether the page that starts at line `first` goes on with the table: it
/// opens with an item, or with a few lines continuing the item above before
/// one. Those stand in the text columns, indented as the descriptions are;
/// a letterhead or a repeated header starts at the margin.
fn page_goes_on(view: &View, first: usize, columns: &[Column]) -> bool {
    let text_x0 = columns
        .iter()
        .filter(|c| matches!(c.col, Col::Description | Col::ItemOrDescription))
        .map(|c| c.x0)
        .reduce(f32::min);
    let page = view.lines[first].page;
    for k in (first..view.lines.len()).take(CARRIED_LINES) {
        let l = &view.lines[k];
        if l.page != page {
            return false;
        }
        if starts_item(view, k, columns) {
            return true;
        }
        let indented = text_x0.is_some_and(|x| l.bbox.x0 >= x - 2.0);
        if !indented || is_totals_line(view, k) || opens_payment_section(view, k) {
            return false;
        }
    }
    false
}

/// A line holding only an amount (and codes) under a row that lacks one: the
/// row's amount printed on its second line.
fn completes_row(view: &View, line: usize, columns: &[Column], row: Option<&Vec<usize>>) -> bool {
    let Some(&first) = row.and_then(|r| r.first()) else {
        return false;
    };
    let in_amount = |l: usize| {
        let texts = view.lines[l].texts();
        find_amounts(&texts, view.notation)
            .iter()
            .filter(|m| m.decimals > 0)
            .map(|m| {
                let b = view.lines[l].bbox_of(m.start, m.end);
                columns[column_at(columns, b.x0, b.x1)].col
            })
            .collect::<Vec<_>>()
    };
    let here = in_amount(line);
    let above = in_amount(first);
    // A description may wrap beside it ("Regio R9  80,00") when the row
    // above has its price but no amount.
    here.len() == 1
        && here[0] == Col::Amount
        && !above.contains(&Col::Amount)
        && (above.contains(&Col::UnitPrice) || !has_description(view, line, columns))
}

/// Whether a line has words in a text column (an item has; a sum row has not).
fn has_description(view: &View, line: usize, columns: &[Column]) -> bool {
    let l = &view.lines[line];
    l.toks.iter().any(|t| {
        let c = columns[column_at(columns, t.bbox.x0, t.bbox.x1)].col;
        matches!(c, Col::Description | Col::ItemId | Col::ItemOrDescription)
            && t.text.chars().any(char::is_alphabetic)
    })
}

#[cfg(test)]
#[path = "table_tests.rs"]
mod tests;
