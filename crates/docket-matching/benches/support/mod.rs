//! The synthetic ERP and the invoices of the matching bench, generated from a
//! seed (a xorshift64* generator: the same seed gives the same data).
//!
//! The snapshot, at full size ([`Size::FULL`]):
//!
//! - 50,000 suppliers in six countries (DE 55 %, NL 15 %, AT 10 %, FR 10 %,
//!   BE 5 %, IT 5 %), each with a unique VAT id in its country's format, one
//!   IBAN (30 %: two) with valid check digits, one mail domain, and a name
//!   built as people name companies: a family name or a region and a trade,
//!   or two family names, and the country's legal form ("Becker Logistik
//!   GmbH", "Jansen & De Vries B.V.", "Rhein Metallbau GmbH & Co. KG").
//!   The words come from lists of 120 family names, 60 trades and 40 regions,
//!   so a word is shared by a few hundred suppliers, as in real master data.
//! - 200,000 open purchase orders of 5 lines (1,000,000 lines), dated over the
//!   last year. Orders are spread over suppliers with a skew (supplier at
//!   fraction `x` of the list gets orders in proportion to `1 / sqrt(x)`):
//!   the largest supplier has about 900 orders, the median 3. Each supplier
//!   buys from its own assortment of 40 of 20,000 materials (codes, German
//!   descriptions; 70 % in pieces, 10 % each in kg, m and l; 9 % piece goods
//!   priced per 100; 20 % of the other piece lines also take boxes of 12);
//!   90 % of the lines are goods-receipt-based; half carry the supplier's
//!   own item code.
//! - Goods receipts: 80 % of the lines fully received (one receipt in seven of
//!   eight, two in the rest), 10 % partly (30-90 %), 10 % not at all.
//! - About 100,000 booked invoices: 55 % of the orders with a fully received
//!   line have an invoice booked for the first one to five of those lines
//!   (1 % of them reversed).
//!
//! The invoices to match come from the snapshot in this mix ([`MIX`]):
//! 57 % `exact` (names its PO; every received, not yet invoiced line at the PO
//! price), 5 % `partial` (a partly received line invoiced for what was
//! received), 10 % `price_within` (one line 0.5-1.9 % above the PO price;
//! the default tolerance is 2 %), 5 % `price_beyond` (one line 5-15 % above),
//! 7 % `awaiting_receipt` (a line not or partly received invoiced in full),
//! 8 % `no_po` (an `exact` invoice that names no PO, so matching searches
//! the supplier's open orders), 5 % `unknown_supplier` (VAT id, IBAN and
//! domain on no master record, a name made of the same words), 3 %
//! `duplicate` (a booked invoice sent again, its number written another way).
//! 90 % of the invoices carry the VAT id, 82 % an IBAN (always when the VAT
//! id is missing), 70 % come by mail from the supplier's domain; 40 % of the
//! lines of an invoice that names its PO name the PO line too; 85 % of the
//! lines carry an item code, the rest only the description.

use chrono::{Days, NaiveDate};
use docket_domain::erp::{
    BookedInvoice, BookedLine, ErpSnapshot, GoodsReceipt, PurchaseOrder, PurchaseOrderLine,
    Supplier, UnitConversion,
};
use docket_domain::{
    BankAccount, BusinessDocument, Currency, DocumentKind, Evidence, ExtractorKind, Field, Line,
    Money, SourceSyntax, TaxSubtotal,
};
use docket_matching::ErpIndex;
use rust_decimal::Decimal;

/// A xorshift64* generator, seeded through splitmix64.
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Rng {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }

    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (`n` below 2^32).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }

    /// Uniform in `lo..=hi`.
    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as usize) as i64
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// How much data to generate.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    /// Suppliers on the master data.
    pub suppliers: usize,
    /// Purchase orders (5 lines each).
    pub orders: usize,
    /// Materials in the catalogue.
    pub materials: usize,
}

impl Size {
    /// 50,000 suppliers, 1,000,000 PO lines.
    pub const FULL: Size = Size {
        suppliers: 50_000,
        orders: 200_000,
        materials: 20_000,
    };

    /// The full size times `factor` (for quick trial runs).
    pub fn scaled(factor: f64) -> Size {
        let scale = |n: usize| ((n as f64 * factor).round() as usize).max(50);
        Size {
            suppliers: scale(Size::FULL.suppliers),
            orders: scale(Size::FULL.orders),
            materials: scale(Size::FULL.materials),
        }
    }
}

/// Lines per purchase order.
pub const LINES_PER_ORDER: usize = 5;
/// Materials each supplier sells.
const ASSORTMENT: usize = 40;
/// The day the snapshot is taken.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).unwrap_or_default()
}

