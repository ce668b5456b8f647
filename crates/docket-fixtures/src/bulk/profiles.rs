//! The bulk set's suppliers: who sends how often, through which channel, how
//! they number invoices and what they sell.
//!
//! The companies, layouts and most articles are the committed scenarios' own;
//! the suppliers with short catalogues get a few more articles here, so that an
//! invoice can have up to eight distinct lines. Each supplier keeps to the
//! channels its committed documents use (Dubois always sends Factur-X, Schmidt
//! UBL), so every PDF is in a layout the extractor has seen.

use rust_decimal_macros::dec;

use crate::scenarios::catalogue::*;
use crate::scenarios::parties::{
    BRIGHTLINE, DUBOIS, FELDMANN, MUELLER, NORDWIND, SCHMIDT, VAN_LEEUWEN,
};
use crate::scenarios::{Channel, Company, Unit};

/// How one supplier appears in a bulk set.
#[derive(Debug)]
pub struct Profile {
    /// The company (its layout decides the PDF's look).
    pub company: &'static Company,
    /// Short name used in file names.
    pub slug: &'static str,
    /// Relative share of the documents (0: only where the outcome asks for it).
    pub weight: u32,
    /// The channels it sends through, with relative weights.
    pub channels: &'static [(Channel, u32)],
    /// Invoice numbers: this prefix and a zero-padded counter.
    pub prefix: &'static str,
    /// Digits of the counter.
    pub digits: usize,
    /// The counter's lowest start.
    pub first: u64,
    /// Days until due.
    pub due_days: i64,
    /// What it sells: (its code, our code, description, unit, list price). Our
    /// code is empty for a supplier we have no purchase orders with.
    pub articles: &'static [Article],
    /// The note it prints when it asks to be paid into a new account (only
    /// layouts A and B print remarks).
    pub bank_remark: Option<&'static str>,
}

impl Profile {
    /// The invoice number for counter value `n`.
    pub fn number(&self, n: u64) -> String {
        format!("{}{:0width$}", self.prefix, n, width = self.digits)
    }
}

const PDF_ONLY: &[(Channel, u32)] = &[(Channel::Pdf, 1)];

