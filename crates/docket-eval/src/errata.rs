//! Errata: corrections to a truth file where its value is not what the page
//! shows, each with the reason.
//!
//! The dev set's truth comes from the XML attached to each PDF. In a few
//! files the XML and the page disagree on a field the `verified_visual_vs_xml`
//! check does not cover (it compares only the number and the gross): a date a
//! year off, a seller name with the GLN and supplier number the XML put in
//! front of it. Scoring the page against the XML there counts a right reading
//! as confidently wrong. An erratum replaces the truth's value of one field of
//! one file by what the page shows; the report says how many were applied, and
//! the errata file says why, so every correction can be checked against the
//! page by anyone.

use serde::Deserialize;

use crate::EvalError;
use crate::field::{Expected, FieldName};

/// One correction.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Erratum {
    /// The file, as the truth names it.
    pub file: String,
    /// The field, by its JSON name (`issue_date`, `seller_name`, ...).
    pub field: String,
    /// What the page shows, in the truth file's notation (ISO dates).
    pub page: String,
    /// What the truth says instead, and why the page is right.
    pub why: String,
}

/// Reads an errata file (a JSON list of [`Erratum`]), checking every field name.
pub fn parse_errata(json: &str) -> Result<Vec<Erratum>, EvalError> {
    let errata: Vec<Erratum> = serde_json::from_str(json).map_err(EvalError::Errata)?;
    for e in &errata {
        e.field_name()?;
    }
    Ok(errata)
}

impl Erratum {
    /// The corrected field.
    pub fn field_name(&self) -> Result<FieldName, EvalError> {
        FieldName::ALL
            .into_iter()
            .find(|f| f.as_str() == self.field)
            .ok_or_else(|| EvalError::ErratumField(self.field.clone()))
    }

    /// Puts the page's value in place of the truth's; `false` when the value
    /// has no normal form (then nothing is changed).
    pub fn apply(&self, expected: &mut Expected) -> Result<bool, EvalError> {
        let field = self.field_name()?;
        let value = field.normalise(&self.page);
        let applied = value.is_some();
        expected.give(field, value);
        Ok(applied)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::Value;

    #[test]
    fn an_erratum_replaces_one_field_and_unknown_fields_are_refused() {
        let errata = parse_errata(
            r#"[{"file": "a.pdf", "field": "issue_date", "page": "2015-10-08",
                 "why": "the XML says 2014-10-08"}]"#,
        )
        .expect("errata");
        let mut expected = Expected::default();
        expected.give(
            FieldName::IssueDate,
            FieldName::IssueDate.normalise("20141008"),
        );
        assert!(errata[0].apply(&mut expected).expect("applied"));
        assert_eq!(
            expected.fields.get(&FieldName::IssueDate),
            FieldName::IssueDate.normalise("2015-10-08").as_ref()
        );
        assert!(matches!(
            expected.fields.get(&FieldName::IssueDate),
            Some(Value::Date(_))
        ));

        let unknown =
            parse_errata(r#"[{"file": "a.pdf", "field": "colour", "page": "x", "why": "y"}]"#);
        assert!(matches!(unknown, Err(EvalError::ErratumField(f)) if f == "colour"));
    }
}