/// A country: its share of suppliers, standard VAT rate, legal forms, TLD.
struct Country {
    code: &'static str,
    share: f64,
    vat_rate: i64,
    legal_forms: &'static [&'static str],
    tld: &'static str,
}

const COUNTRIES: [Country; 6] = [
    Country {
        code: "DE",
        share: 0.55,
        vat_rate: 19,
        legal_forms: &["GmbH", "GmbH", "GmbH & Co. KG", "AG", "KG", "e.K."],
        tld: "de",
    },
    Country {
        code: "NL",
        share: 0.15,
        vat_rate: 21,
        legal_forms: &["B.V.", "B.V.", "N.V.", "V.O.F."],
        tld: "nl",
    },
    Country {
        code: "AT",
        share: 0.10,
        vat_rate: 20,
        legal_forms: &["GmbH", "GmbH", "AG", "KG"],
        tld: "at",
    },
    Country {
        code: "FR",
        share: 0.10,
        vat_rate: 20,
        legal_forms: &["SAS", "SARL", "SA"],
        tld: "fr",
    },
    Country {
        code: "BE",
        share: 0.05,
        vat_rate: 21,
        legal_forms: &["NV", "BV", "SRL"],
        tld: "be",
    },
    Country {
        code: "IT",
        share: 0.05,
        vat_rate: 22,
        legal_forms: &["S.r.l.", "S.r.l.", "S.p.A."],
        tld: "it",
    },
];

#[rustfmt::skip]
const FAMILY_NAMES: [&str; 120] = [
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
    "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
    "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt",
    "Werner", "Schmitz", "Krause", "Meier", "Lehmann", "Schmid", "Schulze", "Maier", "Köhler",
    "Herrmann", "König", "Walter", "Mayer", "Huber", "Kaiser", "Fuchs", "Peters", "Lang", "Scholz",
    "Möller", "Weiß", "Jung", "Hahn", "Schubert", "Vogel", "Friedrich", "Keller", "Günther",
    "Frank", "Berger", "Winkler", "Roth", "Beck", "Lorenz", "Baumann", "Franke", "Albrecht",
    "Schuster", "Simon", "Ludwig", "Böhm", "Winter", "Kraus", "Martin", "Schumacher", "Krämer",
    "Vogt", "Stein", "Jäger", "Otto", "Sommer", "Groß", "Seidel", "Heinrich", "Brandt", "Haas",
    "Schreiber", "Graf", "Dietrich", "Ziegler", "Kuhn", "Pohl", "Engel", "Horn", "Jansen",
    "De Vries", "Van den Berg", "Bakker", "Visser", "Smit", "Meijer", "De Boer", "Mulder",
    "De Groot", "Bos", "Vos", "Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems",
    "Dubois", "Durand", "Lefebvre", "Moreau", "Laurent", "Garnier", "Rossi", "Russo", "Ferrari",
    "Esposito", "Bianchi", "Romano",
];

#[rustfmt::skip]
const TRADES: [&str; 60] = [
    "Logistik", "Metallbau", "Elektrotechnik", "Bürobedarf", "Maschinenbau", "Kunststofftechnik",
    "Druckerei", "Haustechnik", "Industriebedarf", "Werkzeugbau", "Stahlhandel", "Holzbau",
    "Gebäudereinigung", "Sanitär", "Antriebstechnik", "Hydraulik", "Pneumatik", "Schweißtechnik",
    "Lackiererei", "Gießerei", "Feinmechanik", "Zerspanungstechnik", "Automation", "Messtechnik",
    "Labortechnik", "Medizintechnik", "Lebensmittel", "Getränke", "Chemie", "Papier", "Kartonagen",
    "Textil", "Arbeitsschutz", "Befestigungstechnik", "Lagertechnik", "Fördertechnik",
    "Kältetechnik", "Klimatechnik", "Solartechnik", "Energietechnik", "Kabelwerk", "Schrauben",
    "Dichtungstechnik", "Armaturen", "Pumpen", "Filtertechnik", "Oberflächentechnik", "Baustoffe",
    "Fliesen", "Glas", "Computer", "Software", "Informationstechnik", "Elektronik", "Beleuchtung",
    "Möbel", "Gartenbau", "Catering", "Facility", "Consulting",
];

#[rustfmt::skip]
const REGIONS: [&str; 40] = [
    "Rhein", "Nord", "Süd", "Alpen", "Elbe", "Main", "Hanse", "Ruhr", "Weser", "Donau", "Mosel",
    "Saar", "Harz", "Eifel", "Taunus", "Allgäu", "Baltic", "Delta", "Holland", "Brabant",
    "Limburg", "Twente", "Flandern", "Ardennen", "Alsace", "Lorraine", "Bourgogne", "Provence",
    "Lombardia", "Piemonte", "Veneto", "Toscana", "Tirol", "Steiermark", "Kärnten", "Vorarlberg",
    "Franken", "Schwaben", "Sachsen", "Westfalen",
];

