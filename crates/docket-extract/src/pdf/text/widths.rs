//! Repairs CID font width tables that `pdf_extract` misreads.
//!
//! A CID font's `/W` array states glyph widths in two forms: `c [w1 w2 …]`
//! (widths of consecutive CIDs from `c`) and `c_first c_last w` (one width
//! for a range). `pdf_extract` 0.12 reads only the first form: a range gives
//! no widths at all, so every glyph of such a font falls back to the default
//! width of 1000 units. Text drawn in one string is then stretched (a
//! monospaced font's 600 units become 1000): words land right of where they
//! are printed, gaps between columns vanish, and the ends of long lines fall
//! off the page (`vom 05.03.2018` read as `vom 05.03.2`). It also panics on
//! a width given by reference. Rewriting every range in the first form, with
//! references resolved, before the text is read gives the file's own widths.

use lopdf::{Dictionary, Document, Object, ObjectId};

/// Widths written out per font at most; a crafted range (`0 65535 500`) must
/// not cost unbounded memory. Real subsets have a few hundred glyphs.
const MAX_WIDTHS: i64 = 70_000;

/// Where a CID font dictionary stands: an object of its own, or inline in
/// the `/DescendantFonts` array of a Type0 font.
#[derive(Debug, Clone, Copy)]
enum At {
    Object(ObjectId),
    Descendant(ObjectId, usize),
}

/// One font's width table to rewrite: where the font stands, and its `/W`
/// in the form `pdf_extract` reads.
pub(super) struct Repair {
    at: At,
    widths: Vec<Object>,
}

/// The width tables that need rewriting (usually none).
pub(super) fn plan(doc: &Document) -> Vec<Repair> {
    let mut plan = Vec::new();
    for (&id, object) in &doc.objects {
        let Ok(dict) = object.as_dict() else {
            continue;
        };
        if is_cid_font(dict) {
            plan.extend(rewritten(doc, dict).map(|widths| Repair {
                at: At::Object(id),
                widths,
            }));
        } else if let Ok(Object::Array(descendants)) = dict.get(b"DescendantFonts") {
            for (i, d) in descendants.iter().enumerate() {
                if let Object::Dictionary(d) = d
                    && is_cid_font(d)
                {
                    plan.extend(rewritten(doc, d).map(|widths| Repair {
                        at: At::Descendant(id, i),
                        widths,
                    }));
                }
            }
        }
    }
    plan
}

/// Writes the planned tables into `copy` (a copy of the planned document).
pub(super) fn apply(copy: &mut Document, plan: Vec<Repair>) {
    for Repair { at, widths } in plan {
        let dict = match at {
            At::Object(id) => copy.objects.get_mut(&id).and_then(|o| o.as_dict_mut().ok()),
            At::Descendant(id, i) => copy
                .objects
                .get_mut(&id)
                .and_then(|o| o.as_dict_mut().ok())
                .and_then(|d| d.get_mut(b"DescendantFonts").ok())
                .and_then(|a| a.as_array_mut().ok())
                .and_then(|a| a.get_mut(i))
                .and_then(|o| o.as_dict_mut().ok()),
        };
        if let Some(dict) = dict {
            dict.set("W", Object::Array(widths));
        }
    }
}

fn is_cid_font(dict: &Dictionary) -> bool {
    matches!(
        dict.get(b"Subtype").and_then(Object::as_name),
        Ok(b"CIDFontType0" | b"CIDFontType2")
    )
}

fn deref<'a>(doc: &'a Document, object: &'a Object) -> &'a Object {
    match object {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(object),
        other => other,
    }
}

fn number(doc: &Document, object: &Object) -> Option<f32> {
    match deref(doc, object) {
        Object::Integer(i) => Some(*i as f32),
        Object::Real(r) => Some(*r),
        _ => None,
    }
}