/// Everyone who sends documents; the ERP knows all but the last.
pub const PROFILES: [Profile; 7] = [
    Profile {
        company: &NORDWIND,
        slug: "nordwind",
        weight: 24,
        channels: &[(Channel::Pdf, 85), (Channel::PdfMail, 15)],
        prefix: "RE-2026-",
        digits: 5,
        first: 10_000,
        due_days: 30,
        articles: &[
            N_PAPER,
            N_BINDER,
            N_TONER,
            N_NOTES,
            N_ENVELOPES,
            N_FOLDERS,
            N_MARKERS,
            N_PUNCH,
            N_PENS,
            N_LABELS,
            N_STAPLES,
            N_LAMINATE,
            N_FILES,
            N_FLIPCHART,
            N_DESKPAD,
            N_LAMP,
            N_TAPE,
            N_HIGHLIGHT,
            N_SLEEVES,
            N_BATTERIES,
        ],
        bank_remark: Some("Bitte beachten Sie unsere geänderte Bankverbindung (siehe unten)!"),
    },
    Profile {
        company: &VAN_LEEUWEN,
        slug: "vanleeuwen",
        weight: 18,
        channels: PDF_ONLY,
        prefix: "VL-2026-",
        digits: 4,
        first: 100,
        due_days: 30,
        articles: &[
            V_BOX,
            V_STRETCH,
            V_TAPE,
            V_FOAM,
            V_ESD,
            V_PALLETBOX,
            V_FILLER,
            (
                "VL-1120",
                "VP-2008",
                "Kartonnen hoekbeschermers 50x50x3 mm, 1 m",
                Unit::Piece,
                dec!(0.42),
            ),
            (
                "VL-2230",
                "VP-2009",
                "Luchtkussenfolie 500 mm x 100 m",
                Unit::Roll,
                dec!(19.80),
            ),
            (
                "VL-9004",
                "VP-2010",
                "Omsnoeringsband PP 12 mm, 2000 m",
                Unit::Roll,
                dec!(27.40),
            ),
        ],
        bank_remark: Some("Let op: ons rekeningnummer is gewijzigd (zie onder)."),
    },
    Profile {
        company: &BRIGHTLINE,
        slug: "brightline",
        weight: 18,
        channels: PDF_ONLY,
        prefix: "BE-",
        digits: 6,
        first: 104_000,
        due_days: 30,
        articles: &[
            B_DCDC,
            B_MCU,
            B_USBC,
            B_TFT,
            B_SENSOR,
            B_MLCC,
            (
                "BL-RES-0402",
                "EK-3007",
                "Thick-film resistor kit 0402, 170 values",
                Unit::Set,
                dec!(42.00),
            ),
            (
                "BL-OPT-7710",
                "EK-3008",
                "Optocoupler, 5 kV isolation, SOP-4",
                Unit::Piece,
                dec!(0.54),
            ),
            (
                "BL-XTL-0800",
                "EK-3009",
                "Crystal 8 MHz, 18 pF, HC-49/S",
                Unit::Piece,
                dec!(0.31),
            ),
            (
                "BL-CBL-1500",
                "EK-3010",
                "Ribbon cable 10-way, 1.27 mm pitch, 30 m",
                Unit::Roll,
                dec!(23.60),
            ),
        ],
        bank_remark: None,
    },
    Profile {
        company: &DUBOIS,
        slug: "dubois",
        weight: 13,
        channels: &[(Channel::FacturX, 1)],
        prefix: "F2026-",
        digits: 5,
        first: 300,
        due_days: 45,
        articles: &[
            D_CASE,
            D_PANEL,
            D_POUCH,
            (
                "AD-SG-045",
                "MG-4004",
                "Sangle de transport réglable, nylon noir",
                Unit::Piece,
                dec!(12.80),
            ),
            (
                "AD-PL-300",
                "MG-4005",
                "Plaque signalétique inox, gravure laser",
                Unit::Piece,
                dec!(6.90),
            ),
            (
                "AD-MS-112",
                "MG-4006",
                "Mousse de calage sur mesure, polyéthylène",
                Unit::Piece,
                dec!(17.50),
            ),
            (
                "AD-CR-080",
                "MG-4007",
                "Coffret aluminium 300 x 200 x 80 mm",
                Unit::Piece,
                dec!(84.00),
            ),
            (
                "AD-ET-047",
                "MG-4008",
                "Étui semi-rigide pour sonde, fermeture zip",
                Unit::Piece,
                dec!(23.40),
            ),
        ],
        bank_remark: None,
    },
    Profile {
        company: &SCHMIDT,
        slug: "schmidt",
        weight: 13,
        channels: &[(Channel::Ubl, 55), (Channel::UblMail, 45)],
        prefix: "SIB-2026-",
        digits: 5,
        first: 30_000,
        due_days: 30,
        articles: &[
            S_GLOVES,
            S_SCREWS,
            S_IPA,
            S_TORQUE,
            (
                "SIB-410233",
                "IB-5005",
                "Sechskantmutter ISO 4032 M4, A2, 100 St.",
                Unit::Pack,
                dec!(3.95),
            ),
            (
                "SIB-770145",
                "IB-5006",
                "Reinigungstücher fusselfrei, 500 St.",
                Unit::Pack,
                dec!(21.60),
            ),
            (
                "SIB-118820",
                "IB-5007",
                "Kabelbinder 200 x 3,6 mm, schwarz, 100 St.",
                Unit::Pack,
                dec!(4.40),
            ),
            (
                "SIB-902311",
                "IB-5008",
                "Schraubensicherung mittelfest, 50 ml",
                Unit::Piece,
                dec!(16.75),
            ),
        ],
        bank_remark: None,
    },
    Profile {
        company: &MUELLER,
        slug: "mueller",
        weight: 14,
        channels: &[(Channel::Pdf, 40), (Channel::PdfMail, 60)],
        prefix: "MP-2026-",
        digits: 5,
        first: 4_000,
        due_days: 30,
        articles: &[
            M_BASE,
            M_LID,
            M_HOLDER,
            (
                "MP-4713-03",
                "MG-6004",
                "Montageplatte AlMg3, gefräst, eloxiert",
                Unit::Piece,
                dec!(22.40),
            ),
            (
                "MP-5231-01",
                "MG-6005",
                "Distanzhülse 1.4305, Ø 8 x 15 mm",
                Unit::Piece,
                dec!(1.85),
            ),
            (
                "MP-6120-00",
                "MG-6006",
                "Frontrahmen AlMg3, gefräst, schwarz eloxiert",
                Unit::Piece,
                dec!(36.90),
            ),
            (
                "MP-6121-00",
                "MG-6007",
                "Griffleiste AlMg3, gebürstet",
                Unit::Piece,
                dec!(14.30),
            ),
            (
                "MP-7002-04",
                "MG-6008",
                "Gewindeeinsatz M4 für Aluminium, Edelstahl",
                Unit::Piece,
                dec!(0.95),
            ),
        ],
        bank_remark: None,
    },
    Profile {
        company: &FELDMANN,
        slug: "feldmann",
        weight: 0,
        channels: PDF_ONLY,
        prefix: "2026-",
        digits: 4,
        first: 1_000,
        due_days: 14,
        articles: &[
            (
                "LB-2200",
                "",
                "Pipettenspitzen 200 µl, gelb, 960 St.",
                Unit::Pack,
                dec!(38.90),
            ),
            (
                "LB-0315",
                "",
                "Nitril-Untersuchungshandschuhe M, 100 St.",
                Unit::Pack,
                dec!(6.20),
            ),
            (
                "LB-4545",
                "",
                "Laborflasche 500 ml, GL 45, Borosilikat",
                Unit::Piece,
                dec!(5.75),
            ),
            (
                "LB-1010",
                "",
                "Bechergläser 250 ml, niedrige Form, 10 St.",
                Unit::Pack,
                dec!(24.50),
            ),
            (
                "LB-3320",
                "",
                "Reaktionsgefäße 1,5 ml, 500 St.",
                Unit::Pack,
                dec!(9.80),
            ),
            (
                "LB-5102",
                "",
                "Spritzflasche 500 ml, LDPE",
                Unit::Piece,
                dec!(3.45),
            ),
            (
                "LB-6630",
                "",
                "Parafilm M, 100 mm x 38 m",
                Unit::Roll,
                dec!(29.90),
            ),
            (
                "LB-7011",
                "",
                "Wägeschalen Polystyrol, 100 ml, 500 St.",
                Unit::Pack,
                dec!(31.20),
            ),
        ],
        bank_remark: None,
    },
];

/// The supplier the ERP does not know (the last profile).
pub const UNKNOWN: usize = PROFILES.len() - 1;