#[rustfmt::skip]
const GOODS: [&str; 40] = [
    "Sechskantschraube", "Zylinderschraube", "Mutter", "Unterlegscheibe", "Dübel", "Kopierpapier",
    "Ordner", "Toner", "Kugelschreiber", "Kabel NYM-J", "Schutzhandschuhe", "Schutzbrille",
    "Gehörschutz", "Kabelbinder", "Isolierband", "Schlauch", "Dichtring", "Kugellager",
    "Keilriemen", "Hydrauliköl", "Schmierfett", "Reinigungsmittel", "Putztücher", "Stahlblech",
    "Rundstahl", "Flachstahl", "Aluminiumprofil", "Kupferrohr", "Kunststoffplatte", "Holzpalette",
    "Stretchfolie", "Klebeband", "Etiketten", "Schleifscheibe", "Bohrer HSS", "Sicherung",
    "Schütz", "Relais", "Leuchtmittel LED", "Filterelement",
];

#[rustfmt::skip]
const FINISHES: [&str; 12] = [
    "verzinkt", "Edelstahl A2", "Edelstahl A4", "schwarz", "weiß", "blau", "Standard", "Premium",
    "DIN 933", "DIN 912", "EN 388", "Industriequalität",
];

/// German bank codes (BLZ) and Dutch, Austrian, French, Belgian and Italian bank identifiers.
const DE_BANKS: [&str; 6] = [
    "37040044", "50010517", "20041133", "70150000", "10010010", "60050101",
];
const NL_BANKS: [&str; 4] = ["ABNA", "INGB", "RABO", "TRIO"];
const AT_BANKS: [&str; 4] = ["12000", "20111", "32000", "14000"];
const FR_BANKS: [&str; 4] = ["30004", "30003", "10278", "20041"];
const BE_BANKS: [&str; 4] = ["001", "068", "310", "735"];
const IT_BANKS: [&str; 4] = ["05428", "03069", "02008", "01030"];

/// One material of the catalogue.
struct Material {
    code: String,
    description: String,
    unit: &'static str,
    /// Price per `price_unit`.
    price: Decimal,
    price_unit: Decimal,
}

fn materials(rng: &mut Rng, n: usize) -> Vec<Material> {
    (0..n)
        .map(|i| {
            let goods = rng.pick(&GOODS);
            let finish = rng.pick(&FINISHES);
            let (unit, spec) = match rng.below(10) {
                0 => ("KGM", format!("{} kg Gebinde", rng.between(1, 50))),
                1 => (
                    "MTR",
                    format!("{}x{} mm", rng.between(1, 30), rng.between(1, 10)),
                ),
                2 => ("LTR", format!("{} l", rng.between(1, 20))),
                _ => (
                    "PCE",
                    format!("M{}x{}", rng.between(3, 24), rng.between(2, 40) * 5),
                ),
            };
            let per_hundred = unit == "PCE" && rng.chance(0.13);
            let (price, price_unit) = if per_hundred {
                (
                    Decimal::new(rng.between(100, 6_000), 2),
                    Decimal::ONE_HUNDRED,
                )
            } else {
                // Log-uniform from 0.50 to 800.00.
                let cents = (50.0 * (1_600.0f64).powf(rng.unit())).round() as i64;
                (Decimal::new(cents, 2), Decimal::ONE)
            };
            Material {
                code: format!("M-{:06}", 100_000 + i),
                description: format!("{goods} {spec} {finish}"),
                unit,
                price,
                price_unit,
            }
        })
        .collect()
}

/// A nine-digit number unique for every `n` below 113,000.
fn nine_digits(n: u64) -> u64 {
    100_000_000 + (n * 7_919) % 900_000_000
}

/// A VAT id in the country's format, unique per `n`.
fn vat_id(country: &str, n: u64) -> String {
    match country {
        "DE" => format!("DE{}", nine_digits(n)),
        "NL" => format!("NL{}B01", nine_digits(n)),
        "AT" => format!("ATU{}", 10_000_000 + n * 997),
        "FR" => format!("FR{:02}{}", n % 97, nine_digits(n)),
        "BE" => format!("BE0{}", nine_digits(n)),
        _ => format!("IT{}", 10_000_000_000 + n * 104_729),
    }
}