/// The font's `/W` in the array-only form, when it differs from what the
/// file says (a range, or a width by reference); `None` when it is already
/// readable or cannot be read at all (then nothing is changed).
fn rewritten(doc: &Document, font: &Dictionary) -> Option<Vec<Object>> {
    let w = deref(doc, font.get(b"W").ok()?).as_array().ok()?;
    let mut out = Vec::with_capacity(w.len());
    let (mut changed, mut written, mut i) = (false, 0i64, 0);
    while i + 1 < w.len() {
        let first = deref(doc, &w[i]).as_i64().ok()?;
        changed |= matches!(w[i], Object::Reference(_));
        match deref(doc, &w[i + 1]) {
            Object::Array(widths) => {
                changed |= matches!(w[i + 1], Object::Reference(_))
                    || widths.iter().any(|x| matches!(x, Object::Reference(_)));
                let widths = widths
                    .iter()
                    .map(|x| number(doc, x).map(Object::Real))
                    .collect::<Option<Vec<_>>>()?;
                written += widths.len() as i64;
                out.push(Object::Integer(first));
                out.push(Object::Array(widths));
                i += 2;
            }
            last => {
                let last = last.as_i64().ok()?;
                let width = number(doc, w.get(i + 2)?)?;
                let count = last.checked_sub(first)?.checked_add(1)?;
                written += count;
                if count <= 0 || written > MAX_WIDTHS {
                    return None;
                }
                out.push(Object::Integer(first));
                out.push(Object::Array(vec![Object::Real(width); count as usize]));
                changed = true;
                i += 3;
            }
        }
    }
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::dictionary;

    fn font_with(w: Object) -> (Document, ObjectId) {
        let mut doc = Document::with_version("1.5");
        let width = doc.add_object(Object::Integer(600));
        let w = match w {
            Object::Array(mut items) => {
                for item in &mut items {
                    if *item == Object::Null {
                        *item = Object::Reference(width);
                    }
                }
                Object::Array(items)
            }
            other => other,
        };
        let cid = dictionary! { "Type" => "Font", "Subtype" => "CIDFontType2", "W" => w };
        let font = doc.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "Type0",
            "DescendantFonts" => vec![Object::Dictionary(cid)],
        });
        (doc, font)
    }

    fn w_of(doc: &Document, font: ObjectId) -> Vec<Object> {
        let font = doc.get_dictionary(font).expect("font");
        let cid = font
            .get(b"DescendantFonts")
            .and_then(Object::as_array)
            .expect("array")[0]
            .as_dict()
            .expect("dict");
        cid.get(b"W").and_then(Object::as_array).expect("W").clone()
    }

    #[test]
    fn ranges_and_referenced_widths_are_written_out() {
        // `3 5 600` and `8 8 <ref to 600>`, as an intarsys rendering writes them.
        let (doc, font) = font_with(Object::Array(vec![
            3.into(),
            5.into(),
            600.into(),
            8.into(),
            8.into(),
            Object::Null,
            10.into(),
            Object::Array(vec![500.into(), 250.into()]),
        ]));
        let fixed = super::super::prepare::prepared(&doc).expect("needs repair");
        assert_eq!(
            w_of(&fixed, font),
            vec![
                Object::Integer(3),
                Object::Array(vec![Object::Real(600.0); 3]),
                Object::Integer(8),
                Object::Array(vec![Object::Real(600.0)]),
                Object::Integer(10),
                Object::Array(vec![Object::Real(500.0), Object::Real(250.0)]),
            ]
        );
    }

    #[test]
    fn readable_tables_are_left_alone_and_huge_ranges_refused() {
        let (doc, _) = font_with(Object::Array(vec![
            1.into(),
            Object::Array(vec![500.into()]),
        ]));
        assert!(plan(&doc).is_empty());
        let (doc, _) = font_with(Object::Array(vec![0.into(), 1_000_000.into(), 500.into()]));
        assert!(plan(&doc).is_empty());
    }
}
