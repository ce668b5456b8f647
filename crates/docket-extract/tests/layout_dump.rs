//! Temporary: dumps page text of the files in DUMP (colon separated).
#![allow(missing_docs)]
#[test]
#[ignore]
fn dump() {
    let files = std::env::var("DUMP").unwrap_or_default();
    for f in files.split(':').filter(|s| !s.is_empty()) {
        println!("===== {f}");
        let bytes = std::fs::read(f).unwrap();
        let doc = match lopdf::Document::load_mem(&bytes) {
            Ok(d) => d,
            Err(e) => {
                println!("load error {e}");
                continue;
            }
        };
        match docket_extract::pdf::text::page_texts(&doc, 5) {
            Ok(pages) => {
                for p in pages {
                    println!("--- page {} {}x{}", p.number, p.width, p.height);
                    for l in &p.lines {
                        let ws: Vec<String> = l
                            .words
                            .iter()
                            .map(|w| format!("{}@{:.0}", w.text, w.bbox.x0))
                            .collect();
                        if std::env::var("POS").is_ok() {
                            println!(
                                "{:6.1} {:4.1} | {}",
                                l.bbox.y0,
                                l.words[0].size(),
                                ws.join(" ")
                            );
                        } else {
                            println!("{:6.1} | {}", l.bbox.y0, l.text);
                        }
                    }
                }
            }
            Err(e) => println!("error {e}"),
        }
    }
}

#[test]
#[ignore]
fn extract_dump() {
    let files = std::env::var("DUMP").unwrap_or_default();
    for f in files.split(':').filter(|s| !s.is_empty()) {
        println!("===== {f}");
        let bytes = std::fs::read(f).unwrap();
        let doc = match lopdf::Document::load_mem(&bytes) {
            Ok(d) => d,
            Err(e) => {
                println!("load error {e}");
                continue;
            }
        };
        let pages = match docket_extract::pdf::text::page_texts(&doc, 5) {
            Ok(p) => p,
            Err(e) => {
                println!("text error {e}");
                continue;
            }
        };
        let d = match docket_extract::layout::extract(&pages) {
            Ok(d) => d,
            Err(e) => {
                println!("extract error {e}");
                continue;
            }
        };
        let c = |x: docket_domain::Confidence| x.value();
        println!(
            "kind {:?} {:.2}",
            d.header.kind.value,
            c(d.header.kind.confidence)
        );
        if let Some(n) = &d.header.number {
            println!(
                "number {} {:.2} [{}]",
                n.value,
                c(n.confidence),
                n.evidence.source_text.clone().unwrap_or_default()
            );
        }
        if let Some(n) = &d.header.issue_date {
            println!("date {} {:.2}", n.value, c(n.confidence));
        }
        if let Some(n) = &d.payment.due_date {
            println!("due {} {:.2}", n.value, c(n.confidence));
        }
        if let Some(n) = &d.header.currency {
            println!("currency {} {:.2}", n.value, c(n.confidence));
        }
        for (name, f) in [
            ("net", &d.totals.net),
            ("tax", &d.totals.tax),
            ("gross", &d.totals.gross),
            ("due", &d.totals.due),
        ] {
            if let Some(n) = f {
                println!(
                    "{name} {} {:.2} [{}]",
                    n.value.amount,
                    c(n.confidence),
                    n.evidence.source_text.clone().unwrap_or_default()
                );
            }
        }
        if let Some(n) = &d.seller.name {
            println!("seller {} {:.2}", n.value, c(n.confidence));
        }
        if let Some(n) = &d.seller.vat_id {
            println!("seller vat {} {:.2}", n.value, c(n.confidence));
        }
        if let Some(n) = &d.buyer.name {
            println!("buyer {} {:.2}", n.value, c(n.confidence));
        }
        if let Some(n) = &d.buyer.vat_id {
            println!("buyer vat {} {:.2}", n.value, c(n.confidence));
        }
        for a in &d.seller.bank_accounts {
            println!(
                "iban {} {:.2} bic {:?}",
                a.iban.value,
                c(a.iban.confidence),
                a.bic.as_ref().map(|b| b.value.clone())
            );
        }
        for p in &d.references.purchase_orders {
            println!("po {} {:.2}", p.value, c(p.confidence));
        }
        println!(
            "terms {:?} net_days {:?} disc {:?}/{:?}",
            d.payment.description.as_ref().map(|x| x.value.clone()),
            d.payment.net_days,
            d.payment.discount_percent,
            d.payment.discount_days
        );
        for l in &d.lines {
            println!(
                "  line id={:?} item={:?} qty={:?} unit={:?} price={:?} amount={:?} rate={:?} po={:?}/{:?} conf={:?} | {:?}",
                l.id.as_ref().map(|x| x.value.clone()),
                l.seller_item_id.as_ref().map(|x| x.value.clone()),
                l.quantity.as_ref().map(|x| x.value),
                l.unit.as_ref().map(|x| x.value.clone()),
                l.unit_price.as_ref().map(|x| x.value.amount),
                l.amount.as_ref().map(|x| x.value.amount),
                l.tax_rate.as_ref().map(|x| x.value),
                l.purchase_order.as_ref().map(|x| x.value.clone()),
                l.purchase_order_line.as_ref().map(|x| x.value.clone()),
                l.amount.as_ref().map(|x| c(x.confidence)),
                l.description.as_ref().map(|x| x.value.clone())
            );
        }
    }
}