/// An IBAN with its ISO 13616 check digits.
fn iban(country: &str, bban: &str) -> String {
    let mut rest = 0u32;
    for c in bban.chars().chain(country.chars()).chain("00".chars()) {
        let v = c.to_digit(36).unwrap_or(0);
        rest = if v >= 10 {
            (rest * 100 + v) % 97
        } else {
            (rest * 10 + v) % 97
        };
    }
    format!("{country}{:02}{bban}", 98 - rest)
}

/// The `k`-th IBAN of account holder `n` (unique per `n` and `k`).
fn iban_of(rng: &mut Rng, country: &str, n: u64, k: u64) -> String {
    let account = n * 2 + k;
    let bban = match country {
        "DE" => format!("{}{:010}", rng.pick(&DE_BANKS), 1_000_000_000 + account),
        "NL" => format!("{}{:010}", rng.pick(&NL_BANKS), 1_000_000_000 + account),
        "AT" => format!("{}{:011}", rng.pick(&AT_BANKS), 10_000_000_000 + account),
        "FR" => format!(
            "{}{:05}{:011}{:02}",
            rng.pick(&FR_BANKS),
            rng.between(1, 99_999),
            10_000_000_000 + account,
            account % 97
        ),
        "BE" => format!("{}{:09}", rng.pick(&BE_BANKS), 100_000_000 + account),
        _ => format!(
            "X{}{:05}{:012}",
            rng.pick(&IT_BANKS),
            rng.between(1, 99_999),
            account
        ),
    };
    let iban = iban(country, &bban);
    debug_assert!(docket_domain::iban::validate(&iban).is_ok(), "{iban}");
    iban
}

fn country(rng: &mut Rng) -> &'static Country {
    let mut x = rng.unit();
    for c in &COUNTRIES {
        if x < c.share {
            return c;
        }
        x -= c.share;
    }
    &COUNTRIES[0]
}

/// A company name as people write them.
fn company_name(rng: &mut Rng, country: &Country) -> String {
    let legal = rng.pick(country.legal_forms);
    match rng.below(10) {
        0..=4 => format!("{} {} {legal}", rng.pick(&FAMILY_NAMES), rng.pick(&TRADES)),
        5 | 6 => format!(
            "{} & {} {legal}",
            rng.pick(&FAMILY_NAMES),
            rng.pick(&FAMILY_NAMES)
        ),
        _ => format!("{} {} {legal}", rng.pick(&REGIONS), rng.pick(&TRADES)),
    }
}

/// The first word of a name as a domain label.
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.split_whitespace().next().unwrap_or("x").chars() {
        match c.to_lowercase().next().unwrap_or(c) {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            c if c.is_ascii_alphanumeric() => out.push(c),
            _ => {}
        }
    }
    out
}

/// A supplier record for account holder `n` (suppliers on the master data
/// have `n` below [`Size::suppliers`]; unknown senders above).
fn supplier(rng: &mut Rng, n: u64) -> Supplier {
    let country = country(rng);
    let name = company_name(rng, country);
    let mut ibans = vec![iban_of(rng, country.code, n, 0)];
    if rng.chance(0.3) {
        ibans.push(iban_of(rng, country.code, n, 1));
    }
    Supplier {
        id: format!("{:010}", 100_000 + n),
        vat_id: Some(vat_id(country.code, n)),
        tax_number: None,
        country: Some(country.code.to_string()),
        ibans,
        email_domains: vec![format!("{}-{n:x}.{}", slug(&name), country.tld)],
        name,
        posting_blocked: false,
        payment_blocked: false,
    }
}

/// The supplier's invoice number `n`, in one of five numbering schemes.
fn invoice_number(supplier: usize, n: u32) -> String {
    match supplier % 5 {
        0 => format!("RE-2026-{n:05}"),
        1 => format!("INV{n:06}"),
        2 => format!("F2026/{n:04}"),
        3 => format!("{}", 10_000 + n),
        _ => format!("{n}/2026"),
    }
}

fn vat_rate_of(supplier: &Supplier) -> Decimal {
    let code = supplier.country.as_deref().unwrap_or("DE");
    let rate = COUNTRIES
        .iter()
        .find(|c| c.code == code)
        .map_or(19, |c| c.vat_rate);
    Decimal::from(rate)
}

fn days_after(date: NaiveDate, days: i64) -> NaiveDate {
    date.checked_add_days(Days::new(days.max(0) as u64))
        .unwrap_or(date)
        .min(today())
}

fn net_of(quantity: Decimal, price: Decimal, price_unit: Decimal) -> Decimal {
    (quantity * price / price_unit).round_dp(2)
}

