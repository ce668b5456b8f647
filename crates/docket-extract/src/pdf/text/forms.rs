//! Guarding pdf-extract against form XObjects that draw themselves.
//!
//! pdf-extract follows every `Do` of a form XObject recursively, with no depth
//! limit: a form that draws itself, directly or through other forms, recurses
//! until the stack overflows, which aborts the whole process (a stack overflow
//! cannot be caught). Before a page is handed over, this walks the forms the
//! page really draws (the `Do` operators of each content stream, resolved the
//! way pdf-extract resolves them: the form's own resources, else the ones it
//! was drawn with) and refuses loops, deep nesting and huge form graphs.

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId};

/// Deepest nesting of forms accepted.
const MAX_FORM_DEPTH: usize = 16;
/// Most form visits accepted per page.
const MAX_FORM_VISITS: usize = 2_000;

/// Checks the forms a page draws; `Err` says why the page is not safe to read.
pub(super) fn check_page(
    doc: &Document,
    content: &[u8],
    resources: Option<&Dictionary>,
) -> Result<(), String> {
    let mut walk = Walk {
        doc,
        path: Vec::new(),
        visits: 0,
    };
    walk.content(content, resources)
}

struct Walk<'a> {
    doc: &'a Document,
    path: Vec<ObjectId>,
    visits: usize,
}

impl<'a> Walk<'a> {
    fn content(&mut self, content: &[u8], resources: Option<&'a Dictionary>) -> Result<(), String> {
        let Some(resources) = resources else {
            return Ok(());
        };
        let Some(xobjects) = self.dict(resources.get(b"XObject").ok()) else {
            return Ok(());
        };
        // Unparseable content is left to pdf-extract, which reports it as an error.
        let Ok(ops) = Content::decode(content) else {
            return Ok(());
        };
        for op in ops.operations.iter().filter(|op| op.operator == "Do") {
            let Some(Ok(name)) = op.operands.first().map(Object::as_name) else {
                continue;
            };
            let Ok(Object::Reference(id)) = xobjects.get(name) else {
                continue;
            };
            self.form(*id, resources)?;
        }
        Ok(())
    }

    fn form(&mut self, id: ObjectId, drawn_with: &'a Dictionary) -> Result<(), String> {
        if self.path.contains(&id) {
            return Err(format!("form XObject {} {} draws itself", id.0, id.1));
        }
        if self.path.len() >= MAX_FORM_DEPTH {
            return Err(format!("form XObjects nest deeper than {MAX_FORM_DEPTH}"));
        }
        self.visits += 1;
        if self.visits > MAX_FORM_VISITS {
            return Err(format!(
                "page draws more than {MAX_FORM_VISITS} form XObjects"
            ));
        }
        let Ok(Object::Stream(stream)) = self.doc.get_object(id) else {
            return Ok(());
        };
        let is_form = stream
            .dict
            .get(b"Subtype")
            .and_then(Object::as_name)
            .is_ok_and(|n| n == b"Form");
        if !is_form {
            return Ok(());
        }
        let own = self.dict(stream.dict.get(b"Resources").ok());
        let content = stream
            .decompressed_content()
            .unwrap_or_else(|_| stream.content.clone());
        self.path.push(id);
        let result = self.content(&content, own.or(Some(drawn_with)));
        self.path.pop();
        result
    }

    fn dict(&self, object: Option<&'a Object>) -> Option<&'a Dictionary> {
        match object? {
            Object::Dictionary(d) => Some(d),
            Object::Reference(id) => self.doc.get_dictionary(*id).ok(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{Stream, dictionary};

    /// A document with form 10 0 R drawing `/Fx`, which resolves to `target`.
    fn doc_with_form(target: ObjectId, own_resources: bool) -> (Document, Dictionary) {
        let mut doc = Document::with_version("1.5");
        let xobjects = dictionary! { "Fx" => Object::Reference(target) };
        let mut form = dictionary! { "Type" => "XObject", "Subtype" => "Form" };
        if own_resources {
            form.set("Resources", dictionary! { "XObject" => xobjects.clone() });
        }
        doc.objects.insert(
            (10, 0),
            Object::Stream(Stream::new(form, b"/Fx Do".to_vec())),
        );
        doc.objects.insert(
            (11, 0),
            Object::Stream(Stream::new(
                dictionary! { "Type" => "XObject", "Subtype" => "Form" },
                b"BT (hi) Tj ET".to_vec(),
            )),
        );
        let page_resources =
            dictionary! { "XObject" => dictionary! { "Fx" => Object::Reference((10, 0)) } };
        (doc, page_resources)
    }

    #[test]
    fn a_form_drawing_itself_is_refused() {
        let (doc, resources) = doc_with_form((10, 0), true);
        let err = check_page(&doc, b"/Fx Do", Some(&resources)).unwrap_err();
        assert!(err.contains("draws itself"), "{err}");
    }

    #[test]
    fn a_loop_through_inherited_resources_is_refused() {
        let (doc, resources) = doc_with_form((10, 0), false);
        assert!(check_page(&doc, b"/Fx Do", Some(&resources)).is_err());
    }

    #[test]
    fn nested_forms_without_a_loop_pass() {
        let (doc, resources) = doc_with_form((11, 0), true);
        assert_eq!(check_page(&doc, b"/Fx Do", Some(&resources)), Ok(()));
        // A page that never draws the form is fine whatever the form does.
        let (doc, resources) = doc_with_form((10, 0), true);
        assert_eq!(check_page(&doc, b"BT (x) Tj ET", Some(&resources)), Ok(()));
    }
}
