//! The human output of `docket eval`: a table per field, the summary lines,
//! the files that could not be read, the confidently wrong fields, and on
//! request every miss.

use docket_eval::{DocumentScore, FieldName, FieldScore, Outcome, Report};

use super::Plan;

/// Prints the report for a person.
pub(super) fn print(report: &Report, plan: &Plan, mode: &str, misses: bool) {
    println!("docket eval: {} ({mode})", plan.title);
    let skipped: Vec<String> = plan
        .skipped
        .iter()
        .map(|(why, n)| format!("{n} ({why})"))
        .collect();
    let skipped = if skipped.is_empty() {
        String::new()
    } else {
        format!("; not scored: {}", skipped.join(", "))
    };
    println!(
        "{} files in {} scenarios{skipped}",
        report.files, report.scenarios
    );
    if plan.errata_applied > 0 {
        println!(
            "{} truth field(s) corrected to what the page shows (--errata)",
            plan.errata_applied
        );
    }
    println!();
    fields_table(report);
    println!();
    summary(report);
    if !plan.unmapped.is_empty() {
        let names: Vec<String> = plan
            .unmapped
            .iter()
            .map(|(name, n)| format!("{name} ×{n}"))
            .collect();
        println!(
            "not scored (template constants or no Docket field): {}",
            names.join(", ")
        );
    }
    unreadable(&report.documents);
    confidently_wrong(&report.documents);
    if misses {
        every_miss(&report.documents);
    }
}

fn fields_table(report: &Report) {
    println!(
        "{:<14} {:>13}  {:>17}  {:>17}  {:>17}  {:>10}",
        "field", "truth gives", "accuracy", "coverage", "confidently wrong", "unexpected"
    );
    println!(
        "{:<14} {:>5} {:>7}  {:>8} {:>8}  {:>8} {:>8}  {:>8} {:>8}  {:>10}",
        "", "scen", "files", "scen", "files", "scen", "files", "files", "scen", "files"
    );
    for (field, s) in &report.fields {
        println!(
            "{:<14} {:>5} {:>7}  {:>8} {:>8}  {:>8} {:>8}  {:>8} {:>8}  {:>10}",
            field.as_str(),
            s.scenarios,
            s.files,
            percent(s.accuracy),
            percent(s.accuracy_files),
            percent(s.coverage),
            percent(s.coverage_files),
            s.confidently_wrong,
            s.confidently_wrong_scenarios,
            s.unexpected
        );
    }
}

fn summary(report: &Report) {
    let header: Vec<_> = report
        .fields
        .iter()
        .filter(|(f, _)| report.header_fields.contains(f))
        .collect();
    let right: usize = header.iter().map(|(_, s)| s.right_files).sum();
    let given: usize = header.iter().map(|(_, s)| s.files).sum();
    let names: Vec<&str> = report.header_fields.iter().map(|f| f.as_str()).collect();
    println!(
        "header accuracy: {} per scenario; per file {} of {} fields right ({}) [{}]",
        percent(report.header_accuracy),
        right,
        given,
        percent((given > 0).then(|| right as f64 / given as f64)),
        names.join(", ")
    );
    let f1 = |x: Option<f64>| x.map_or_else(|| "-".to_string(), |x| format!("{x:.3}"));
    println!(
        "line F1: {} per scenario ({} scenarios give lines), {} per file",
        f1(report.line_f1),
        report.line_scenarios,
        f1(report.line_f1_files)
    );
    println!(
        "confidently wrong: {} field(s) (wrong at or above the auto-book threshold of {})",
        report.confidently_wrong,
        docket_domain::Confidence::REVIEW_THRESHOLD.value()
    );
    let bands: Vec<String> = report
        .calibration
        .iter()
        .filter(|b| b.fields > 0)
        .map(|b| {
            format!(
                "{:.1}-{:.1}: {} of {} right",
                b.from, b.to, b.right, b.fields
            )
        })
        .collect();
    println!(
        "calibration (values given, by confidence): {}",
        bands.join("; ")
    );
    let invalid: Vec<String> = report
        .fields
        .iter()
        .filter(|(_, s)| s.not_right_truth_invalid > 0)
        .map(|(f, s)| {
            let not_right = s.files - s.right_files;
            format!("{f} {} of {not_right}", s.not_right_truth_invalid)
        })
        .collect();
    if !invalid.is_empty() {
        println!(
            "misses where the truth's VAT id or IBAN is not valid (Docket reads such ids only beside their label, below review; still counted): {}",
            invalid.join(", ")
        );
    }
}

fn unreadable(documents: &[DocumentScore]) {
    let failed: Vec<_> = documents.iter().filter(|d| d.error.is_some()).collect();
    if failed.is_empty() {
        return;
    }
    println!("\nnot read, scored as all-empty: {} file(s)", failed.len());
    for d in failed {
        println!("  {}: {}", d.file, d.error.as_deref().unwrap_or_default());
    }
}

fn confidently_wrong(documents: &[DocumentScore]) {
    let wrong: Vec<_> = documents
        .iter()
        .flat_map(|d| {
            d.fields
                .iter()
                .filter(|(_, f)| f.confidently_wrong)
                .map(move |(name, f)| (d, *name, f))
        })
        .collect();
    if wrong.is_empty() {
        return;
    }
    println!("\nconfidently wrong:");
    for (d, name, f) in wrong {
        println!("  {}: {}", d.file, miss(name, f));
    }
}

fn every_miss(documents: &[DocumentScore]) {
    println!("\nmisses:");
    for d in documents {
        let misses: Vec<String> = d
            .fields
            .iter()
            .filter(|(_, f)| matches!(f.outcome, Outcome::Wrong | Outcome::Missing))
            .map(|(name, f)| miss(*name, f))
            .collect();
        let lines = d.lines.filter(|l| l.matched < l.expected.max(l.extracted));
        if misses.is_empty() && lines.is_none() {
            continue;
        }
        let method = d.method.as_deref().or(d.error.as_deref()).unwrap_or("");
        println!("  {} ({method})", d.file);
        for m in misses {
            println!("    {m}");
        }
        if let Some(l) = lines {
            println!(
                "    lines: {} of {} truth lines paired, {} extracted (F1 {:.2})",
                l.matched, l.expected, l.extracted, l.f1
            );
        }
    }
}

fn miss(name: FieldName, f: &FieldScore) -> String {
    let got = match (&f.got, f.confidence) {
        (Some(got), Some(c)) => format!("got {got} ({c:.2})"),
        (Some(got), None) => format!("got {got}"),
        _ => "got nothing".to_string(),
    };
    format!(
        "{name}: want {}, {got}",
        f.expected.as_deref().unwrap_or("nothing")
    )
}

fn percent(x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_string(), |x| format!("{:.1} %", x * 100.0))
}