/// Generates the snapshot.
pub fn snapshot(seed: u64, size: Size) -> ErpSnapshot {
    let mut rng = Rng::new(seed);
    let catalogue = materials(&mut rng, size.materials);
    let suppliers: Vec<Supplier> = (0..size.suppliers as u64)
        .map(|n| supplier(&mut rng, n))
        .collect();
    let mut erp = ErpSnapshot {
        suppliers,
        purchase_orders: Vec::with_capacity(size.orders),
        goods_receipts: Vec::with_capacity(size.orders * LINES_PER_ORDER * 21 / 20),
        booked_invoices: Vec::with_capacity(size.orders / 2),
        ..ErpSnapshot::default()
    };
    let mut invoiced = vec![0u32; size.suppliers];
    let mut receipt_no = 5_000_000_000u64;
    for o in 0..size.orders {
        // Skewed: supplier at fraction x of the list gets orders in proportion to 1/sqrt(x).
        let u = rng.unit();
        let s = ((u * u) * size.suppliers as f64) as usize % size.suppliers;
        let supplier = &erp.suppliers[s];
        let order_date = days_after(today() - Days::new(365), rng.between(0, 364));
        let number = format!("{}", 4_500_000_000u64 + o as u64);
        let start = (s * 53) % size.materials;
        let mut slots: Vec<usize> = Vec::with_capacity(LINES_PER_ORDER);
        while slots.len() < LINES_PER_ORDER {
            let slot = rng.below(ASSORTMENT);
            if !slots.contains(&slot) {
                slots.push(slot);
            }
        }
        let rate = vat_rate_of(supplier);
        let mut lines = Vec::with_capacity(LINES_PER_ORDER);
        // (line, received) of the fully received lines, for a booked invoice.
        let mut full: Vec<(usize, Decimal, String)> = Vec::new();
        for (k, slot) in slots.into_iter().enumerate() {
            let m = &catalogue[(start + slot) % size.materials];
            let quantity = if m.price_unit == Decimal::ONE_HUNDRED {
                Decimal::from(rng.between(1, 50) * 100)
            } else if m.unit == "PCE" {
                Decimal::from(rng.between(1, 20) * 12)
            } else if rng.chance(0.1) {
                Decimal::new(rng.between(10, 5_000), 1)
            } else {
                Decimal::from(rng.between(1, 500))
            };
            let boxes = m.unit == "PCE" && m.price_unit == Decimal::ONE && rng.chance(0.2);
            let goods_receipt_based = rng.chance(0.9);
            let line_no = format!("{}", (k + 1) * 10);
            lines.push(PurchaseOrderLine {
                line: line_no.clone(),
                item_code: Some(m.code.clone()),
                supplier_item_code: rng
                    .chance(0.5)
                    .then(|| format!("{}-{}", s % 997, &m.code[2..])),
                description: m.description.clone(),
                quantity,
                unit: m.unit.to_string(),
                unit_price: m.price,
                price_unit: m.price_unit,
                tax_rate: Some(rate),
                goods_receipt_based,
                unit_conversions: if boxes {
                    vec![UnitConversion {
                        unit: "BX".to_string(),
                        factor: Decimal::from(12),
                    }]
                } else {
                    Vec::new()
                },
            });
            let state = rng.below(10);
            let received = match state {
                0..=7 => quantity,
                8 => (quantity * Decimal::from(rng.between(3, 9)) / Decimal::TEN).round_dp(0),
                _ => Decimal::ZERO,
            };
            let parts = if state <= 7 && rng.chance(0.125) && received >= Decimal::TWO {
                let first = (received / Decimal::TWO).round_dp(0);
                vec![first, received - first]
            } else if received > Decimal::ZERO {
                vec![received]
            } else {
                Vec::new()
            };
            let mut last = String::new();
            for (i, q) in parts.into_iter().enumerate() {
                receipt_no += 1;
                last = receipt_no.to_string();
                erp.goods_receipts.push(GoodsReceipt {
                    number: last.clone(),
                    item: format!("{}", i + 1),
                    purchase_order: number.clone(),
                    purchase_order_line: line_no.clone(),
                    quantity: q,
                    date: days_after(order_date, rng.between(2, 20) + 10 * i as i64),
                });
            }
            if state <= 7 {
                full.push((k, received, last));
            }
        }
        if !full.is_empty() && rng.chance(0.55) {
            let take = rng.between(1, full.len() as i64) as usize;
            let booked: Vec<BookedLine> = full[..take]
                .iter()
                .map(|(k, received, receipt)| {
                    let line: &PurchaseOrderLine = &lines[*k];
                    BookedLine {
                        purchase_order: number.clone(),
                        purchase_order_line: line.line.clone(),
                        quantity: *received,
                        amount: net_of(*received, line.unit_price, line.price_unit),
                        goods_receipt: Some(receipt.clone()),
                        account: None,
                    }
                })
                .collect();
            let net: Decimal = booked.iter().map(|l| l.amount).sum();
            let tax = (net * rate / Decimal::ONE_HUNDRED).round_dp(2);
            invoiced[s] += 1;
            erp.booked_invoices.push(BookedInvoice {
                erp_ref: format!("{}", 5_100_000_000u64 + erp.booked_invoices.len() as u64),
                supplier_id: supplier.id.clone(),
                supplier_reference: invoice_number(s, invoiced[s]),
                kind: DocumentKind::Invoice,
                document_date: days_after(order_date, rng.between(10, 40)),
                gross: Money::new(net + tax, Currency::EUR),
                lines: booked,
                idempotency_key: None,
                reversed: rng.chance(0.01),
            });
        }
        erp.purchase_orders.push(PurchaseOrder {
            number,
            supplier_id: supplier.id.clone(),
            order_date,
            currency: Currency::EUR,
            company: Some(if rng.chance(0.8) { "1000" } else { "2000" }.to_string()),
            planned_delivery_costs: rng
                .chance(0.1)
                .then(|| Decimal::new(rng.between(500, 15_000), 2)),
            closed: false,
            lines,
        });
    }
    erp
}