struct G;
impl pdf_extract::OutputDev for G {
    fn begin_page(
        &mut self,
        _: u32,
        _: &pdf_extract::MediaBox,
        _: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn end_page(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn output_character(
        &mut self,
        trm: &pdf_extract::Transform,
        width: f64,
        spacing: f64,
        font_size: f64,
        ch: &str,
    ) -> Result<(), pdf_extract::OutputError> {
        let want = std::env::var("Y")
            .ok()
            .and_then(|y| y.parse::<f64>().ok())
            .unwrap_or(0.0);
        if (trm.m32 - want).abs() < 3.0 {
            println!(
                "{ch:?} x={:.2} y={:.2} w={width:.3} sp={spacing:.2} fs={font_size:.2} m11={:.2} m22={:.2}",
                trm.m31, trm.m32, trm.m11, trm.m22
            );
        }
        Ok(())
    }
    fn begin_word(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
}

#[test]
#[ignore]
fn glyphs() {
    let f = std::env::var("DUMP").unwrap_or_default();
    let doc = lopdf::Document::load(&f).unwrap();
    pdf_extract::output_doc_page(&doc, &mut G, 1).unwrap();
}

#[test]
#[ignore]
fn field_scores() {
    use std::str::FromStr;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("truth/dev.json")).unwrap())
            .unwrap();
    std::panic::set_hook(Box::new(|_| {}));
    let mut stats: std::collections::BTreeMap<&str, [usize; 4]> = Default::default(); // right, wrong-sure, wrong-unsure, empty
    for r in truth.as_array().unwrap() {
        if r["verified_visual_vs_xml"].as_bool() != Some(true) {
            continue;
        }
        let file = r["file"].as_str().unwrap();
        let Ok(bytes) = std::fs::read(root.join(file)) else {
            continue;
        };
        let Ok(doc) = lopdf::Document::load_mem(&bytes) else {
            continue;
        };
        let Ok(Ok(pages)) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            docket_extract::pdf::text::page_texts(&doc, 20)
        })) else {
            continue;
        };
        let Ok(d) = docket_extract::layout::extract(&pages) else {
            continue;
        };
        let t = &r["truth"];
        let mut score = |name: &'static str, want: Option<String>, got: Option<(String, f32)>| {
            let Some(want) = want else { return };
            let e = stats.entry(name).or_default();
            match got {
                None => e[3] += 1,
                Some((g, _)) if g == want => e[0] += 1,
                Some((g, c)) => {
                    if c >= 0.7 {
                        e[1] += 1;
                        println!("WRONG {name} {file}: want {want} got {g} ({c:.2})");
                    } else {
                        e[2] += 1;
                    }
                }
            }
        };
        let date = |s: &str| {
            chrono::NaiveDate::parse_from_str(s, "%Y%m%d")
                .or_else(|_| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d"))
                .ok()
                .map(|d| d.to_string())
        };
        score(
            "issue_date",
            t["issue_date"].as_str().and_then(date),
            d.header
                .issue_date
                .as_ref()
                .map(|f| (f.value.to_string(), f.confidence.value())),
        );
        score(
            "due_date",
            t["due_date"].as_str().and_then(date),
            d.payment
                .due_date
                .as_ref()
                .map(|f| (f.value.to_string(), f.confidence.value())),
        );
        let dec = |s: &str| {
            rust_decimal::Decimal::from_str(s)
                .ok()
                .map(|d| d.normalize().to_string())
        };
        for (name, key, f) in [
            ("net", "net", &d.totals.net),
            ("tax", "tax", &d.totals.tax),
            ("due", "due", &d.totals.due),
        ] {
            score(
                name,
                t["totals"][key].as_str().and_then(dec),
                f.as_ref()
                    .map(|f| (f.value.amount.normalize().to_string(), f.confidence.value())),
            );
        }
        score(
            "seller_vat",
            t["seller"]["vat_id"].as_str().map(|s| s.replace(' ', "")),
            d.seller
                .vat_id
                .as_ref()
                .map(|f| (f.value.clone(), f.confidence.value())),
        );
        score(
            "buyer_vat",
            t["buyer"]["vat_id"].as_str().map(|s| s.replace(' ', "")),
            d.buyer
                .vat_id
                .as_ref()
                .map(|f| (f.value.clone(), f.confidence.value())),
        );
        score(
            "iban",
            t["iban"]
                .as_array()
                .and_then(|a| a.first())
                .and_then(|v| v.as_str())
                .map(|s| s.replace(' ', "")),
            d.seller
                .bank_accounts
                .first()
                .map(|a| (a.iban.value.clone(), a.iban.confidence.value())),
        );
        score(
            "po",
            t["po_ref"].as_str().map(String::from),
            d.references
                .purchase_orders
                .first()
                .map(|f| (f.value.clone(), f.confidence.value())),
        );
        score(
            "currency",
            t["currency"].as_str().map(String::from),
            d.header
                .currency
                .as_ref()
                .map(|f| (f.value.to_string(), f.confidence.value())),
        );
        score(
            "seller_name",
            t["seller"]["name"].as_str().map(String::from),
            d.seller
                .name
                .as_ref()
                .map(|f| (f.value.clone(), f.confidence.value())),
        );
        let kind = t["doc_type"]
            .as_str()
            .map(|c| format!("{:?}", docket_domain::DocumentKind::from_untdid_1001(c)));
        score(
            "kind",
            kind,
            Some((format!("{:?}", d.kind()), d.header.kind.confidence.value())),
        );
        if let Some(lines) = t["lines"].as_array().filter(|l| !l.is_empty()) {
            score(
                "line_count",
                Some(lines.len().to_string()),
                Some((d.lines.len().to_string(), 0.9)),
            );
        }
    }
    for (k, v) in stats {
        println!(
            "{k:12} right {:3} wrong-sure {:3} wrong-unsure {:3} empty {:3}",
            v[0], v[1], v[2], v[3]
        );
    }
}