/// The kinds of invoices in the mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// Names its PO; received, not yet invoiced lines at the PO price.
    Exact,
    /// A partly received line invoiced for what was received.
    Partial,
    /// One line 0.5-1.9 % above the PO price.
    PriceWithin,
    /// One line 5-15 % above the PO price.
    PriceBeyond,
    /// A line not (fully) received invoiced in full.
    AwaitingReceipt,
    /// An exact invoice that names no PO.
    NoPo,
    /// A sender on no master record.
    UnknownSupplier,
    /// A booked invoice sent again.
    Duplicate,
}

impl Category {
    /// Every category, in the order reports list them.
    pub const ALL: [Category; 8] = [
        Category::Exact,
        Category::Partial,
        Category::PriceWithin,
        Category::PriceBeyond,
        Category::AwaitingReceipt,
        Category::NoPo,
        Category::UnknownSupplier,
        Category::Duplicate,
    ];

    /// The name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Category::Exact => "exact",
            Category::Partial => "partial",
            Category::PriceWithin => "price_within",
            Category::PriceBeyond => "price_beyond",
            Category::AwaitingReceipt => "awaiting_receipt",
            Category::NoPo => "no_po",
            Category::UnknownSupplier => "unknown_supplier",
            Category::Duplicate => "duplicate",
        }
    }

    /// The verdict an invoice of this category should get (`None`: either
    /// way, as the search finds one order or several).
    pub fn expected(self) -> Option<&'static str> {
        match self {
            Category::Exact | Category::Partial | Category::PriceWithin => Some("book"),
            Category::PriceBeyond | Category::UnknownSupplier => Some("exception"),
            Category::AwaitingReceipt => Some("wait"),
            Category::Duplicate => Some("duplicate"),
            Category::NoPo => None,
        }
    }
}

/// The mix, in per cent.
pub const MIX: [(Category, u32); 8] = [
    (Category::Exact, 57),
    (Category::Partial, 5),
    (Category::PriceWithin, 10),
    (Category::PriceBeyond, 5),
    (Category::AwaitingReceipt, 7),
    (Category::NoPo, 8),
    (Category::UnknownSupplier, 5),
    (Category::Duplicate, 3),
];

/// One invoice to match.
pub struct Case {
    /// What kind of invoice it is.
    pub category: Category,
    /// The invoice as extraction would hand it over.
    pub document: BusinessDocument,
    /// The mail domain it came from, if by mail.
    pub sender_domain: Option<String>,
}

fn f<T>(value: T) -> Field<T> {
    Field::new(value, Evidence::xml(ExtractorKind::Cii, "bench", "bench"))
}

fn eur(amount: Decimal) -> Money {
    Money::new(amount, Currency::EUR)
}

/// One invoice line against a PO line.
struct Billed<'a> {
    line: &'a PurchaseOrderLine,
    quantity: Decimal,
    /// Per the PO line's price unit.
    price: Decimal,
}

/// What a PO line has had: received, and invoiced (not reversed).
fn history(index: &ErpIndex<'_>, po: &PurchaseOrder) -> Vec<(Decimal, Decimal)> {
    let booked = index.booked_of(&po.supplier_id);
    po.lines
        .iter()
        .map(|line| {
            let received = index
                .receipts_of(&po.number)
                .filter(|g| g.purchase_order_line == line.line)
                .map(|g| g.quantity)
                .sum();
            let invoiced = booked
                .iter()
                .filter(|b| !b.reversed)
                .flat_map(|b| &b.lines)
                .filter(|l| l.purchase_order == po.number && l.purchase_order_line == line.line)
                .map(|l| l.quantity)
                .sum();
            (received, invoiced)
        })
        .collect()
}

/// Builds the mix of `n` invoices from the snapshot.
pub fn invoices(seed: u64, erp: &ErpSnapshot, index: &ErpIndex<'_>, n: usize) -> Vec<Case> {
    let mut rng = Rng::new(seed ^ 0x1A2B_3C4D);
    let mut cases = Vec::with_capacity(n);
    let total: u32 = MIX.iter().map(|(_, p)| p).sum();
    for j in 0..n {
        let mut draw = rng.below(total as usize) as u32;
        let mut category = Category::Exact;
        for (c, p) in MIX {
            if draw < p {
                category = c;
                break;
            }
            draw -= p;
        }
        // Bounded: a category the snapshot cannot serve falls back to `exact`.
        let case = (0..1_000)
            .find_map(|_| build(&mut rng, erp, index, category, j))
            .or_else(|| (0..1_000).find_map(|_| build(&mut rng, erp, index, Category::Exact, j)));
        cases.extend(case);
    }
    cases
}

/// One invoice of `category` from a random order, or `None` when the order
/// does not fit the category (the caller draws another).
fn build(
    rng: &mut Rng,
    erp: &ErpSnapshot,
    index: &ErpIndex<'_>,
    category: Category,
    j: usize,
) -> Option<Case> {
    if category == Category::Duplicate {
        return duplicate(rng, erp, index);
    }
    let po = rng.pick(&erp.purchase_orders);
    let states = history(index, po);
    let open = |k: usize| {
        let (received, invoiced) = states[k];
        let line = &po.lines[k];
        invoiced.is_zero() && (!line.goods_receipt_based || received == line.quantity)
    };
    let mut billed: Vec<Billed<'_>> = (0..po.lines.len())
        .filter(|&k| open(k))
        .map(|k| Billed {
            line: &po.lines[k],
            quantity: po.lines[k].quantity,
            price: po.lines[k].unit_price,
        })
        .collect();
    // A goods-receipt-based line not fully received and not invoiced.
    let short = (0..po.lines.len()).find(|&k| {
        let (received, invoiced) = states[k];
        let line = &po.lines[k];
        line.goods_receipt_based && invoiced.is_zero() && received < line.quantity
    });
    match category {
        Category::Partial => {
            let k = short.filter(|&k| states[k].0 > Decimal::ZERO)?;
            billed.push(Billed {
                line: &po.lines[k],
                quantity: states[k].0,
                price: po.lines[k].unit_price,
            });
        }
        Category::AwaitingReceipt => {
            let k = short?;
            billed.push(Billed {
                line: &po.lines[k],
                quantity: po.lines[k].quantity,
                price: po.lines[k].unit_price,
            });
        }
        Category::PriceWithin | Category::PriceBeyond => {
            // Basis points above the PO price.
            let (lo, hi) = if category == Category::PriceWithin {
                (50, 190)
            } else {
                (500, 1_500)
            };
            let b = billed.first_mut()?;
            let factor = Decimal::new(10_000 + rng.between(lo, hi), 4);
            let price = (b.price * factor).round_dp(2);
            let percent = (price - b.price) / b.price * Decimal::ONE_HUNDRED;
            let limit = if category == Category::PriceWithin {
                percent > Decimal::ZERO && percent <= Decimal::TWO
            } else {
                percent > Decimal::from(3)
            };
            if !limit {
                return None;
            }
            b.price = price;
        }
        _ => {}
    }
    if billed.is_empty() {
        return None;
    }
    let number = 50_000 + j as u32;
    let (supplier, s) = if category == Category::UnknownSupplier {
        let n = erp.suppliers.len() as u64 + j as u64;
        (supplier(rng, n), n as usize)
    } else {
        let s = index.supplier(&po.supplier_id)?;
        (s.clone(), supplier_position(s))
    };
    let date = days_after(po.order_date, rng.between(3, 30));
    let names_po = category != Category::NoPo;
    let document = document(
        rng,
        &supplier,
        &invoice_number(s, number),
        date,
        names_po.then_some(po.number.as_str()),
        &billed,
    );
    let sender_domain = rng.chance(0.7).then(|| supplier.email_domains[0].clone());
    Some(Case {
        category,
        document,
        sender_domain,
    })
}

/// The supplier's position in the generated list (its id is 100,000 + n).
fn supplier_position(s: &Supplier) -> usize {
    s.id.parse::<usize>().unwrap_or(100_000) - 100_000
}

/// A booked invoice sent again: same lines, its number written another way.
fn duplicate(rng: &mut Rng, erp: &ErpSnapshot, index: &ErpIndex<'_>) -> Option<Case> {
    let booked = rng.pick(&erp.booked_invoices);
    if booked.reversed {
        return None;
    }
    let supplier = index.supplier(&booked.supplier_id)?;
    let billed: Vec<Billed<'_>> = booked
        .lines
        .iter()
        .filter_map(|l| {
            let po = index.order(&l.purchase_order)?;
            let line = po.lines.iter().find(|p| p.line == l.purchase_order_line)?;
            Some(Billed {
                line,
                quantity: l.quantity,
                price: line.unit_price,
            })
        })
        .collect();
    let number = booked
        .supplier_reference
        .to_lowercase()
        .replace(['-', '/'], " ");
    let po = booked.lines.first().map(|l| l.purchase_order.as_str());
    let document = document(rng, supplier, &number, booked.document_date, po, &billed);
    let sender_domain = rng.chance(0.7).then(|| supplier.email_domains[0].clone());
    Some(Case {
        category: Category::Duplicate,
        document,
        sender_domain,
    })
}

/// An IBAN as printed: groups of four.
fn printed(iban: &str) -> String {
    iban.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The invoice document of `supplier` for the billed lines.
fn document(
    rng: &mut Rng,
    supplier: &Supplier,
    number: &str,
    date: NaiveDate,
    po: Option<&str>,
    billed: &[Billed<'_>],
) -> BusinessDocument {
    let mut doc = BusinessDocument::empty(f(DocumentKind::Invoice), SourceSyntax::Cii);
    doc.header.number = Some(f(number.to_string()));
    doc.header.issue_date = Some(f(date));
    doc.header.currency = Some(f(Currency::EUR));
    doc.seller.name = Some(f(supplier.name.clone()));
    let with_vat = rng.chance(0.9);
    if with_vat {
        doc.seller.vat_id = supplier.vat_id.clone().map(f);
    }
    if !with_vat || rng.chance(0.8) {
        let iban = rng.pick(&supplier.ibans);
        doc.seller.bank_accounts = vec![BankAccount {
            iban: f(printed(iban)),
            bic: None,
            holder: None,
        }];
    }
    doc.references.purchase_orders = po.map(|p| vec![f(p.to_string())]).unwrap_or_default();
    let rate = vat_rate_of(supplier);
    doc.lines = billed
        .iter()
        .enumerate()
        .map(|(i, b)| line(rng, i, b, rate, po.is_some()))
        .collect();
    let net: Decimal = doc
        .lines
        .iter()
        .filter_map(|l| l.amount.as_ref().map(|a| a.value.amount))
        .sum();
    let tax = (net * rate / Decimal::ONE_HUNDRED).round_dp(2);
    doc.tax_breakdown = vec![TaxSubtotal {
        category: Some("S".to_string()),
        rate: Some(rate),
        taxable: Some(f(eur(net))),
        tax: f(eur(tax)),
        exemption_reason: None,
    }];
    doc.totals.line_total = Some(f(eur(net)));
    doc.totals.net = Some(f(eur(net)));
    doc.totals.tax = Some(f(eur(tax)));
    doc.totals.gross = Some(f(eur(net + tax)));
    doc.totals.due = Some(f(eur(net + tax)));
    doc
}

/// One invoice line: in boxes where the PO line takes them (half the time),
/// with the PO line number (40 %, only when the PO is named), an item code
/// (85 %) or only the description.
fn line(rng: &mut Rng, i: usize, b: &Billed<'_>, rate: Decimal, names_po: bool) -> Line {
    let po_line = b.line;
    let amount = net_of(b.quantity, b.price, po_line.price_unit);
    let twelve = Decimal::from(12);
    let in_boxes =
        !po_line.unit_conversions.is_empty() && (b.quantity % twelve).is_zero() && rng.chance(0.5);
    let (quantity, unit, price) = if in_boxes {
        (b.quantity / twelve, "BX".to_string(), b.price * twelve)
    } else {
        (b.quantity, po_line.unit.clone(), b.price)
    };
    let code = if rng.chance(0.85) {
        po_line
            .supplier_item_code
            .clone()
            .or_else(|| po_line.item_code.clone())
    } else {
        None
    };
    Line {
        id: Some(f(format!("{}", i + 1))),
        seller_item_id: code.map(f),
        description: Some(f(po_line.description.clone())),
        quantity: Some(f(quantity)),
        unit: Some(f(unit)),
        unit_price: Some(f(eur(price))),
        price_unit: (po_line.price_unit != Decimal::ONE).then(|| f(po_line.price_unit)),
        tax_rate: Some(f(rate)),
        amount: Some(f(eur(amount))),
        purchase_order_line: (names_po && rng.chance(0.4)).then(|| f(po_line.line.clone())),
        ..Line::default()
    }
}
